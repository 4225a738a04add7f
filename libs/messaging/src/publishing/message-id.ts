import { randomFillSync } from 'node:crypto';

// Message ids are uuid v7 (RFC 9562): 48-bit Unix ms, version 7, a 32-bit
// counter that makes ids sort in creation order within one millisecond, the
// variant, then random bits. Formatted here rather than by the uuid package
// because an id is made per publish: the randomness comes from a pooled buffer
// (one syscall per 256 ids) and the timestamp part of the string is reused for
// every id of the same millisecond.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;
let lastMs = -Infinity;
let seq = 0;
// 'tttttttt-tttt-' for lastMs.
let timePrefix = '';

/** A uuid v7 (time-ordered): ids sort by creation time, also within one millisecond. */
export function newMessageId(): string {
  // At most 10 bytes per id: 4 for a new millisecond's counter start, 6 random.
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    seq = pool.readUInt32BE(offset) & 0x3fffffff;
    offset += 4;
    timePrefix = formatTime(now);
  } else {
    seq = (seq + 1) >>> 0;
    // 2^32 ids in one millisecond: borrow the next one, as the uuid package does.
    if (seq === 0) {
      lastMs++;
      timePrefix = formatTime(lastMs);
    }
  }
  const r0 = pool[offset];
  const r1 = pool[offset + 1];
  const r2 = pool[offset + 2];
  const r3 = pool[offset + 3];
  const r4 = pool[offset + 4];
  const r5 = pool[offset + 5];
  offset += 6;
  // Counter bits: 4 after the version nibble, 8, 6 after the variant, 8, 6; then random.
  return (
    timePrefix +
    HEX[0x70 | ((seq >>> 28) & 0x0f)] +
    HEX[(seq >>> 20) & 0xff] +
    '-' +
    HEX[0x80 | ((seq >>> 14) & 0x3f)] +
    HEX[(seq >>> 6) & 0xff] +
    '-' +
    HEX[((seq << 2) & 0xfc) | (r0 & 0x03)] +
    HEX[r1] +
    HEX[r2] +
    HEX[r3] +
    HEX[r4] +
    HEX[r5]
  );
}

function formatTime(ms: number): string {
  const high = Math.floor(ms / 0x10000); // upper 32 bits of the 48-bit timestamp
  const low = ms % 0x10000;
  return (
    HEX[(high >>> 24) & 0xff] +
    HEX[(high >>> 16) & 0xff] +
    HEX[(high >>> 8) & 0xff] +
    HEX[high & 0xff] +
    '-' +
    HEX[(low >>> 8) & 0xff] +
    HEX[low & 0xff] +
    '-'
  );
}
