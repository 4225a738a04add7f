import { FRAME_END } from './constants';

const INITIAL_SIZE = 16 * 1024;
/** A writer that grew beyond this for one huge frame shrinks back, so it does not pin memory. */
const MAX_RETAINED_SIZE = 1024 * 1024;
/** UTF-16 units that can never exceed 255 UTF-8 bytes (3 bytes per unit at most). */
const SHORTSTR_SAFE_UNITS = 85;
const TWO_POW_32 = 0x1_0000_0000;
/** Names and tags are short: copying their chars beats Buffer#write's call overhead. */
const ASCII_LOOP_MAX = 64;

/** Writes `s` at `at` if it is pure ASCII and returns its length; -1 (after a partial write) if not. */
function writeAscii(buf: Buffer, s: string, at: number): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    buf[at + i] = c;
  }
  return s.length;
}

/**
 * Append-only encoder over one reusable scratch buffer. Encoding writes here and
 * `take()` copies the result out once, which avoids computing every string's
 * byte length up front and allocates exactly one Buffer per encoded unit.
 * Not reentrant: a caller finishes (take) before the next reset.
 */
export class WireWriter {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  pos = 0;

  reset(): this {
    if (this.buf.length > MAX_RETAINED_SIZE) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(this.pos + n);
  }

  octet(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeUInt8(v, this.pos);
  }

  short(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  long(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  /** Unsigned 64-bit from a JS number (delivery tags stay far below 2^53). */
  longlong(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`longlong must be a non-negative safe integer, got ${v}`);
    }
    this.ensure(8);
    const hi = Math.floor(v / TWO_POW_32);
    this.buf.writeUInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_POW_32, this.pos + 4);
    this.pos += 8;
  }

  timestamp(v: bigint): void {
    this.ensure(8);
    this.pos = this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.pos);
  }

  /** Packs up to 8 consecutive bit fields into one octet, first field in the lowest bit. */
  bits(...flags: boolean[]): void {
    let octet = 0;
    for (let i = 0; i < flags.length; i++) if (flags[i]) octet |= 1 << i;
    this.octet(octet);
  }

  shortstr(s: string, field: string): void {
    if (s.length > SHORTSTR_SAFE_UNITS && Buffer.byteLength(s) > 255) {
      throw new RangeError(`${field} is longer than 255 bytes (a shortstr)`);
    }
    this.ensure(1 + 3 * s.length);
    const n = s.length <= ASCII_LOOP_MAX ? writeAscii(this.buf, s, this.pos + 1) : -1;
    const written = n >= 0 ? n : this.buf.write(s, this.pos + 1, 'utf8');
    this.buf[this.pos] = written;
    this.pos += 1 + written;
  }

  longstr(v: string | Buffer): void {
    if (typeof v === 'string') {
      this.ensure(4 + 3 * v.length);
      const n = v.length === 0 ? 0 : this.buf.write(v, this.pos + 4, 'utf8');
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4 + n;
    } else {
      this.long(v.length);
      this.bytes(v);
    }
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** Writes type and channel and leaves the size to `endFrame`; returns where the frame starts. */
  beginFrame(type: number, channel: number): number {
    const start = this.pos;
    this.ensure(7);
    this.buf[start] = type;
    this.buf.writeUInt16BE(channel, start + 1);
    this.pos += 7;
    return start;
  }

  endFrame(start: number): void {
    this.buf.writeUInt32BE(this.pos - start - 7, start + 3);
    this.ensure(1);
    this.buf[this.pos++] = FRAME_END;
  }

  /** A copy of everything written since reset. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** The one scratch writer the codec functions share (the event loop runs them one at a time). */
export const scratchWriter = new WireWriter();
