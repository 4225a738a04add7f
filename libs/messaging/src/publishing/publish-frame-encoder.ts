import type { BuiltProperties } from './message-builder';

// AMQP 0-9-1 framing (spec 4.2.3): type (1), channel (2), payload size (4), payload, 0xCE.
const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
const FRAME_OVERHEAD = 8;
const BASIC_CLASS = 60;
const BASIC_PUBLISH = 40;

// Property flags of the basic class, in wire order (spec 4.2.6.1, bit 15 first).
const CONTENT_TYPE = 0x8000;
const CONTENT_ENCODING = 0x4000;
const HEADERS = 0x2000;
const DELIVERY_MODE = 0x1000;
const PRIORITY = 0x0800;
const CORRELATION_ID = 0x0400;
const REPLY_TO = 0x0200;
const EXPIRATION = 0x0100;
const MESSAGE_ID = 0x0080;
const TIMESTAMP = 0x0040;
const TYPE = 0x0020;
const USER_ID = 0x0010;
const APP_ID = 0x0008;

// A string of at most this many UTF-16 units is at most 255 UTF-8 bytes, so it
// fits a shortstr without measuring it first.
const SHORTSTR_UNITS = 85;
// Header string values longer than this are left to amqplib (they are rare, and
// sizing the reservation by the worst case would waste the slab).
const HEADER_STRING_UNITS = 4096;
// Frames of small messages are cut from one shared slab, as Node pools small
// Buffers: one allocation per slab instead of four or five per message.
const SLAB_BYTES = 64 * 1024;

/**
 * Encodes basic.publish + content header + body frames for one confirm channel,
 * byte for byte what amqplib would send for the same publish options (its
 * encoder allocates a zeroed buffer per frame, measures every string twice and
 * writes the 64-bit fields through BigInt: about half of a publish's CPU).
 *
 * It encodes what Surety publishes: the basic properties and header tables of
 * strings, booleans and 32-bit integers. For anything else (nested tables,
 * arrays, Buffers, floats, CC/BCC, over-long strings, values amqplib would
 * reject) `encode` returns undefined and the caller publishes through amqplib,
 * which then encodes it, or throws its own error for an invalid value.
 */
export class PublishFrameEncoder {
  private slab: Buffer = Buffer.allocUnsafe(0);
  private used = 0;
  // basic.publish of the last (exchange, routing key, mandatory): usually the next one is the same.
  private lastExchange: string | undefined = undefined;
  private lastRoutingKey: string | undefined = undefined;
  private lastMandatory = false;
  private lastMethod: Buffer = Buffer.allocUnsafe(0);

  constructor(
    private readonly channel: number,
    private readonly frameMax: number,
  ) {}

  /**
   * The message as whole frames in stream order (one buffer when it fits one
   * body frame), or undefined when it holds something this does not encode.
   */
  encode(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: BuiltProperties,
  ): Buffer[] | undefined {
    const mandatory = !!properties.mandatory;
    if (
      exchange !== this.lastExchange ||
      routingKey !== this.lastRoutingKey ||
      mandatory !== this.lastMandatory
    ) {
      const method = this.encodeMethod(exchange, routingKey, mandatory);
      if (method === undefined) return undefined;
      this.lastExchange = exchange;
      this.lastRoutingKey = routingKey;
      this.lastMandatory = mandatory;
      this.lastMethod = method;
    }
    const method = this.lastMethod;

    const headerBound = headerFrameBound(properties);
    if (headerBound < 0) return undefined;
    const bodyMax = this.frameMax - FRAME_OVERHEAD;
    const oneBodyFrame = content.length <= bodyMax;
    const bodyBytes = content.length === 0 ? 0 : content.length + FRAME_OVERHEAD;
    const bound = method.length + headerBound + (oneBodyFrame ? bodyBytes : 0);

    const buffer = this.reserve(bound);
    const start = this.used;
    let offset = start + method.copy(buffer, start);
    offset = writeHeaderFrame(buffer, offset, this.channel, content.length, properties);
    if (oneBodyFrame) {
      if (content.length > 0)
        offset = writeBodyFrame(buffer, offset, this.channel, content, 0, content.length);
      return [this.take(start, offset)];
    }
    const frames = [this.take(start, offset)];
    for (let from = 0; from < content.length; from += bodyMax) {
      const to = Math.min(from + bodyMax, content.length);
      const frame = Buffer.allocUnsafe(to - from + FRAME_OVERHEAD);
      writeBodyFrame(frame, 0, this.channel, content, from, to);
      frames.push(frame);
    }
    return frames;
  }

  private encodeMethod(
    exchange: string,
    routingKey: string,
    mandatory: boolean,
  ): Buffer | undefined {
    if (!isShortString(exchange) || !isShortString(routingKey)) return undefined;
    const buffer = Buffer.allocUnsafe(7 + 6 + 2 + 2 * 255 + 2);
    buffer[0] = FRAME_METHOD;
    writeUInt16(buffer, 1, this.channel);
    let offset = 7;
    writeUInt16(buffer, offset, BASIC_CLASS);
    writeUInt16(buffer, offset + 2, BASIC_PUBLISH);
    writeUInt16(buffer, offset + 4, 0); // ticket (reserved)
    offset = writeShortString(buffer, offset + 6, exchange);
    offset = writeShortString(buffer, offset, routingKey);
    buffer[offset++] = mandatory ? 1 : 0; // immediate is never set (RabbitMQ refuses it)
    buffer[offset] = FRAME_END;
    writeUInt32(buffer, 3, offset - 7);
    return buffer.subarray(0, offset + 1);
  }

