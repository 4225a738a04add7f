/**
 * Hand-written AMQP 0-9-1 wire encoding for the conformance suite's raw client.
 * Deliberately independent of libs/broker: the tests must not share the codec
 * they are checking. Types follow the spec table (octet, short, long, longlong,
 * shortstr, longstr, bit, table) and RabbitMQ's field-table tags.
 */

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;

/** The 0-9-1 protocol header a client opens with. */
export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** A field-table value with its explicit wire tag (RabbitMQ's tag set). */
export type Field =
  | { tag: 't'; value: boolean }
  | { tag: 'b' | 's' | 'I' | 'l'; value: number | bigint }
  | { tag: 'S'; value: string | Buffer }
  | { tag: 'F'; value: Record<string, Field> }
  | { tag: 'V' };

/** Accumulates method arguments in wire order; consecutive bits pack into one octet. */
export class ArgWriter {
  private readonly chunks: Buffer[] = [];
  private bitOctet: number | null = null;
  private bitIndex = 0;

  octet(value: number): this {
    return this.push(Buffer.from([value & 0xff]));
  }

  short(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    return this.push(b);
  }

  long(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.push(b);
  }

  longlong(value: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value));
    return this.push(b);
  }

  shortstr(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.push(Buffer.concat([Buffer.from([bytes.length]), bytes]));
  }

  longstr(value: string | Buffer): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    return this.push(Buffer.concat([len, bytes]));
  }

  bit(value: boolean): this {
    if (this.bitOctet === null || this.bitIndex === 8) {
      this.flushBits();
      this.bitOctet = 0;
      this.bitIndex = 0;
    }
    if (value) this.bitOctet |= 1 << this.bitIndex;
    this.bitIndex++;
    return this;
  }

  table(entries: Record<string, Field> = {}): this {
    const body = encodeTableBody(entries);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return this.push(Buffer.concat([len, body]));
  }

  build(): Buffer {
    this.flushBits();
    return Buffer.concat(this.chunks);
  }

  private push(chunk: Buffer): this {
    this.flushBits();
    this.chunks.push(chunk);
    return this;
  }

  private flushBits(): void {
    if (this.bitOctet !== null) {
      this.chunks.push(Buffer.from([this.bitOctet]));
      this.bitOctet = null;
    }
  }
}

function encodeTableBody(entries: Record<string, Field>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, field] of Object.entries(entries)) {
    const name = Buffer.from(key, 'utf8');
    parts.push(Buffer.from([name.length]), name, encodeField(field));
  }
  return Buffer.concat(parts);
}

function encodeField(field: Field): Buffer {
  const tag = Buffer.from(field.tag, 'latin1');
  switch (field.tag) {
    case 't':
      return Buffer.concat([tag, Buffer.from([field.value ? 1 : 0])]);
    case 'b': {
      const b = Buffer.alloc(1);
      b.writeInt8(Number(field.value));
      return Buffer.concat([tag, b]);
    }
    case 's': {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Number(field.value));
      return Buffer.concat([tag, b]);
    }
    case 'I': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(field.value));
      return Buffer.concat([tag, b]);
    }
    case 'l': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(field.value));
      return Buffer.concat([tag, b]);
    }
    case 'S':
      return Buffer.concat([tag, new ArgWriter().longstr(field.value).build()]);
    case 'F':
      return Buffer.concat([tag, new ArgWriter().table(field.value).build()]);
    case 'V':
      return tag;
  }
}

/** Reads method arguments and field tables in wire order. */
export class ArgReader {
  private offset = 0;
  private bitOctet = 0;
  private bitIndex = 8;

  constructor(private readonly buffer: Buffer) {}

  octet(): number {
    this.bitIndex = 8;
    return this.buffer.readUInt8(this.advance(1));
  }

  short(): number {
    this.bitIndex = 8;
    return this.buffer.readUInt16BE(this.advance(2));
  }

  long(): number {
    this.bitIndex = 8;
    return this.buffer.readUInt32BE(this.advance(4));
  }

  longlong(): bigint {
    this.bitIndex = 8;
    return this.buffer.readBigUInt64BE(this.advance(8));
  }

  shortstr(): string {
    const len = this.octet();
    return this.buffer.toString('utf8', this.advance(len), this.offset);
  }

  longstr(): Buffer {
    const len = this.long();
    const start = this.advance(len);
    return this.buffer.subarray(start, start + len);
  }

  bit(): boolean {
    if (this.bitIndex === 8) {
      this.bitOctet = this.buffer.readUInt8(this.advance(1));
      this.bitIndex = 0;
    }
    return (this.bitOctet & (1 << this.bitIndex++)) !== 0;
  }

  table(): Record<string, unknown> {
    const body = new ArgReader(this.longstr());
    const result: Record<string, unknown> = {};
    while (!body.atEnd()) {
      const key = body.shortstr();
      result[key] = body.fieldValue();
    }
    return result;
  }

