import { frameError, syntaxError } from './amqp-error';
import { FRAME_END, FRAME_HEADER_SIZE, FRAME_OVERHEAD, FrameType } from './constants';
import {
  readBasicProperties,
  writeBasicProperties,
  type BasicProperties,
} from './generated/basic-properties';
import { writeMethodFrame, type MethodInput, type MethodName } from './generated/methods';
import { WireWriter, scratchWriter } from './wire-writer';

/** class-id (2), weight (2), body-size (8), then the first property-flag word. */
const PROPERTY_FLAGS_OFFSET = 12;
const TWO_POW_32 = 0x1_0000_0000;
/** The weight field follows the class id in a content-header payload. */
const HEADER_WEIGHT_OFFSET = 2;

export interface ContentHeader {
  readonly classId: number;
  readonly bodySize: number;
  readonly propertyFlags: number;
  /**
   * The whole header payload, to forward untouched when the properties do not
   * change. A view of the frame payload: copy it before keeping it past the
   * frame callback.
   */
  readonly raw: Buffer;
}

/**
 * Reads the fixed part of a content header; the properties are decoded only on
 * demand (as RabbitMQ does). A header too short for its fixed part is a 501
 * frame error, as RabbitMQ answers it; bad properties are a 502 syntax error.
 */
export function decodeContentHeader(payload: Buffer): ContentHeader {
  if (payload.length < PROPERTY_FLAGS_OFFSET + 2) {
    throw frameError(`content header of ${payload.length} bytes is shorter than its fixed part`);
  }
  const hi = payload.readUInt32BE(4);
  // a body of 2^53 bytes or more cannot be a real message; say so instead of losing precision
  if (hi >= 0x20_0000) throw frameError('content header declares an impossible body size');
  return {
    classId: payload.readUInt16BE(0),
    bodySize: hi * TWO_POW_32 + payload.readUInt32BE(8),
    propertyFlags: payload.readUInt16BE(PROPERTY_FLAGS_OFFSET),
    raw: payload,
  };
}

/** The basic properties of a content header payload (`raw` of decodeContentHeader). */
export function decodeBasicProperties(raw: Buffer): BasicProperties {
  if (raw.length < PROPERTY_FLAGS_OFFSET + 2) {
    throw syntaxError('content header is shorter than its fixed part');
  }
  return readBasicProperties(raw, PROPERTY_FLAGS_OFFSET);
}

export function encodeContentHeaderPayload(
  classId: number,
  bodySize: number,
  props: BasicProperties,
): Buffer {
  const w = scratchWriter.reset();
  writeContentHeaderPayload(w, classId, bodySize, props);
  return w.take();
}

function writeContentHeaderPayload(
  w: WireWriter,
  classId: number,
  bodySize: number,
  props: BasicProperties,
): void {
  w.short(classId);
  w.short(0); // weight, unused
  w.longlong(bodySize);
  writeBasicProperties(w, props);
}

/** A header frame around an already encoded header payload. */
export function encodeHeaderFrame(channel: number, headerPayload: Buffer): Buffer {
  const w = scratchWriter.reset();
  writeHeaderFrame(w, channel, headerPayload);
  return w.take();
}

export function writeHeaderFrame(w: WireWriter, channel: number, headerPayload: Buffer): void {
  const start = w.beginFrame(FrameType.Header, channel);
  w.bytes(headerPayload);
  // The weight must be zero on the wire; the broker keeps a private mark there
  // (model/message.ts, BROKER_DEATHS_MARK) that must not reach a peer.
  if (headerPayload.length >= HEADER_WEIGHT_OFFSET + 2) {
    w.buf.writeUInt16BE(0, start + FRAME_HEADER_SIZE + HEADER_WEIGHT_OFFSET);
  }
  w.endFrame(start);
}

/** The body split into frames of at most `frameMax` octets each (none for an empty body). */
export function encodeBodyFrames(channel: number, body: Buffer, frameMax: number): Buffer[] {
  const room = bodyRoom(frameMax);
  const frames: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += room) {
    const w = scratchWriter.reset();
    writeBodyFrame(w, channel, body.subarray(offset, Math.min(body.length, offset + room)));
    frames.push(w.take());
  }
  return frames;
}

export function writeBodyFrames(
  w: WireWriter,
  channel: number,
  body: Buffer,
  frameMax: number,
): void {
  const room = bodyRoom(frameMax);
  for (let offset = 0; offset < body.length; offset += room) {
    writeBodyFrame(w, channel, body.subarray(offset, Math.min(body.length, offset + room)));
  }
}

function writeBodyFrame(w: WireWriter, channel: number, chunk: Buffer): void {
  const start = w.beginFrame(FrameType.Body, channel);
  w.bytes(chunk);
  w.endFrame(start);
}

function bodyRoom(frameMax: number): number {
  if (!(frameMax > FRAME_OVERHEAD))
    throw new RangeError(`frameMax ${frameMax} leaves no room for a body`);
  return frameMax - FRAME_OVERHEAD;
}

/**
 * A content-carrying method (basic.deliver, basic.get-ok, basic.return,
 * basic.publish) with its header and body frames in one buffer: one allocation
 * and one socket write per message on the delivery path.
 */
export function encodeContentFrames<N extends ContentMethodName>(
  channel: number,
  name: N,
  args: MethodInput[N],
  headerPayload: Buffer,
  body: Buffer,
  frameMax: number,
): Buffer {
  const w = scratchWriter.reset();
  writeMethodFrame(w, channel, name, args);
  writeHeaderFrame(w, channel, headerPayload);
  // the body is copied once, straight into the result, never through the scratch buffer
  const room = bodyRoom(frameMax);
  const frames = Math.ceil(body.length / room);
  const out = Buffer.allocUnsafe(w.pos + body.length + frames * FRAME_OVERHEAD);
  let at = w.buf.copy(out, 0, 0, w.pos);
  for (let offset = 0; offset < body.length; offset += room) {
    const end = Math.min(body.length, offset + room);
    out[at] = FrameType.Body;
    out.writeUInt16BE(channel, at + 1);
    out.writeUInt32BE(end - offset, at + 3);
    at += 7 + body.copy(out, at + 7, offset, end);
    out[at++] = FRAME_END;
  }
  return out;
}

export type ContentMethodName = Extract<
  MethodName,
  'basic.publish' | 'basic.return' | 'basic.deliver' | 'basic.get-ok'
>;
