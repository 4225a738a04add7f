import { crc32 } from 'node:zlib';

/**
 * An ack file lists the record positions removed from its segment, 8 bytes each:
 * u32 position | u32 crc32(position bytes). The check word means a damaged entry is
 * ignored (at worst a redelivery) instead of silently removing some other message.
 */
export const ACK_ENTRY_SIZE = 8;

export function encodeAckEntries(positions: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(positions.length * ACK_ENTRY_SIZE);
  for (let i = 0; i < positions.length; i++) {
    const at = i * ACK_ENTRY_SIZE;
    buf.writeUInt32BE(positions[i], at);
    buf.writeUInt32BE(crc32(buf.subarray(at, at + 4)), at + 4);
  }
  return buf;
}

export interface DecodedAcks {
  positions: Set<number>;
  /** Entries whose check word did not match (offsets in the file). */
  corruptOffsets: number[];
  /** Bytes of a torn trailing entry (a crash mid-write), ignored. */
  tornBytes: number;
}

export function decodeAckEntries(buf: Buffer): DecodedAcks {
  const positions = new Set<number>();
  const corruptOffsets: number[] = [];
  const whole = buf.length - (buf.length % ACK_ENTRY_SIZE);
  for (let at = 0; at < whole; at += ACK_ENTRY_SIZE) {
    if (crc32(buf.subarray(at, at + 4)) === buf.readUInt32BE(at + 4)) {
      positions.add(buf.readUInt32BE(at));
    } else {
      corruptOffsets.push(at);
    }
  }
  return { positions, corruptOffsets, tornBytes: buf.length - whole };
}
