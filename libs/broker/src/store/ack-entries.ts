import { crc32 } from 'node:zlib';

/**
 * An ack file lists, for its segment, the record positions removed and the records
 * delivered at least once, 8 bytes each: u32 word | u32 crc32(word bytes). The word is
 * the position, with DELIVERED_FLAG set for a first-delivery mark (positions stay
 * below 1 GiB, so the top bit is free; an older reader takes a mark for the removal of
 * a position no record has, which is harmless). The check word means a damaged entry
 * is ignored (at worst a redelivery, or a lost flag) instead of silently removing some
 * other message.
 */
export const ACK_ENTRY_SIZE = 8;
export const DELIVERED_FLAG = 0x80000000;

/** Removals first, then first-delivery marks (order does not matter: a removal wins). */
export function encodeAckEntries(
  removed: readonly number[],
  delivered: ReadonlySet<number> | undefined = undefined,
): Buffer {
  const count = removed.length + (delivered?.size ?? 0);
  const buf = Buffer.allocUnsafe(count * ACK_ENTRY_SIZE);
  let at = 0;
  const put = (word: number) => {
    buf.writeUInt32BE(word >>> 0, at);
    buf.writeUInt32BE(crc32(buf.subarray(at, at + 4)), at + 4);
    at += ACK_ENTRY_SIZE;
  };
  for (let i = 0; i < removed.length; i++) put(removed[i]!);
  if (delivered !== undefined) for (const position of delivered) put(position | DELIVERED_FLAG);
  return buf;
}

export interface DecodedAcks {
  positions: Set<number>;
  /** Records delivered at least once before (RabbitMQ's redelivered flag after a restart). */
  delivered: Set<number>;
  /** Entries whose check word did not match (offsets in the file). */
  corruptOffsets: number[];
  /** Bytes of a torn trailing entry (a crash mid-write), ignored. */
  tornBytes: number;
}

export function decodeAckEntries(buf: Buffer): DecodedAcks {
  const positions = new Set<number>();
  const delivered = new Set<number>();
  const corruptOffsets: number[] = [];
  const whole = buf.length - (buf.length % ACK_ENTRY_SIZE);
  for (let at = 0; at < whole; at += ACK_ENTRY_SIZE) {
    if (crc32(buf.subarray(at, at + 4)) === buf.readUInt32BE(at + 4)) {
      const word = buf.readUInt32BE(at);
      if (word >= DELIVERED_FLAG) delivered.add(word - DELIVERED_FLAG);
      else positions.add(word);
    } else {
      corruptOffsets.push(at);
    }
  }
  return { positions, delivered, corruptOffsets, tornBytes: buf.length - whole };
}
