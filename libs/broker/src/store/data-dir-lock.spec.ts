import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE, lockDataDir } from './data-dir-lock';
import { openFileStore } from './file-store';
import { StoreError } from './store-error';
import { CapturingLogger, queueDef, tempDataDir } from './testing/store-fixtures';

/** A pid that surely is not running: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('data directory lock', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  it('holds the pid in <dataDir>/LOCK while the store is open and removes it on close', async () => {
    const store = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    await store.open();
    const content = await readFile(join(dir, LOCK_FILE), 'utf8');
    expect(content.split('\n')[0]).toBe(String(process.pid));
    await store.close();
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(dir)).filter((f) => f.startsWith(LOCK_FILE))).toEqual([]);
  });

  it('refuses a second store on the directory and leaves the first one working', async () => {
    const first = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    await first.open();
    const second = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    const failure = await second.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toContain(`data directory ${dir} is already open`);
    expect((failure as Error).message).toContain(`pid ${process.pid}`);

    await first.putQueue(queueDef('still-mine'));
    first.append('//still-mine', {
      exchange: '',
      routingKey: 'k',
      header: Buffer.alloc(0),
      body: Buffer.from('x'),
    });
    await first.sync();
    await first.close();
    const reopened = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    const state = await reopened.open();
    expect(state.messages.get('//still-mine')).toHaveLength(1);
    await reopened.close();
  });

  it('names the live process that holds the lock', async () => {
    await writeFile(join(dir, LOCK_FILE), `${process.ppid}\n\n`);
    await expect(lockDataDir(dir)).rejects.toThrow(
      `data directory ${dir} is in use by another broker: process ${process.ppid} holds ${join(dir, LOCK_FILE)}`,
    );
    // refused, not taken: the holder's lock is untouched
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.ppid}\n\n`);
  });

  it('takes over a lock left by a process that died', async () => {
    await writeFile(join(dir, LOCK_FILE), `${deadPid()}\n12345\n`);
    const lock = await lockDataDir(dir);
    expect((await readFile(lock.path, 'utf8')).split('\n')[0]).toBe(String(process.pid));
    await lock.release();
    expect((await readdir(dir)).filter((f) => f.startsWith(LOCK_FILE))).toEqual([]);
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse)', async () => {
    if (process.platform !== 'linux') return; // start times come from /proc
    // Our own pid with a start time that is not ours: an earlier process had this pid.
    await writeFile(join(dir, LOCK_FILE), `${process.pid}\n1\n`);
    const lock = await lockDataDir(dir);
    expect(await readFile(lock.path, 'utf8')).not.toBe(`${process.pid}\n1\n`);
    await lock.release();
  });

  it('refuses a LOCK file that is not a broker lock, naming it', async () => {
    await writeFile(join(dir, LOCK_FILE), 'hello');
    await expect(lockDataDir(dir)).rejects.toThrow(
      `lock file ${join(dir, LOCK_FILE)} is not a broker lock`,
    );
  });

  it('releases the lock when open fails after taking it', async () => {
    await writeFile(join(dir, 'messages'), 'not a directory');
    const store = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    await expect(store.open()).rejects.toThrow(/messages/);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(join(dir, 'messages'));
    const again = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    await again.open();
    await again.close();
  });
});
