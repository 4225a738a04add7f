import { frameError } from './amqp-error';
import { FRAME_END, FRAME_HEADER_SIZE, FRAME_OVERHEAD, FrameType } from './constants';

export type FrameHandler = (type: number, channel: number, payload: Buffer) => void;

/**
 * Byte-level frame splitter: feed it socket chunks, it calls back once per
 * complete frame.
 *
 * Frames wholly inside a chunk are handed over as views of that chunk, with no
 * copy. A frame that spans chunks is assembled exactly once: when its 7-octet
 * header is known (and its size checked against frame_max, so hostile sizes
 * never allocate) one buffer of that size is allocated and each later chunk is
 * copied into it once. Input is never re-concatenated, so a large frame
 * arriving in many small reads costs O(n), not O(n^2).
 *
 * Errors are AmqpError 501 (bad frame-end octet, frame over frame_max, unknown
 * frame type); after one the stream is out of sync and the connection must close.
 */
export class FrameParser {
  private maxPayload = 0;
  /** header octets collected while the header itself is split across chunks */
  private readonly header = Buffer.alloc(FRAME_HEADER_SIZE);
  private headerFill = 0;
  /** payload + end octet of a frame spanning chunks */
  private partial: Buffer | null = null;
  private partialFill = 0;
  private partialType = 0;
  private partialChannel = 0;

  constructor(maxFrameSize: number) {
    this.setMaxFrameSize(maxFrameSize);
  }

  /** The negotiated frame_max: the largest whole frame, header and end octet included. */
  setMaxFrameSize(maxFrameSize: number): void {
    if (!Number.isInteger(maxFrameSize) || maxFrameSize <= FRAME_OVERHEAD) {
      throw new RangeError(
        `frame_max must be an integer above ${FRAME_OVERHEAD}, got ${maxFrameSize}`,
      );
    }
    this.maxPayload = maxFrameSize - FRAME_OVERHEAD;
  }

  /** Bytes held for an incomplete frame (bounded by frame_max). */
  get pendingBytes(): number {
    return this.headerFill + this.partialFill;
  }

  push(chunk: Buffer, onFrame: FrameHandler): void {
    let p = 0;
    if (this.headerFill > 0 || this.partial !== null) {
      p = this.continuePartial(chunk, onFrame);
      if (p < 0) return;
    }
    const len = chunk.length;
    while (len - p >= FRAME_HEADER_SIZE) {
      const type = chunk[p]!;
      const channel = chunk.readUInt16BE(p + 1);
      const size = chunk.readUInt32BE(p + 3);
      this.check(type, size);
      const endAt = p + FRAME_HEADER_SIZE + size;
      if (endAt >= len) {
        this.startPartial(type, channel, size);
        this.fillPartial(chunk, p + FRAME_HEADER_SIZE);
        return;
      }
      if (chunk[endAt] !== FRAME_END) throw badEnd(chunk[endAt]!);
      onFrame(type, channel, chunk.subarray(p + FRAME_HEADER_SIZE, endAt));
      p = endAt + 1;
    }
    if (p < len) this.headerFill = chunk.copy(this.header, 0, p);
  }

  /** Continues a split header or frame; returns where whole frames resume in `chunk`, or -1. */
  private continuePartial(chunk: Buffer, onFrame: FrameHandler): number {
    let p = 0;
    if (this.headerFill > 0) {
      p = chunk.copy(this.header, this.headerFill, 0, FRAME_HEADER_SIZE - this.headerFill);
      this.headerFill += p;
      if (this.headerFill < FRAME_HEADER_SIZE) return -1;
      this.headerFill = 0;
      const type = this.header[0]!;
      const size = this.header.readUInt32BE(3);
      this.check(type, size);
      this.startPartial(type, this.header.readUInt16BE(1), size);
    }
    p = this.fillPartial(chunk, p);
    const frame = this.partial!;
    if (this.partialFill < frame.length) return -1;
    this.partial = null;
    this.partialFill = 0;
    const end = frame[frame.length - 1]!;
    if (end !== FRAME_END) throw badEnd(end);
    onFrame(this.partialType, this.partialChannel, frame.subarray(0, frame.length - 1));
    return p;
  }

  private startPartial(type: number, channel: number, size: number): void {
    this.partial = Buffer.allocUnsafe(size + 1);
    this.partialFill = 0;
    this.partialType = type;
    this.partialChannel = channel;
  }

  /** Copies what the partial frame still lacks from `chunk` at `from`; returns the next position. */
  private fillPartial(chunk: Buffer, from: number): number {
    const frame = this.partial!;
    const copied = chunk.copy(
      frame,
      this.partialFill,
      from,
      from + frame.length - this.partialFill,
    );
    this.partialFill += copied;
    return from + copied;
  }

  private check(type: number, size: number): void {
    if (
      type !== FrameType.Method &&
      type !== FrameType.Header &&
      type !== FrameType.Body &&
      type !== FrameType.Heartbeat
    ) {
      throw frameError(`unknown frame type ${type}`);
    }
    if (size > this.maxPayload) {
      throw frameError(
        `frame of ${size + FRAME_OVERHEAD} bytes exceeds frame_max ${this.maxPayload + FRAME_OVERHEAD}`,
      );
    }
  }
}

function badEnd(octet: number): Error {
  return frameError(`frame end octet is 0x${octet.toString(16).padStart(2, '0')}, expected 0xce`);
}
