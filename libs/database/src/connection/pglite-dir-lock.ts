import { open, readFile, rm } from 'node:fs/promises';
import { DatabaseConnectionError } from '../errors/database.errors';

/**
 * Two processes on one PGlite data directory silently lose writes, so a
 * directory is claimed by a `<dir>.lock` file holding the owner's pid. A lock
 * left by a process that died (kill -9) is taken over.
 * Resolves to the release function.
 */
export async function lockPgliteDir(dataDir: string): Promise<() => Promise<void>> {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const content = await readFile(file, 'utf8').catch(() => '');
      if (content === '') {
        // Its owner is between creating and writing it: look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const owner = Number.parseInt(content, 10);
      if (Number.isInteger(owner) && isAlive(owner)) {
        const who =
          owner === process.pid ? 'this process (another open handle)' : `process ${owner}`;
        throw new DatabaseConnectionError(
          `PGlite data directory ${dataDir} is already open by ${who}; PGlite allows one process per ` +
            `directory (lock file ${file}). Use PostgreSQL to share a database between processes.`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DatabaseConnectionError(
    `could not claim PGlite data directory ${dataDir} (lock file ${file})`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