  /** A buffer with `bytes` free from `this.used` on. */
  private reserve(bytes: number): Buffer {
    if (this.used + bytes > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, bytes));
      this.used = 0;
    }
    return this.slab;
  }

  private take(start: number, end: number): Buffer {
    // Keep the next message 8-byte aligned, as Node's own buffer pool does.
    this.used = (end + 7) & ~7;
    return this.slab.subarray(start, end);
  }
}

/**
 * Upper bound of the content header frame's size, or -1 when a property is
 * outside what this encoder writes (amqplib then encodes the message).
 */
function headerFrameBound(p: BuiltProperties): number {
  if (p.CC !== undefined || p.BCC !== undefined) return -1;
  // frame header 7 + class 2 + weight 2 + body size 8 + flags 2 + frame end 1
  let size = 22;
  size += shortStringBound(p.contentType);
  size += shortStringBound(p.contentEncoding);
  size += shortStringBound(p.correlationId);
  size += shortStringBound(p.replyTo);
  size += shortStringBound(p.messageId);
  size += shortStringBound(p.type);
  size += shortStringBound(p.userId);
  size += shortStringBound(p.appId);
  const expiration = p.expiration;
  if (expiration !== undefined) {
    // amqplib sends String(expiration); a number's text is ASCII and short.
    size += typeof expiration === 'number' ? 1 + 24 : shortStringBound(expiration, true);
  }
  const deliveryMode = deliveryModeOf(p);
  if (deliveryMode !== undefined) size += isOctet(deliveryMode) ? 1 : NOT_ENCODED;
  if (p.priority != null) size += isOctet(p.priority) ? 1 : NOT_ENCODED;
  if (p.timestamp != null) {
    const t = p.timestamp as unknown;
    size += typeof t === 'number' && Number.isSafeInteger(t) && t >= 0 ? 8 : NOT_ENCODED;
  }
  size += headersBound(p.headers);
  return size < 0 ? -1 : size;
}

/** Large enough that any sum containing it stays negative. */
const NOT_ENCODED = -1e9;

function shortStringBound(value: unknown, required = false): number {
  if (value === undefined || value === null) return required ? NOT_ENCODED : 0;
  return isShortString(value) ? 1 + Math.min(255, 3 * value.length) : NOT_ENCODED;
}

function headersBound(headers: Record<string, unknown>): number {
  if (headers === undefined || headers === null) return 4;
  if (typeof headers !== 'object') return NOT_ENCODED;
  let size = 4;
  for (const key in headers) {
    const value = headers[key];
    if (value === undefined) continue;
    if (!isShortString(key)) return NOT_ENCODED;
    size += 1 + Math.min(255, 3 * key.length) + 1;
    if (typeof value === 'string') {
      if (value.length > HEADER_STRING_UNITS) return NOT_ENCODED;
      size += 4 + 3 * value.length;
    } else if (typeof value === 'boolean') size += 1;
    else if (isInt32(value)) size += 4;
    else return NOT_ENCODED;
  }
  return size;
}

function writeHeaderFrame(
  buffer: Buffer,
  start: number,
  channel: number,
  bodySize: number,
  p: BuiltProperties,
): number {
  buffer[start] = FRAME_HEADER;
  writeUInt16(buffer, start + 1, channel);
  writeUInt16(buffer, start + 7, BASIC_CLASS);
  writeUInt16(buffer, start + 9, 0); // weight
  writeUInt64(buffer, start + 11, bodySize);
  let flags = 0;
  let offset = start + 21;
  if (p.contentType != null) {
    flags |= CONTENT_TYPE;
    offset = writeShortString(buffer, offset, p.contentType);
  }
  if (p.contentEncoding != null) {
    flags |= CONTENT_ENCODING;
    offset = writeShortString(buffer, offset, p.contentEncoding);
  }
  // amqplib always sends a header table, an empty one when there are no headers.
  flags |= HEADERS;
  offset = writeTable(buffer, offset, p.headers);
  const deliveryMode = deliveryModeOf(p);
  if (deliveryMode !== undefined) {
    flags |= DELIVERY_MODE;
    buffer[offset++] = deliveryMode;
  }
  if (p.priority != null) {
    flags |= PRIORITY;
    buffer[offset++] = p.priority;
  }
  if (p.correlationId != null) {
    flags |= CORRELATION_ID;
    offset = writeShortString(buffer, offset, p.correlationId);
  }
  if (p.replyTo != null) {
    flags |= REPLY_TO;
    offset = writeShortString(buffer, offset, p.replyTo);
  }
  if (p.expiration !== undefined) {
    flags |= EXPIRATION;
    offset = writeShortString(buffer, offset, String(p.expiration));
  }
  if (p.messageId != null) {
    flags |= MESSAGE_ID;
    offset = writeShortString(buffer, offset, p.messageId);
  }
  if (p.timestamp != null) {
    flags |= TIMESTAMP;
    writeUInt64(buffer, offset, p.timestamp);
    offset += 8;
  }
  if (p.type != null) {
    flags |= TYPE;
    offset = writeShortString(buffer, offset, p.type);
  }
  if (p.userId != null) {
    flags |= USER_ID;
    offset = writeShortString(buffer, offset, p.userId);
  }
  if (p.appId != null) {
    flags |= APP_ID;
    offset = writeShortString(buffer, offset, p.appId);
  }
  writeUInt16(buffer, start + 19, flags);
  buffer[offset] = FRAME_END;
  writeUInt32(buffer, start + 3, offset - start - 7);
  return offset + 1;
}

