import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, fsError, StoreError } from './store-error';

/** The lock's file name inside the data directory. */
export const LOCK_FILE = 'LOCK';
/** Taking over a stale lock races with other starters at most this often before giving up. */
const ATTEMPTS = 5;

/** Held while a store is open; release() on clean close. */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockHolder {
  pid: number;
  /** When that process started (Linux /proc), '' when unknown: tells a reused pid apart. */
  started: string;
}

/**
 * Claims `<dataDir>/LOCK` for this process: two brokers appending to the same
 * segments and definitions log would corrupt both. The file holds the owner's pid
 * and start time. A lock whose owner is gone (kill -9, power loss) is taken over;
 * a live owner — another process, or another open store in this one — is refused
 * with an error naming the directory and the pid.
 *
 * The file is written in full under a temporary name and then hard-linked to
 * LOCK, which fails if LOCK exists: a reader never sees a half-written lock, so
 * an empty file cannot be mistaken for a dead owner.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  const own: LockHolder = { pid: process.pid, started: processStartTime(process.pid) };
  const content = `${own.pid}\n${own.started}\n`;
  const staging = join(dataDir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(staging, content, { flag: 'wx' });
  } catch (err) {
    throw fsError('cannot create lock file in', dataDir, err);
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(staging, path);
        return { path, release: () => releaseLock(path, content) };
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw fsError('cannot create lock file', path, err);
      }
      const seen = await readHolder(path);
      if (seen === undefined) continue; // released meanwhile: try again
      const state = holderState(seen.holder, own);
      if (state !== 'gone') throw inUse(dataDir, path, seen.holder.pid, state === 'this-process');
      await takeOverStale(path, seen.text);
    }
    throw new StoreError(
      `cannot lock data directory ${dataDir}: ${path} kept changing (other brokers starting?)`,
      path,
    );
  } finally {
    await unlink(staging).catch(() => undefined);
  }
}

async function releaseLock(path: string, content: string): Promise<void> {
  // Remove it only while it is still ours (an operator may have removed and reused it).
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) await unlink(path).catch(() => undefined);
}

/**
 * Moves the dead owner's lock aside. Between our read and this step another starter
 * may have done the same and linked its own lock: we then moved a live lock, so it is
 * linked back (and our next attempt finds its owner alive). Only a third starter
 * slipping in between those two steps could still end up sharing the directory.
 */
async function takeOverStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return; // someone else moved it: look again
    throw fsError('cannot remove stale lock', path, err);
  }
  try {
    const moved = await readFile(aside, 'utf8');
    if (moved !== staleText) await link(aside, path).catch(() => undefined);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

async function readHolder(path: string): Promise<{ holder: LockHolder; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw fsError('cannot read lock file', path, err);
  }
  const [pidText = '', started = ''] = text.split('\n');
  const pid = Number(pidText);
  if (!/^\d+$/.test(pidText) || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new StoreError(
      `lock file ${path} is not a broker lock (expected a pid on its first line); ` +
        `remove it if no broker uses this directory`,
      path,
    );
  }
  return { holder: { pid, started: started.trim() }, text };
}

function holderState(holder: LockHolder, own: LockHolder): 'this-process' | 'alive' | 'gone' {
  if (holder.pid === own.pid) {
    // Same pid and start time: a store of this process holds it. Same pid, other start
    // time: an earlier process that happened to get our pid (containers restart at pid 1).
    return holder.started === own.started ? 'this-process' : 'gone';
  }
  if (!isRunning(holder.pid)) return 'gone';
  if (holder.started !== '') {
    const started = processStartTime(holder.pid);
    if (started !== '' && started !== holder.started) return 'gone'; // the pid was reused
  }
  return 'alive';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM'; // alive, owned by another user
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks after boot); '' where there is no /proc. */
function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from its end
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

function inUse(dataDir: string, path: string, pid: number, thisProcess: boolean): StoreError {
  const message = thisProcess
    ? `data directory ${dataDir} is already open in this process (pid ${pid} holds ${path}): ` +
      `close the other store first`
    : `data directory ${dataDir} is in use by another broker: process ${pid} holds ${path}. ` +
      `One broker per data directory: stop that one or choose another directory.`;
  return new StoreError(message, path);
}
