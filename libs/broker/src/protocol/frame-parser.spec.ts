import fc from 'fast-check';
import { AmqpError } from './amqp-error';
import { FRAME_MIN_SIZE } from './constants';
import { encodeBodyFrames, encodeContentHeaderPayload, encodeHeaderFrame } from './content';
import { FrameParser } from './frame-parser';
import { encodeMethodFrame } from './method-codec';
import { ReplyCode } from './reply-code';

type Frame = [type: number, channel: number, payloadHex: string];

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A realistic stream: publish, header, two body frames, heartbeat, ack. */
const frames: Buffer[] = [
  encodeMethodFrame(1, 'basic.publish', { routingKey: 'q' }),
  encodeHeaderFrame(1, encodeContentHeaderPayload(60, 5000, { deliveryMode: 2 })),
  ...encodeBodyFrames(1, Buffer.alloc(5000, 0xab), FRAME_MIN_SIZE),
  hex('08 0000 00000000 ce'),
  encodeMethodFrame(7, 'basic.ack', { deliveryTag: 1 }),
];
const stream = Buffer.concat(frames);
const expected: Frame[] = frames.map((f) => [
  f[0]!,
  f.readUInt16BE(1),
  f.subarray(7, -1).toString('hex'),
]);

function parseChunks(chunks: Buffer[], maxFrameSize = FRAME_MIN_SIZE): Frame[] {
  const parser = new FrameParser(maxFrameSize);
  const out: Frame[] = [];
  for (const chunk of chunks) {
    parser.push(chunk, (type, channel, payload) =>
      out.push([type, channel, payload.toString('hex')]),
    );
  }
  expect(parser.pendingBytes).toBe(0);
  return out;
}

function parseError(bytes: Buffer, maxFrameSize = FRAME_MIN_SIZE, splitAt?: number): AmqpError {
  const parser = new FrameParser(maxFrameSize);
  const chunks =
    splitAt === undefined ? [bytes] : [bytes.subarray(0, splitAt), bytes.subarray(splitAt)];
  try {
    for (const chunk of chunks) parser.push(chunk, () => undefined);
  } catch (error) {
    if (error instanceof AmqpError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('FrameParser', () => {
  it('splits one chunk holding several frames', () => {
    expect(parseChunks([stream])).toEqual(expected);
  });

  it('hands over frames inside a chunk as views, without copying', () => {
    const parser = new FrameParser(FRAME_MIN_SIZE);
    const seen: Buffer[] = [];
    parser.push(stream, (_t, _c, payload) => seen.push(payload));
    for (const payload of seen) expect(payload.buffer).toBe(stream.buffer);
  });

  it('gives the same frames for every split point of the stream into two chunks', () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(parseChunks([stream.subarray(0, at), stream.subarray(at)])).toEqual(expected);
    }
  });

  it('gives the same frames when fed one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(parseChunks(bytes)).toEqual(expected);
  });

  it('gives the same frames for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 20 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(parseChunks(chunks)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds only the incomplete frame while waiting for the rest', () => {
    const parser = new FrameParser(FRAME_MIN_SIZE);
    const out: Frame[] = [];
    parser.push(stream.subarray(0, frames[0]!.length + 3), (type, channel, payload) =>
      out.push([type, channel, payload.toString('hex')]),
    );
    expect(out).toEqual(expected.slice(0, 1));
    expect(parser.pendingBytes).toBe(3);
  });

  describe('errors (501 frame error, connection level)', () => {
    it('rejects a wrong frame-end octet, in one chunk and across chunks', () => {
      const bad = Buffer.from(frames[0]!);
      bad[bad.length - 1] = 0x00;
      for (const split of [undefined, 3, 10, bad.length - 1]) {
        const error = parseError(bad, FRAME_MIN_SIZE, split);
        expect(error.code).toBe(ReplyCode.FrameError);
        expect(error.isConnectionError).toBe(true);
        expect(error.message).toMatch(/frame end octet is 0x00/);
      }
    });

    it('rejects a frame over frame_max from its header alone, before allocating', () => {
      const header = hex('03 0001 fffffff0');
      const error = parseError(header, FRAME_MIN_SIZE, 4);
      expect(error.code).toBe(ReplyCode.FrameError);
      expect(error.message).toMatch(/exceeds frame_max 4096/);
      const justOver = Buffer.concat([hex('03 0001 00000ff9'), Buffer.alloc(0xff9), hex('ce')]);
      expect(parseError(justOver).message).toMatch(/frame of 4097 bytes exceeds frame_max 4096/);
      const justFits = Buffer.concat([hex('03 0001 00000ff8'), Buffer.alloc(0xff8), hex('ce')]);
      expect(parseChunks([justFits])).toHaveLength(1);
    });

    it('applies a new frame_max to the frames after it', () => {
      const body = encodeBodyFrames(1, Buffer.alloc(10_000), 20_000)[0]!;
      expect(parseError(body).code).toBe(ReplyCode.FrameError);
      const parser = new FrameParser(FRAME_MIN_SIZE);
      parser.setMaxFrameSize(131_072);
      let seen = 0;
      parser.push(body, () => seen++);
      expect(seen).toBe(1);
      expect(() => parser.setMaxFrameSize(0)).toThrow(/frame_max must be an integer above 8/);
    });

    it('rejects an unknown frame type', () => {
      for (const type of [0, 4, 9, 65, 255]) {
        const error = parseError(hex(`${type.toString(16).padStart(2, '0')} 0000 00000000 ce`));
        expect(error.code).toBe(ReplyCode.FrameError);
        expect(error.message).toBe(`unknown frame type ${type}`);
      }
      // "AMQP" sent again mid-stream is type 0x41
      expect(parseError(hex('41 4d51 50000009 01')).message).toBe('unknown frame type 65');
    });

    it('never throws anything but AmqpError on random bytes (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (raw, split) => {
          const parser = new FrameParser(FRAME_MIN_SIZE);
          const bytes = Buffer.from(raw);
          try {
            parser.push(bytes.subarray(0, split), () => undefined);
            parser.push(bytes.subarray(split), () => undefined);
          } catch (error) {
            expect(error).toBeInstanceOf(AmqpError);
          }
          expect(parser.pendingBytes).toBeLessThanOrEqual(FRAME_MIN_SIZE);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