  atEnd(): boolean {
    return this.offset >= this.buffer.length;
  }

  private fieldValue(): unknown {
    const tag = String.fromCharCode(this.octet());
    const b = this.buffer;
    switch (tag) {
      case 't':
        return this.octet() !== 0;
      case 'b':
        return b.readInt8(this.advance(1));
      case 'B':
        return this.octet();
      case 's':
        return b.readInt16BE(this.advance(2));
      case 'u':
        return this.short();
      case 'I':
        return b.readInt32BE(this.advance(4));
      case 'i':
        return this.long();
      case 'l':
        return b.readBigInt64BE(this.advance(8));
      case 'T':
        return new Date(Number(this.longlong()) * 1000); // kept apart from 'l' (bigint)
      case 'f':
        return b.readFloatBE(this.advance(4));
      case 'd':
        return b.readDoubleBE(this.advance(8));
      case 'S':
        return this.longstr().toString('utf8');
      case 'x':
        return this.longstr();
      case 'F':
        return this.table();
      case 'A': {
        const body = new ArgReader(this.longstr());
        const items: unknown[] = [];
        while (!body.atEnd()) items.push(body.fieldValue());
        return items;
      }
      case 'V':
        return undefined;
      default:
        throw new Error(`raw client: unsupported field-table tag '${tag}'`);
    }
  }

  private advance(size: number): number {
    const start = this.offset;
    if (start + size > this.buffer.length) {
      throw new Error(`raw client: read past the end of a ${this.buffer.length}-byte payload`);
    }
    this.offset += size;
    return start;
  }
}

/** One complete frame: type, channel and payload (frame-end already checked). */
export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly payload: Buffer;
}

export function frame(type: number, channel: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([FRAME_END])]);
}

export function methodFrame(
  channel: number,
  classId: number,
  methodId: number,
  args: Buffer = Buffer.alloc(0),
): Buffer {
  const ids = Buffer.alloc(4);
  ids.writeUInt16BE(classId, 0);
  ids.writeUInt16BE(methodId, 2);
  return frame(FRAME_METHOD, channel, Buffer.concat([ids, args]));
}

/**
 * A basic content header with no properties except (optionally) delivery-mode.
 * Property flags: bit 15 content-type ... bit 12 delivery-mode (spec order).
 */
export function contentHeaderFrame(
  channel: number,
  bodySize: number,
  options: { classId?: number } = {},
): Buffer {
  const payload = Buffer.alloc(14);
  payload.writeUInt16BE(options.classId ?? 60, 0);
  payload.writeUInt16BE(0, 2); // weight, always 0
  payload.writeBigUInt64BE(BigInt(bodySize), 4);
  payload.writeUInt16BE(0, 12); // property flags: none
  return frame(FRAME_HEADER, channel, payload);
}

export function bodyFrame(channel: number, body: Buffer): Buffer {
  return frame(FRAME_BODY, channel, body);
}

export function heartbeatFrame(channel = 0): Buffer {
  return frame(FRAME_HEARTBEAT, channel, Buffer.alloc(0));
}

/** Splits a method frame's payload into its ids and an argument reader. */
export function decodeMethod(payload: Buffer): {
  classId: number;
  methodId: number;
  args: ArgReader;
} {
  return {
    classId: payload.readUInt16BE(0),
    methodId: payload.readUInt16BE(2),
    args: new ArgReader(payload.subarray(4)),
  };
}

/** The basic properties this suite inspects from a content header, decoded with their wire types kept. */
export interface DecodedHeader {
  readonly bodySize: bigint;
  readonly headers?: Record<string, unknown>;
  readonly deliveryMode?: number;
  readonly expiration?: string;
}

/**
 * Decodes a basic content header payload (class, weight, body size, flags,
 * then present properties in spec order). Field-table integers keep their
 * width: 'l' decodes to bigint, 'I' to number, 'T' to a Date.
 */
export function decodeContentHeader(payload: Buffer): DecodedHeader {
  const reader = new ArgReader(payload.subarray(12));
  const flags = reader.short();
  const has = (bit: number) => (flags & (1 << bit)) !== 0;
  const result: { -readonly [K in keyof DecodedHeader]: DecodedHeader[K] } = {
    bodySize: payload.readBigUInt64BE(4),
  };
  if (has(15)) reader.shortstr(); // content-type
  if (has(14)) reader.shortstr(); // content-encoding
  if (has(13)) result.headers = reader.table();
  if (has(12)) result.deliveryMode = reader.octet();
  if (has(11)) reader.octet(); // priority
  if (has(10)) reader.shortstr(); // correlation-id
  if (has(9)) reader.shortstr(); // reply-to
  if (has(8)) result.expiration = reader.shortstr();
  return result;
}
