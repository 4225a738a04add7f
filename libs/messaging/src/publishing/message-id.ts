import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// uuid draws 16 fresh random bytes per id from the OS; at tens of thousands of
// publishes a second that shows in profiles, so ids take their randomness from
// a pooled buffer instead, keeping uuid v7's layout and monotonic ordering.
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;
let lastMs = -Infinity;
let seq = 0;

/** A uuid v7 (time-ordered): ids sort by creation time, also within one millisecond. */
export function newMessageId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, offset + 16);
  offset += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    seq = random.readUInt32BE(0) & 0x3fffffff;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq });
}
