import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Naming of the message directory: `<10-digit id>.seg` holds records, `<id>.ack` the
 * positions removed from it. Zero-padded so a plain sort is numeric order. A segment
 * rewritten by compaction keeps its id and gets a generation: `<id>-<4-digit gen>.seg`
 * and `.ack` (generation 0 has no suffix). While it is being written it is
 * `<id>-<gen>.seg.tmp`; only a complete, fsync'd file is renamed into place.
 */
export const SEGMENT_HEADER = Buffer.from('SRTYSEG1', 'latin1');

function baseName(id: number, generation: number): string {
  const name = String(id).padStart(10, '0');
  return generation === 0 ? name : `${name}-${String(generation).padStart(4, '0')}`;
}

export function segmentFileName(id: number, generation = 0): string {
  return `${baseName(id, generation)}.seg`;
}

export function ackFileName(id: number, generation = 0): string {
  return `${baseName(id, generation)}.ack`;
}

/** One segment or ack file: which segment, which generation of it. */
export interface SegmentFileId {
  id: number;
  generation: number;
}

export interface SegmentListing {
  segments: SegmentFileId[];
  acks: SegmentFileId[];
  /** Compaction outputs a crash left unfinished (`*.seg.tmp`): never complete, deleted. */
  unfinished: string[];
}

export async function listSegmentFiles(dir: string): Promise<SegmentListing> {
  const segments: SegmentFileId[] = [];
  const acks: SegmentFileId[] = [];
  const unfinished: string[] = [];
  for (const name of await readdir(dir)) {
    const match = /^(\d{10})(?:-(\d{4}))?\.(seg|ack)(\.tmp)?$/.exec(name);
    if (!match) continue;
    if (match[4] !== undefined) {
      unfinished.push(name);
      continue;
    }
    const file = { id: Number(match[1]), generation: Number(match[2] ?? 0) };
    (match[3] === 'seg' ? segments : acks).push(file);
  }
  const order = (a: SegmentFileId, b: SegmentFileId) => a.id - b.id || a.generation - b.generation;
  return { segments: segments.sort(order), acks: acks.sort(order), unfinished };
}

/** Makes a created/renamed/deleted directory entry durable (fsync on the directory). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function segmentPath(dir: string, id: number, generation = 0): string {
  return join(dir, segmentFileName(id, generation));
}

export function ackPath(dir: string, id: number, generation = 0): string {
  return join(dir, ackFileName(id, generation));
}
