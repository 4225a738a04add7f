import { crc32 } from 'node:zlib';
import type { PersistedMessage } from './types';

/**
 * One message record in a segment file:
 *
 *   u32 MAGIC | u32 crc32(len..end) | u32 len | payload (len bytes)
 *   payload = u16 queueKeyLen | queueKey | u8 exchangeLen | exchange |
 *             u8 routingKeyLen | routingKey | u32 headerLen | header | body
 *
 * The magic lets recovery find the next record after a corrupt one; the CRC covers
 * the length field too, so a damaged length is caught rather than trusted.
 */
export const RECORD_MAGIC = 0x53524d31; // "SRM1"
export const RECORD_FRAME_SIZE = 12;
const MIN_PAYLOAD = 2 + 1 + 1 + 4;
const MAX_SHORTSTR = 255;

/** Bytes a record for this message takes (frame included). */
export function recordSize(queueKeyBytes: Buffer, message: PersistedMessage): number {
  return (
    RECORD_FRAME_SIZE +
    MIN_PAYLOAD +
    queueKeyBytes.length +
    Buffer.byteLength(message.exchange) +
    Buffer.byteLength(message.routingKey) +
    message.header.length +
    message.body.length
  );
}

/**
 * Encodes the record into `target` at `offset` (the caller reserved recordSize bytes).
 * Returns the record length.
 */
export function encodeRecord(
  target: Buffer,
  offset: number,
  queueKeyBytes: Buffer,
  message: PersistedMessage,
): number {
  let p = offset + RECORD_FRAME_SIZE;
  p = target.writeUInt16BE(queueKeyBytes.length, p);
  p += queueKeyBytes.copy(target, p);
  p = writeShortString(target, p, message.exchange, 'exchange');
  p = writeShortString(target, p, message.routingKey, 'routing key');
  p = target.writeUInt32BE(message.header.length, p);
  p += message.header.copy(target, p);
  p += message.body.copy(target, p);
  const payloadLength = p - offset - RECORD_FRAME_SIZE;
  target.writeUInt32BE(RECORD_MAGIC, offset);
  target.writeUInt32BE(payloadLength, offset + 8);
  target.writeUInt32BE(crc32(target.subarray(offset + 8, p)), offset + 4);
  return p - offset;
}

function writeShortString(target: Buffer, p: number, value: string, what: string): number {
  const length = target.write(value, p + 1);
  if (length > MAX_SHORTSTR) {
    throw new RangeError(`${what} is longer than ${MAX_SHORTSTR} bytes: ${value.slice(0, 40)}...`);
  }
  target[p] = length;
  return p + 1 + length;
}

export type RecordCheck =
  | { ok: true; length: number }
  | { ok: false; reason: 'truncated' | 'bad-magic' | 'bad-length' | 'bad-crc' };

/** Validates the frame of the record starting at `offset` of `buf` (not its fields). */
export function checkRecord(buf: Buffer, offset: number): RecordCheck {
  if (buf.length - offset < RECORD_FRAME_SIZE) return { ok: false, reason: 'truncated' };
  if (buf.readUInt32BE(offset) !== RECORD_MAGIC) return { ok: false, reason: 'bad-magic' };
  const payloadLength = buf.readUInt32BE(offset + 8);
  if (payloadLength < MIN_PAYLOAD) return { ok: false, reason: 'bad-length' };
  const end = offset + RECORD_FRAME_SIZE + payloadLength;
  if (end > buf.length) return { ok: false, reason: 'truncated' };
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32BE(offset + 4)) {
    return { ok: false, reason: 'bad-crc' };
  }
  return { ok: true, length: end - offset };
}

export interface DecodedRecord {
  queueKey: string;
  message: PersistedMessage;
}

/**
 * Decodes a record whose frame checkRecord accepted. With `copy` the buffers are
 * copies (safe to keep while the source buffer is dropped); otherwise views.
 * Throws RangeError when the fields do not fit the payload.
 */
export function decodeRecord(buf: Buffer, offset: number, copy: boolean): DecodedRecord {
  const end = offset + RECORD_FRAME_SIZE + buf.readUInt32BE(offset + 8);
  let p = offset + RECORD_FRAME_SIZE;
  const keyLength = buf.readUInt16BE(p);
  p += 2;
  const queueKey = buf.toString('utf8', p, p + keyLength);
  p += keyLength;
  const exchangeLength = buf[p++];
  const exchange = buf.toString('utf8', p, p + exchangeLength);
  p += exchangeLength;
  const routingKeyLength = buf[p++];
  const routingKey = buf.toString('utf8', p, p + routingKeyLength);
  p += routingKeyLength;
  const headerLength = buf.readUInt32BE(p);
  p += 4;
  if (p + headerLength > end) throw new RangeError('record fields overrun its payload');
  const slice = (from: number, to: number) =>
    copy ? Buffer.from(buf.subarray(from, to)) : buf.subarray(from, to);
  const header = slice(p, p + headerLength);
  const body = slice(p + headerLength, end);
  return { queueKey, message: { exchange, routingKey, header, body } };
}
