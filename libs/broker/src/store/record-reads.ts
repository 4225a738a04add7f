import { checkRecord, decodeRecord } from './message-record';
import { StoreError } from './store-error';
import type { MessageRef, PersistedMessage } from './types';

/** Records this close together (bytes between them) are read with one read... */
const READ_MAX_GAP = 64 * 1024;
/** ...as long as the read stays below this size. */
const READ_MAX_SPAN = 4 * 1024 * 1024;

/** Reads `[start, end)` of the file holding `ref`; returns the bytes and the file's path. */
export type RangeReader = (
  ref: MessageRef,
  start: number,
  end: number,
) => Promise<{ buf: Buffer; path: string }>;

/**
 * Reads many records (a paged-out stretch of a queue coming back): runs of refs in one
 * file, ascending and close together, become one read, so a backlog returns in a few
 * large reads instead of one per message. Results are in the order of `refs`.
 */
export async function readRecords(
  refs: readonly MessageRef[],
  readRange: RangeReader,
): Promise<PersistedMessage[]> {
  const out = new Array<PersistedMessage>(refs.length);
  const reads: Promise<void>[] = [];
  for (let first = 0; first < refs.length;) {
    const start = refs[first]!.position;
    let end = start + refs[first]!.length;
    let next = first + 1;
    while (next < refs.length) {
      const ref = refs[next]!;
      if (
        ref.segment !== refs[first]!.segment ||
        ref.position < end ||
        ref.position - end > READ_MAX_GAP ||
        ref.position + ref.length - start > READ_MAX_SPAN
      ) {
        break;
      }
      end = ref.position + ref.length;
      next++;
    }
    const [from, to] = [first, next];
    reads.push(
      readRange(refs[from]!, start, end).then(({ buf, path }) => {
        for (let i = from; i < to; i++) {
          const ref = refs[i]!;
          out[i] = decodeRecordAt(buf, ref.position - start, ref, path);
        }
      }),
    );
    first = next;
  }
  await Promise.all(reads);
  return out;
}

/** Checks and decodes the record of `ref` at `offset` of `buf` (views, no copies). */
export function decodeRecordAt(
  buf: Buffer,
  offset: number,
  ref: MessageRef,
  path: string,
): PersistedMessage {
  const check = checkRecord(buf, offset);
  if (!check.ok || check.length !== ref.length) {
    const reason = check.ok ? 'length mismatch' : check.reason;
    throw new StoreError(`corrupt record in ${path} at offset ${ref.position}: ${reason}`, path);
  }
  return decodeRecord(buf, offset, false).message;
}
