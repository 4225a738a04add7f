import { open, readFile, rename } from 'node:fs/promises';
import { decodeAckEntries, encodeAckEntries } from './ack-entries';
import { readIfExists, unlinkIfExists, writeFully } from './file-io';
import { checkRecord } from './message-record';
import { ackPath, SEGMENT_HEADER, segmentPath, syncDirectory } from './segment-files';
import { filePosition, type SegmentState } from './segment-state';
import { fsError, StoreError } from './store-error';

/**
 * A sealed segment is rewritten once fewer than this share of its records are live.
 * Each rewrite then frees at least three bytes for every byte it copies, and a record
 * is copied again only after three quarters of its new file were removed too, so the
 * copying a record can cause is bounded (a geometric series: under 1/3 of a record's
 * size per removal it enabled). A higher threshold reclaims sooner but copies more.
 */
export const COMPACT_BELOW_LIVE_SHARE = 0.25;

/**
 * Worth rewriting: sealed, fully written, some records live but few, no rewrite in
 * progress, and no removal since `quietSince` (a segment a consumer is still working
 * through will likely empty by itself and be deleted without copying anything).
 */
export function isCompactionCandidate(segment: SegmentState, quietSince: number): boolean {
  return (
    segment.sealed &&
    segment.created &&
    segment.flushedBytes === segment.size &&
    segment.live > 0 &&
    segment.live < segment.records * COMPACT_BELOW_LIVE_SHARE &&
    segment.lastRemovalTick < quietSince &&
    segment.removedWhileCompacting === undefined
  );
}

/** A complete, fsync'd rewrite of a segment under its temporary name, not yet in place. */
export interface PreparedRewrite {
  readonly segment: SegmentState;
  readonly generation: number;
  readonly tmpPath: string;
  /** Ref position (what the broker holds) -> position in the rewritten file. */
  readonly relocated: Map<number, number>;
  readonly size: number;
  readonly records: number;
  /** Rewritten-file positions of records that carry a first-delivery mark. */
  readonly delivered: number[];
}

/**
 * Copies the records at `livePositions` (ref positions, ascending: file order) into
 * `<id>-<generation+1>.seg.tmp`, byte for byte (frame and CRC unchanged), and fsyncs
 * it. Nothing the store reads changes yet: the rewrite only counts once commit renames
 * it into place. Throws StoreError when a record does not check out (nothing is lost:
 * the segment then stays as it is).
 */
export async function prepareRewrite(
  dir: string,
  segment: SegmentState,
  livePositions: readonly number[],
): Promise<PreparedRewrite> {
  const path = segmentPath(dir, segment.id, segment.generation);
  const source = await readFile(path).catch((err: unknown) => {
    throw fsError('cannot read segment to compact', path, err);
  });
  const marks = decodeAckEntries(await readIfExists(ackPath(dir, segment.id, segment.generation)));
  const found: Array<{ ref: number; at: number; length: number }> = [];
  let size = SEGMENT_HEADER.length;
  for (const ref of livePositions) {
    const at = filePosition(segment, ref);
    const check = at === undefined ? undefined : checkRecord(source, at);
    if (at === undefined || check === undefined || !check.ok) {
      const reason = check === undefined || check.ok ? 'not in the file' : check.reason;
      throw new StoreError(`cannot compact ${path}: record at ${at ?? ref} ${reason}`, path);
    }
    found.push({ ref, at, length: check.length });
    size += check.length;
  }
  const out = Buffer.allocUnsafe(size);
  SEGMENT_HEADER.copy(out, 0);
  let next = SEGMENT_HEADER.length;
  const relocated = new Map<number, number>();
  const delivered: number[] = [];
  for (const record of found) {
    source.copy(out, next, record.at, record.at + record.length);
    relocated.set(record.ref, next);
    if (marks.delivered?.has(record.at)) delivered.push(next);
    next += record.length;
  }
  const generation = segment.generation + 1;
  const tmpPath = `${segmentPath(dir, segment.id, generation)}.tmp`;
  try {
    const handle = await open(tmpPath, 'w');
    try {
      await writeFully(handle, [out], 0, out.length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlinkIfExists(tmpPath).catch(() => undefined);
    throw fsError('cannot write compacted segment', tmpPath, err);
  }
  return { segment, generation, tmpPath, relocated, size, records: found.length, delivered };
}

/**
 * Puts a rewrite in place: first its ack file (the removals made while it was being
 * copied, and the first-delivery marks it carries over), fsync'd; then the rename of
 * the segment file and an fsync of the directory. From the rename on, recovery takes
 * the new generation and deletes the old one; before it, the new ack file is an orphan
 * recovery deletes. Returns the new ack file's size.
 */
export async function commitRewrite(
  dir: string,
  rewrite: PreparedRewrite,
  removedRefPositions: readonly number[],
): Promise<number> {
  const { segment, generation } = rewrite;
  const removed: number[] = [];
  const gone = new Set<number>();
  for (const ref of removedRefPositions) {
    const at = rewrite.relocated.get(ref);
    if (at !== undefined && !gone.has(at)) {
      removed.push(at);
      gone.add(at);
    }
  }
  const delivered = new Set(rewrite.delivered.filter((at) => !gone.has(at)));
  const entries = encodeAckEntries(removed, delivered);
  const acks = ackPath(dir, segment.id, generation);
  if (entries.length > 0) {
    try {
      const handle = await open(acks, 'w');
      try {
        await writeFully(handle, [entries], 0, entries.length);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw fsError('cannot write ack file', acks, err);
    }
  }
  const path = segmentPath(dir, segment.id, generation);
  try {
    await rename(rewrite.tmpPath, path);
    await syncDirectory(dir);
  } catch (err) {
    throw fsError('cannot put compacted segment in place:', path, err);
  }
  return entries.length;
}

/** Drops a rewrite that will not be committed (the segment emptied meanwhile, or close). */
export async function discardRewrite(dir: string, rewrite: PreparedRewrite): Promise<void> {
  await unlinkIfExists(rewrite.tmpPath);
  await unlinkIfExists(ackPath(dir, rewrite.segment.id, rewrite.generation));
}
