import { checkRecord, RECORD_FRAME_SIZE, RECORD_MAGIC } from './message-record';
import { SEGMENT_HEADER } from './segment-files';

export interface ScannedFrame {
  position: number;
  length: number;
}

export interface SegmentScan {
  /** 'empty': shorter than a header (crashed right after creation); 'foreign': not a segment. */
  header: 'ok' | 'empty' | 'foreign';
  frames: ScannedFrame[];
  /** Where the valid data ends; anything after it is a torn tail to truncate. */
  validEnd: number;
  /** Damaged stretches with valid records after them: skipped, reported. */
  corruptions: Array<{ position: number; length: number; reason: string }>;
}

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32BE(RECORD_MAGIC);

/**
 * Walks a segment's records. A bad record followed by a valid one is mid-segment
 * corruption (skipped); a bad record with nothing valid after it is a torn tail from
 * a crash mid-write (cut off at validEnd). Resynchronising uses the record magic.
 */
export function scanSegment(buf: Buffer): SegmentScan {
  const headerSize = SEGMENT_HEADER.length;
  if (buf.length < headerSize) {
    const prefix = SEGMENT_HEADER.subarray(0, buf.length).equals(buf);
    return { header: prefix ? 'empty' : 'foreign', frames: [], validEnd: 0, corruptions: [] };
  }
  if (!buf.subarray(0, headerSize).equals(SEGMENT_HEADER)) {
    return { header: 'foreign', frames: [], validEnd: 0, corruptions: [] };
  }
  const frames: ScannedFrame[] = [];
  const corruptions: SegmentScan['corruptions'] = [];
  let position = headerSize;
  while (position < buf.length) {
    const check = checkRecord(buf, position);
    if (check.ok) {
      frames.push({ position, length: check.length });
      position += check.length;
      continue;
    }
    const next = nextValidRecord(buf, position, check.reason);
    if (next < 0) break;
    corruptions.push({ position, length: next - position, reason: check.reason });
    position = next;
  }
  return { header: 'ok', frames, validEnd: position, corruptions };
}

function nextValidRecord(buf: Buffer, bad: number, reason: string): number {
  if (reason === 'bad-crc') {
    // Most likely damaged content under an intact length: try the record after it
    // first, so bytes inside the damaged body are not mistaken for a record.
    const after = bad + RECORD_FRAME_SIZE + buf.readUInt32BE(bad + 8);
    if (after < buf.length && checkRecord(buf, after).ok) return after;
  }
  let at = buf.indexOf(MAGIC_BYTES, bad + 1);
  while (at >= 0) {
    if (checkRecord(buf, at).ok) return at;
    at = buf.indexOf(MAGIC_BYTES, at + 1);
  }
  return -1;
}
