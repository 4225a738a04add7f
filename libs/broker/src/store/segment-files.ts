import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Naming of the message directory: `<10-digit id>.seg` holds records, `<id>.ack` the
 * positions removed from it. Zero-padded so a plain sort is numeric order.
 */
export const SEGMENT_HEADER = Buffer.from('SRTYSEG1', 'latin1');

export function segmentFileName(id: number): string {
  return `${String(id).padStart(10, '0')}.seg`;
}

export function ackFileName(id: number): string {
  return `${String(id).padStart(10, '0')}.ack`;
}

export interface SegmentListing {
  segments: number[];
  acks: number[];
}

export async function listSegmentFiles(dir: string): Promise<SegmentListing> {
  const segments: number[] = [];
  const acks: number[] = [];
  for (const name of await readdir(dir)) {
    const match = /^(\d{10})\.(seg|ack)$/.exec(name);
    if (!match) continue;
    (match[2] === 'seg' ? segments : acks).push(Number(match[1]));
  }
  const numeric = (a: number, b: number) => a - b;
  return { segments: segments.sort(numeric), acks: acks.sort(numeric) };
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

export function segmentPath(dir: string, id: number): string {
  return join(dir, segmentFileName(id));
}

export function ackPath(dir: string, id: number): string {
  return join(dir, ackFileName(id));
}
