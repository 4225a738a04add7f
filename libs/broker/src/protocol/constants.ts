/** The 8 octets a client sends first: "AMQP", 0, then protocol 0-9-1. */
export const PROTOCOL_HEADER: Buffer = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** Every frame ends with this octet; anything else means the stream is out of sync. */
export const FRAME_END = 0xce;

/** The smallest frame_max a peer may negotiate (spec constant FRAME-MIN-SIZE). */
export const FRAME_MIN_SIZE = 4096;

/** type (1) + channel (2) + size (4) before the payload, and the end octet after it. */
export const FRAME_HEADER_SIZE = 7;
export const FRAME_OVERHEAD = FRAME_HEADER_SIZE + 1;

export enum FrameType {
  Method = 1,
  Header = 2,
  Body = 3,
  Heartbeat = 8,
}
