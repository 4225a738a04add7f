import { syntaxError } from './amqp-error';
import type { FieldTable, FieldValue } from './field-value';
import { WireWriter, scratchWriter } from './wire-writer';

/** Nesting deeper than this is refused: recursion on hostile input must not exhaust the stack. */
export const MAX_TABLE_DEPTH = 64;

// ---------------------------------------------------------------- encoding

/** The table in wire form, including its 4-octet length prefix. */
export function encodeTable(table: FieldTable): Buffer {
  const w = scratchWriter.reset();
  writeTable(w, table);
  return w.take();
}

/** Writes a length-prefixed table (used by the generated method and property encoders). */
export function writeTable(w: WireWriter, table: FieldTable): void {
  w.ensure(4);
  const start = w.pos;
  w.pos += 4;
  for (const key of Object.keys(table)) {
    w.shortstr(key, `table key "${key.slice(0, 32)}"`);
    writeFieldValue(w, table[key]!, key);
  }
  w.buf.writeUInt32BE(w.pos - start - 4, start);
}

function writeFieldValue(w: WireWriter, fv: FieldValue, key: string): void {
  w.octet(fv.type.charCodeAt(0));
  w.ensure(9);
  const b = w.buf;
  switch (fv.type) {
    case 't':
      b[w.pos++] = fv.value ? 1 : 0;
      return;
    case 'b':
      w.pos = b.writeInt8(fv.value, w.pos);
      return;
    case 'B':
      w.pos = b.writeUInt8(fv.value, w.pos);
      return;
    case 's':
      w.pos = b.writeInt16BE(fv.value, w.pos);
      return;
    case 'u':
      w.pos = b.writeUInt16BE(fv.value, w.pos);
      return;
    case 'I':
      w.pos = b.writeInt32BE(fv.value, w.pos);
      return;
    case 'i':
      w.pos = b.writeUInt32BE(fv.value, w.pos);
      return;
    case 'l':
      w.pos = b.writeBigInt64BE(BigInt(fv.value), w.pos);
      return;
    case 'T':
      w.pos = b.writeBigUInt64BE(BigInt(fv.value), w.pos);
      return;
    case 'f':
      w.pos = b.writeFloatBE(fv.value, w.pos);
      return;
    case 'd':
      w.pos = b.writeDoubleBE(fv.value, w.pos);
      return;
    case 'D':
      b[w.pos] = fv.value.scale;
      w.pos = b.writeUInt32BE(fv.value.value, w.pos + 1);
      return;
    case 'S':
      w.longstr(fv.value);
      return;
    case 'x':
      w.longstr(fv.value);
      return;
    case 'A': {
      const start = w.pos;
      w.pos += 4;
      for (const item of fv.value) writeFieldValue(w, item, key);
      w.buf.writeUInt32BE(w.pos - start - 4, start);
      return;
    }
    case 'F':
      writeTable(w, fv.value);
      return;
    case 'V':
      return;
    default:
      throw new TypeError(
        `field "${key}" has unknown type ${JSON.stringify((fv as { type: unknown }).type)}`,
      );
  }
}

// ---------------------------------------------------------------- decoding

/** Decodes a table in wire form (4-octet length prefix, then entries); the prefix must match. */
export function decodeTable(bytes: Buffer): FieldTable {
  if (bytes.length < 4) throw syntaxError('field table shorter than its length prefix');
  const size = bytes.readUInt32BE(0);
  if (size !== bytes.length - 4) {
    throw syntaxError(`field table declares ${size} bytes but ${bytes.length - 4} follow`);
  }
  return readTableBody(bytes, 4, bytes.length, 0);
}

/**
 * Decodes the entries between start and end (the caller has checked the length
 * prefix against the enclosing payload). Every declared length is checked
 * against `end` before anything is read or allocated.
 */
