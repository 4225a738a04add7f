import fc from 'fast-check';
import { AmqpError } from './amqp-error';
import {
  decodeBasicProperties,
  decodeContentHeader,
  encodeBodyFrames,
  encodeContentFrames,
  encodeContentHeaderPayload,
  encodeHeaderFrame,
} from './content';
import { FrameParser } from './frame-parser';
import type { BasicProperties } from './generated/basic-properties';
import { decodeMethod } from './generated/methods';
import { ReplyCode } from './reply-code';
import { fieldTableArbitrary } from './testing/arbitraries';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const shortstr = fc.string({ maxLength: 30 });
const propertiesArbitrary: fc.Arbitrary<BasicProperties> = fc.record(
  {
    contentType: shortstr,
    contentEncoding: shortstr,
    headers: fieldTableArbitrary,
    deliveryMode: fc.integer({ min: 0, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    correlationId: shortstr,
    replyTo: shortstr,
    expiration: shortstr,
    messageId: shortstr,
    timestamp: fc.bigInt(0n, 2n ** 64n - 1n),
    type: shortstr,
    userId: shortstr,
    appId: shortstr,
    clusterId: shortstr,
  },
  { requiredKeys: [] },
);

describe('content header and body frames', () => {
  it('encodes a header payload as the spec lays it out', () => {
    const payload = encodeContentHeaderPayload(60, 5, {
      contentType: 'text/plain',
      deliveryMode: 2,
    });
    // class 60, weight 0, body size 5, flags content-type (bit 15) | delivery-mode (bit 12)
    expect(payload).toEqual(hex('003c 0000 0000000000000005 9000 0a746578742f706c61696e 02'));
    expect(decodeContentHeader(payload)).toEqual({
      classId: 60,
      bodySize: 5,
      propertyFlags: 0x9000,
      raw: payload,
    });
    expect(decodeBasicProperties(payload)).toEqual({ contentType: 'text/plain', deliveryMode: 2 });
  });

  it('round-trips any basic properties (property)', () => {
    fc.assert(
      fc.property(propertiesArbitrary, fc.maxSafeNat(), (props, bodySize) => {
        const payload = encodeContentHeaderPayload(60, bodySize, props);
        expect(decodeContentHeader(payload).bodySize).toBe(bodySize);
        expect(decodeBasicProperties(payload)).toEqual(props);
      }),
      { numRuns: 500 },
    );
  });

  it('fails truncated properties with 502 (property)', () => {
    fc.assert(
      fc.property(propertiesArbitrary, (props) => {
        const payload = encodeContentHeaderPayload(60, 1, props);
        for (let cut = 0; cut < payload.length; cut++) {
          const truncated = Buffer.from(payload.subarray(0, cut));
          expect(() => decodeBasicProperties(truncated)).toThrow(AmqpError);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a header shorter than its fixed part or with an impossible body size', () => {
    expect(() => decodeContentHeader(hex('003c0000'))).toThrow(
      expect.objectContaining({ code: ReplyCode.FrameError }),
    );
    expect(() => decodeBasicProperties(hex('003c 0000 0000000000000001 8000 05 61'))).toThrow(
      expect.objectContaining({ code: ReplyCode.SyntaxError }),
    );
    expect(() => decodeContentHeader(hex('003c 0000 ffffffffffffffff 0000'))).toThrow(
      /impossible body size/,
    );
  });

  it('splits a body into frames of at most frame_max octets', () => {
    const body = Buffer.alloc(10_000, 7);
    const frames = encodeBodyFrames(3, body, 4096);
    expect(frames.map((f) => f.length)).toEqual([4096, 4096, 10_000 - 2 * 4088 + 8]);
    expect(Buffer.concat(frames.map((f) => f.subarray(7, -1)))).toEqual(body);
    expect(encodeBodyFrames(3, Buffer.alloc(0), 4096)).toEqual([]);
    expect(() => encodeBodyFrames(3, body, 8)).toThrow(/frameMax 8/);
  });

  it('writes method, header and body frames of a delivery in one buffer', () => {
    const header = encodeContentHeaderPayload(60, 9000, { deliveryMode: 2 });
    const body = Buffer.alloc(9000, 1);
    const out = encodeContentFrames(
      5,
      'basic.deliver',
      { consumerTag: 'c', deliveryTag: 1, exchange: 'x', routingKey: 'k' },
      header,
      body,
      4096,
    );
    const frames: [number, number, Buffer][] = [];
    new FrameParser(4096).push(out, (type, channel, payload) =>
      frames.push([type, channel, Buffer.from(payload)]),
    );
    expect(frames.map(([type, channel]) => [type, channel])).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [3, 5],
      [3, 5],
    ]);
    expect(decodeMethod(frames[0]![2]).name).toBe('basic.deliver');
    expect(frames[1]![2]).toEqual(header);
    expect(Buffer.concat(frames.slice(2).map((f) => f[2]))).toEqual(body);
    expect(encodeHeaderFrame(5, header)).toEqual(
      out.subarray(frames[0]![2].length + 8, frames[0]![2].length + 16 + header.length),
    );
  });
});
