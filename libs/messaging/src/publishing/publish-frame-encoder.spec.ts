import path from 'node:path';
import type { BuiltProperties } from './message-builder';
import { PublishFrameEncoder } from './publish-frame-encoder';

// amqplib's own encoders, reached by file path (its package exports hide them):
// if amqplib changes how it encodes a publish, these comparisons fail.
const amqplibDir = path.dirname(require.resolve('amqplib'));
/* eslint-disable @typescript-eslint/no-require-imports */
const defs = require(path.join(amqplibDir, 'lib/defs.js')) as {
  BasicPublish: number;
  BasicProperties: number;
  encodeMethod(id: number, channel: number, fields: object): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
};
const frame = require(path.join(amqplibDir, 'lib/frame.js')) as {
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
};
const apiArgs = require(path.join(amqplibDir, 'lib/api_args.js')) as {
  publish(exchange: string, routingKey: string, options: object): object;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const FRAME_MAX = 4096;

/** The bytes amqplib writes for channel.publish(exchange, routingKey, content, options). */
function amqplibBytes(
  channel: number,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: object,
): Buffer {
  const fields = apiArgs.publish(exchange, routingKey, options);
  const parts = [
    defs.encodeMethod(defs.BasicPublish, channel, fields),
    defs.encodeProperties(defs.BasicProperties, channel, content.length, fields),
  ];
  const maxBody = FRAME_MAX - 8;
  for (let offset = 0; offset < content.length; offset += maxBody) {
    parts.push(frame.makeBodyFrame(channel, content.subarray(offset, offset + maxBody)));
  }
  return Buffer.concat(parts);
}

function props(extra: Partial<BuiltProperties> = {}): BuiltProperties {
  return {
    messageId: '0192f1b6-8c1e-7a01-8b2c-3d4e5f607182',
    type: 'policy.issued',
    timestamp: 1_732_000_000,
    correlationId: '0192f1b6-8c1e-7a01-8b2c-3d4e5f607182',
    contentType: 'application/json',
    persistent: true,
    mandatory: true,
    headers: {},
    priority: undefined,
    expiration: undefined,
    replyTo: undefined,
    ...extra,
  };
}

describe('PublishFrameEncoder', () => {
  const content = Buffer.from(JSON.stringify({ policyId: 'P-1', pad: 'x'.repeat(200) }));

  it.each<[string, string, string, Buffer, Partial<BuiltProperties>]>([
    ['what every Surety message carries', 'policy.events', 'policy.issued', content, {}],
    ['the default exchange, an empty body', '', 'a.queue', Buffer.alloc(0), {}],
    [
      'every basic property',
      'ex',
      'rk',
      content,
      {
        contentEncoding: 'gzip',
        priority: 9,
        replyTo: 'amq.rabbitmq.reply-to',
        expiration: '60000',
        userId: 'guest',
        appId: 'underwriting',
        mandatory: false,
      },
    ],
    [
      'a numeric expiration, not persistent',
      'ex',
      'rk',
      content,
      { expiration: 1500, persistent: false },
    ],
    [
      'deliveryMode instead of persistent',
      'ex',
      'rk',
      content,
      { persistent: undefined, deliveryMode: 1 },
    ],
    ['neither persistent nor deliveryMode', 'ex', 'rk', content, { persistent: undefined }],
    [
      'headers of strings, booleans and integers of every width',
      'ex',
      'rk',
      content,
      {
        headers: {
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          'x-surety-key': 'P-000123',
          'x-surety-seq': 42,
          small: -128,
          short: 300,
          negativeShort: -32768,
          int: 2_000_000_000,
          negativeInt: -2_147_483_648,
          yes: true,
          no: false,
          skipped: undefined,
        },
      },
    ],
    [
      'non-ASCII text in names, properties and headers',
      'événements',
      'clé.ü',
      Buffer.from('{"name":"Zoë 😀"}'),
      { type: 'política.emitida', headers: { ключ: 'значение 😀' }, correlationId: '相关' },
    ],
    ['a body split over several frames', 'ex', 'rk', Buffer.alloc(3 * FRAME_MAX + 17, 7), {}],
    ['a body of exactly one full frame', 'ex', 'rk', Buffer.alloc(FRAME_MAX - 8, 1), {}],
    ['a timestamp above 32 bits', 'ex', 'rk', content, { timestamp: 2 ** 40 + 3 }],
    [
      'names of 255 bytes',
      'e'.repeat(255),
      'ü'.repeat(127),
      content,
      { messageId: 'm'.repeat(255) },
    ],
  ])('encodes %s exactly as amqplib does', (_title, exchange, routingKey, body, extra) => {
    const encoder = new PublishFrameEncoder(3, FRAME_MAX);
    const properties = props(extra);
    const frames = encoder.encode(exchange, routingKey, body, properties);
    expect(frames).toBeDefined();
    expect(Buffer.concat(frames!).toString('hex')).toBe(
      amqplibBytes(3, exchange, routingKey, body, properties).toString('hex'),
    );
  });

  it('stays exact across many messages sharing a slab and a cached method frame', () => {
    const encoder = new PublishFrameEncoder(1, 131_072);
    const out: Buffer[] = [];
    const expected: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const routingKey = i % 3 === 0 ? 'rk.a' : 'rk.b';
      const body = Buffer.from(JSON.stringify({ i, pad: 'y'.repeat(i % 300) }));
      const properties = props({ messageId: `id-${i}`, mandatory: i % 5 !== 0 });
      out.push(...encoder.encode('ex', routingKey, body, properties)!);
      expected.push(amqplibBytes(1, 'ex', routingKey, body, properties));
    }
    // Earlier frames must not be overwritten by later ones (they may still sit in a stream).
    expect(Buffer.concat(out).equals(Buffer.concat(expected))).toBe(true);
  });

  it.each<[string, string, Partial<BuiltProperties>]>([
    ['a nested table header', 'rk', { headers: { nested: { a: 1 } } }],
    ['an array header', 'rk', { headers: { list: ['a'] } }],
    ['a Buffer header', 'rk', { headers: { bytes: Buffer.from('x') } }],
    ['a floating-point header', 'rk', { headers: { ratio: 0.5 } }],
    ['a 64-bit integer header', 'rk', { headers: { big: 2 ** 40 } }],
    ['a null header', 'rk', { headers: { none: null } }],
    ['CC', 'rk', { CC: ['other'] }],
    ['a long messageId', 'rk', { messageId: 'm'.repeat(300) }],
    ['a routing key over 255 bytes', 'r'.repeat(256), {}],
    ['a type over 255 bytes', 'rk', { type: 'é'.repeat(128) }],
    ['a priority out of range', 'rk', { priority: 300 }],
    ['a fractional timestamp', 'rk', { timestamp: 1.5 }],
    ['a messageId that is not a string', 'rk', { messageId: 42 as unknown as string }],
    ['a null expiration', 'rk', { expiration: null as unknown as string }],
  ])('leaves %s to amqplib', (_title, routingKey, extra) => {
    const encoder = new PublishFrameEncoder(1, FRAME_MAX);
    expect(encoder.encode('ex', routingKey, content, props(extra))).toBeUndefined();
    // ...and the next ordinary message is still encoded exactly.
    const frames = encoder.encode('ex', 'rk', content, props());
    expect(Buffer.concat(frames!).equals(amqplibBytes(1, 'ex', 'rk', content, props()))).toBe(true);
  });
});
