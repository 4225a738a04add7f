import type { Socket } from 'node:net';
import {
  FrameType,
  WireWriter,
  writeBodyFrames,
  writeHeaderFrame,
  writeMethodFrame,
} from '../protocol';
import type { MethodInput, MethodName } from '../protocol';

/** Above this many bytes waiting in the socket, deliveries to the connection pause. */
export const SOCKET_HIGH_WATER = 1024 * 1024;
/** A flush smaller than this is copied out, so the big write buffer can be reused. */
const COPY_BELOW = 4096;
const WRITER_SIZE = 64 * 1024;

const HEARTBEAT_FRAME = Buffer.from([FrameType.Heartbeat, 0, 0, 0, 0, 0, 0, 0xce]);

/**
 * Everything a connection sends goes through here: frames are encoded straight
 * into one buffer and written with a single socket write per event-loop turn
 * (process.nextTick), instead of one syscall per frame.
 */
export class FrameOutput {
  private writer = new WireWriter();
  private scheduled = false;
  private closed = false;
  /** Called just before a flush, to let channels add coalesced confirms. */
  beforeFlush: (() => void) | undefined;
  bytesSent = 0;

  constructor(private readonly socket: Socket) {}

  /** True while the socket has room (deliveries stop when it does not). */
  get writable(): boolean {
    return !this.closed && this.socket.writableLength < SOCKET_HIGH_WATER;
  }

  method<N extends MethodName>(channel: number, name: N, args: MethodInput[N]): void {
    writeMethodFrame(this.writer, channel, name, args);
    this.schedule();
  }

  /** A content-carrying method with its header (raw payload) and body frames. */
  content<N extends MethodName>(
    channel: number,
    name: N,
    args: MethodInput[N],
    header: Buffer,
    body: Buffer,
    frameMax: number,
  ): void {
    const w = this.writer;
    writeMethodFrame(w, channel, name, args);
    writeHeaderFrame(w, channel, header);
    if (body.length > 0) writeBodyFrames(w, channel, body, frameMax);
    this.schedule();
  }

  heartbeat(): void {
    this.writer.bytes(HEARTBEAT_FRAME);
    this.schedule();
  }

  /** Makes sure a flush runs this turn (beforeFlush may have something to add). */
  requestFlush(): void {
    this.schedule();
  }

  raw(bytes: Buffer): void {
    this.writer.bytes(bytes);
    this.schedule();
  }

  /** Writes what is pending now (used before closing the socket). */
  flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    this.beforeFlush?.();
    const w = this.writer;
    if (w.pos === 0) return;
    let out: Buffer;
    if (w.pos < COPY_BELOW) {
      out = w.take();
      w.reset();
    } else {
      // hand the buffer itself to the socket (no copy) and start a fresh one
      out = w.buf.subarray(0, w.pos);
      this.writer = new WireWriter();
      if (out.length < WRITER_SIZE) this.writer.ensure(WRITER_SIZE);
    }
    this.bytesSent += out.length;
    this.socket.write(out);
  }

  close(): void {
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.flushNow);
  }

  private readonly flushNow = (): void => {
    if (this.scheduled) this.flush();
  };
}
