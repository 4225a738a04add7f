/**
 * Reads the few basic properties routing and queueing need straight from the raw
 * content-header payload, without decoding the rest. This runs once per published
 * message, so it avoids allocating anything but the strings it returns.
 *
 * Payload layout: class-id(2) weight(2) body-size(8) property-flags(2) then the
 * present properties in flag order (bit 15 first).
 */
export interface PeekedProperties {
  deliveryMode: number;
  priority: number;
  /** Offset and length of the headers table's contents (after its length prefix); length 0 = none/empty. */
  headersOffset: number;
  headersLength: number;
  expiration: string | undefined;
  replyTo: string | undefined;
  userId: string | undefined;
}

const FLAG_CONTENT_TYPE = 1 << 15;
const FLAG_CONTENT_ENCODING = 1 << 14;
const FLAG_HEADERS = 1 << 13;
const FLAG_DELIVERY_MODE = 1 << 12;
const FLAG_PRIORITY = 1 << 11;
const FLAG_CORRELATION_ID = 1 << 10;
const FLAG_REPLY_TO = 1 << 9;
const FLAG_EXPIRATION = 1 << 8;
const FLAG_MESSAGE_ID = 1 << 7;
const FLAG_TIMESTAMP = 1 << 6;
const FLAG_TYPE = 1 << 5;
const FLAG_USER_ID = 1 << 4;

/** Offset of the property flags in a content-header payload. */
export const PROPERTY_FLAGS_OFFSET = 12;

export function peekProperties(raw: Buffer): PeekedProperties {
  const flags = raw.readUInt16BE(PROPERTY_FLAGS_OFFSET);
  const out: PeekedProperties = {
    deliveryMode: 0,
    priority: 0,
    headersOffset: 0,
    headersLength: 0,
    expiration: undefined,
    replyTo: undefined,
    userId: undefined,
  };
  let p = PROPERTY_FLAGS_OFFSET + 2;
  if (flags & FLAG_CONTENT_TYPE) p += 1 + raw[p]!;
  if (flags & FLAG_CONTENT_ENCODING) p += 1 + raw[p]!;
  if (flags & FLAG_HEADERS) {
    const length = raw.readUInt32BE(p);
    out.headersOffset = p + 4;
    out.headersLength = length;
    p += 4 + length;
  }
  if (flags & FLAG_DELIVERY_MODE) out.deliveryMode = raw[p++]!;
  if (flags & FLAG_PRIORITY) out.priority = raw[p++]!;
  if (flags & FLAG_CORRELATION_ID) p += 1 + raw[p]!;
  if (flags & FLAG_REPLY_TO) {
    const length = raw[p]!;
    out.replyTo = raw.toString('utf8', p + 1, p + 1 + length);
    p += 1 + length;
  }
  if (flags & FLAG_EXPIRATION) {
    const length = raw[p]!;
    out.expiration = raw.toString('utf8', p + 1, p + 1 + length);
    p += 1 + length;
  }
  if (!(flags & FLAG_USER_ID)) return out;
  if (flags & FLAG_MESSAGE_ID) p += 1 + raw[p]!;
  if (flags & FLAG_TIMESTAMP) p += 8;
  if (flags & FLAG_TYPE) p += 1 + raw[p]!;
  const length = raw[p]!;
  out.userId = raw.toString('utf8', p + 1, p + 1 + length);
  return out;
}

/** Body size field of a content-header payload (a 64-bit integer; we cap at 2^53). */
export function headerBodySize(raw: Buffer): number {
  return raw.readUInt32BE(4) * 0x1_0000_0000 + raw.readUInt32BE(8);
}