export function readTableBody(buf: Buffer, start: number, end: number, depth: number): FieldTable {
  if (depth > MAX_TABLE_DEPTH)
    throw syntaxError(`field table nested deeper than ${MAX_TABLE_DEPTH}`);
  const reader = new TableReader(buf, start, end, depth);
  const table: FieldTable = {};
  while (reader.pos < end) {
    const key = reader.shortstr();
    const value = reader.value();
    if (key === '__proto__') {
      // a wire key must never reach Object.prototype
      Object.defineProperty(table, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      table[key] = value;
    }
  }
  return table;
}

class TableReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
    private readonly depth: number,
  ) {}

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw syntaxError(`field table truncated in ${what}`);
  }

  shortstr(): string {
    this.need(1, 'a key');
    const n = this.buf[this.pos]!;
    this.need(1 + n, 'a key');
    const s = this.buf.toString('utf8', this.pos + 1, this.pos + 1 + n);
    this.pos += 1 + n;
    return s;
  }

  private lengthPrefixed(what: string): number {
    this.need(4, what);
    const n = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    if (n > this.end - this.pos) {
      throw syntaxError(
        `field table ${what} declares ${n} bytes but only ${this.end - this.pos} remain`,
      );
    }
    return n;
  }

  value(): FieldValue {
    this.need(1, 'a type tag');
    const b = this.buf;
    const tag = b[this.pos++]!;
    let p = this.pos;
    switch (tag) {
      case 0x74: // t
        this.need(1, 'a boolean');
        this.pos = p + 1;
        return { type: 't', value: b[p] !== 0 };
      case 0x62: // b
        this.need(1, 'an int8');
        this.pos = p + 1;
        return { type: 'b', value: b.readInt8(p) };
      case 0x42: // B
        this.need(1, 'a uint8');
        this.pos = p + 1;
        return { type: 'B', value: b[p]! };
      case 0x73: // s
        this.need(2, 'an int16');
        this.pos = p + 2;
        return { type: 's', value: b.readInt16BE(p) };
      case 0x75: // u
        this.need(2, 'a uint16');
        this.pos = p + 2;
        return { type: 'u', value: b.readUInt16BE(p) };
      case 0x49: // I
        this.need(4, 'an int32');
        this.pos = p + 4;
        return { type: 'I', value: b.readInt32BE(p) };
      case 0x69: // i
        this.need(4, 'a uint32');
        this.pos = p + 4;
        return { type: 'i', value: b.readUInt32BE(p) };
      case 0x6c: // l
        this.need(8, 'an int64');
        this.pos = p + 8;
        return { type: 'l', value: b.readBigInt64BE(p) };
      case 0x54: // T
        this.need(8, 'a timestamp');
        this.pos = p + 8;
        return { type: 'T', value: b.readBigUInt64BE(p) };
      case 0x66: // f
        this.need(4, 'a float');
        this.pos = p + 4;
        return { type: 'f', value: b.readFloatBE(p) };
      case 0x64: // d
        this.need(8, 'a double');
        this.pos = p + 8;
        return { type: 'd', value: b.readDoubleBE(p) };
      case 0x44: // D
        this.need(5, 'a decimal');
        this.pos = p + 5;
        return { type: 'D', value: { scale: b[p]!, value: b.readUInt32BE(p + 1) } };
      case 0x53: {
        // S
        const n = this.lengthPrefixed('long string');
        p = this.pos;
        this.pos = p + n;
        return { type: 'S', value: b.toString('utf8', p, p + n) };
      }
      case 0x78: {
        // x: copied, so a kept table never pins the frame it came in
        const n = this.lengthPrefixed('byte array');
        p = this.pos;
        this.pos = p + n;
        return { type: 'x', value: Buffer.from(b.subarray(p, p + n)) };
      }
      case 0x41: {
        // A
        const n = this.lengthPrefixed('array');
        const items = new TableReader(b, this.pos, this.pos + n, this.depth + 1);
        if (this.depth + 1 > MAX_TABLE_DEPTH) {
          throw syntaxError(`field table nested deeper than ${MAX_TABLE_DEPTH}`);
        }
        const value: FieldValue[] = [];
        while (items.pos < this.pos + n) value.push(items.value());
        this.pos += n;
        return { type: 'A', value };
      }
      case 0x46: {
        // F
        const n = this.lengthPrefixed('nested table');
        const value = readTableBody(b, this.pos, this.pos + n, this.depth + 1);
        this.pos += n;
        return { type: 'F', value };
      }
      case 0x56: // V
        return { type: 'V', value: null };
      default:
        throw syntaxError(
          `field table has unknown type tag 0x${tag.toString(16).padStart(2, '0')}`,
        );
    }
  }
}
