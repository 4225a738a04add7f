import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseConnectionError } from '../errors/database.errors';
import { lockPgliteDir } from './pglite-dir-lock';

describe('lockPgliteDir', () => {
  let dir: string;
  let dataDir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'surety-lock-'));
    dataDir = path.join(dir, 'pglite');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the owner pid beside the data directory and removes it on release', async () => {
    const release = await lockPgliteDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    await release();
    await expect(stat(`${dataDir}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a second claim from this process', async () => {
    const release = await lockPgliteDir(dataDir);
    try {
      const failure = await lockPgliteDir(dataDir).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DatabaseConnectionError);
      expect((failure as Error).message).toContain(`${dataDir} is already open by this process`);
    } finally {
      await release();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    // A pid that surely is not running: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${dataDir}.lock`, String(dead));
    const release = await lockPgliteDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    await release();
  });

  it('names the live owner when another process holds it', async () => {
    await writeFile(`${dataDir}.lock`, String(process.ppid));
    await expect(lockPgliteDir(dataDir)).rejects.toThrow(`already open by process ${process.ppid}`);
  });
});