function writeBodyFrame(
  buffer: Buffer,
  start: number,
  channel: number,
  content: Buffer,
  from: number,
  to: number,
): number {
  buffer[start] = FRAME_BODY;
  writeUInt16(buffer, start + 1, channel);
  writeUInt32(buffer, start + 3, to - from);
  const end = start + 7 + content.copy(buffer, start + 7, from, to);
  buffer[end] = FRAME_END;
  return end + 1;
}

function writeTable(buffer: Buffer, start: number, headers: Record<string, unknown>): number {
  let offset = start + 4;
  if (headers !== undefined && headers !== null) {
    // for..in, like amqplib: inherited enumerable keys are headers too.
    for (const key in headers) {
      const value = headers[key];
      if (value === undefined) continue;
      offset = writeShortString(buffer, offset, key);
      if (typeof value === 'string') {
        buffer[offset] = 0x53; // 'S' longstr
        const length = writeUtf8(buffer, offset + 5, value);
        writeUInt32(buffer, offset + 1, length);
        offset += 5 + length;
      } else if (typeof value === 'boolean') {
        buffer[offset] = 0x74; // 't'
        buffer[offset + 1] = value ? 1 : 0;
        offset += 2;
      } else {
        // Integers take the smallest signed type that holds them, as amqplib chooses.
        const n = value as number;
        if (n >= -0x80 && n < 0x80) {
          buffer[offset] = 0x62; // 'b'
          buffer.writeInt8(n, offset + 1);
          offset += 2;
        } else if (n >= -0x8000 && n < 0x8000) {
          buffer[offset] = 0x73; // 's'
          buffer.writeInt16BE(n, offset + 1);
          offset += 3;
        } else {
          buffer[offset] = 0x49; // 'I'
          buffer.writeInt32BE(n, offset + 1);
          offset += 5;
        }
      }
    }
  }
  writeUInt32(buffer, start, offset - start - 4);
  return offset;
}

/** Writes a shortstr: length octet + UTF-8 (at most 255 bytes, see isShortString). */
function writeShortString(buffer: Buffer, offset: number, value: string): number {
  const length = writeUtf8(buffer, offset + 1, value);
  buffer[offset] = length;
  return offset + 1 + length;
}

/** Writes `value` as UTF-8 at `offset` and returns its byte length. */
function writeUtf8(buffer: Buffer, offset: number, value: string): number {
  // ASCII byte by byte: ids, types and names almost always are, and for strings
  // this short a loop beats Buffer#write's argument handling and native call.
  const units = value.length;
  let i = 0;
  for (; i < units; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) return i + buffer.write(value.slice(i), offset + i, 'utf8');
    buffer[offset + i] = code;
  }
  return units;
}

function writeUInt16(buffer: Buffer, offset: number, value: number): void {
  buffer[offset] = value >>> 8;
  buffer[offset + 1] = value & 0xff;
}

function writeUInt32(buffer: Buffer, offset: number, value: number): void {
  buffer[offset] = value >>> 24;
  buffer[offset + 1] = (value >>> 16) & 0xff;
  buffer[offset + 2] = (value >>> 8) & 0xff;
  buffer[offset + 3] = value & 0xff;
}

function writeUInt64(buffer: Buffer, offset: number, value: number): void {
  writeUInt32(buffer, offset, Math.floor(value / 0x1_0000_0000));
  writeUInt32(buffer, offset + 4, value >>> 0);
}

/** amqplib's rule: `persistent` wins, then a numeric `deliveryMode`, then a truthy one means 2. */
function deliveryModeOf(p: BuiltProperties): number | undefined {
  if (p.persistent !== undefined) return p.persistent ? 2 : 1;
  if (typeof p.deliveryMode === 'number') return p.deliveryMode;
  return p.deliveryMode ? 2 : undefined;
}

/** Fits a shortstr (at most 255 UTF-8 bytes); longer ones are amqplib's to refuse. */
function isShortString(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (value.length <= SHORTSTR_UNITS || (value.length <= 255 && Buffer.byteLength(value) <= 255))
  );
}

function isOctet(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;
}

function isInt32(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= -0x8000_0000 &&
    value < 0x8000_0000
  );
}
