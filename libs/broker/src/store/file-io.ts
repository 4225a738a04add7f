import { closeSync, openSync, readSync } from 'node:fs';
import { readFile, unlink, type FileHandle } from 'node:fs/promises';
import { errnoCode, fsError } from './store-error';

/** Writes `chunks` (`total` bytes) at `position`, finishing a short writev with plain writes. */
export async function writeFully(
  handle: FileHandle,
  chunks: Buffer[],
  position: number,
  total: number,
): Promise<void> {
  const { bytesWritten } = await handle.writev(chunks, position);
  if (bytesWritten === total) return;
  // A short write (rare, e.g. a signal or a nearly full disk): finish with plain writes.
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  let done = 0;
  while (done < rest.length) {
    const { bytesWritten: n } = await handle.write(
      rest,
      done,
      rest.length - done,
      position + bytesWritten + done,
    );
    if (n === 0) throw new Error('write made no progress');
    done += n;
  }
}

/** Fills `buf` from the file at `position`; a file that ends first is an error. */
export async function readFully(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error(`file ends before offset ${position + buf.length}`);
    done += bytesRead;
  }
}

/**
 * Fills `buf` from the file at `path`, at `position`, synchronously (basic.get must answer
 * in the same turn); a file that ends first is an error.
 */
export function readFullySync(path: string, buf: Buffer, position: number): void {
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, position + done);
      if (n === 0) throw new Error(`file ends before offset ${position + buf.length}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw fsError('cannot delete', path, err);
  }
}

/** The whole file, or nothing when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return Buffer.alloc(0);
    throw fsError('cannot read', path, err);
  }
}
