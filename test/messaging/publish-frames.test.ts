import type { GetMessage } from 'amqplib';
import { InvalidMessageError, type PublishOptions } from '@surety/messaging';
import { AmqplibFrameWriter } from '@surety/messaging/publishing/amqplib-frame-writer';
import { buildMessage } from '@surety/messaging/publishing/message-builder';
import { PublishFrameEncoder } from '@surety/messaging/publishing/publish-frame-encoder';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

/** What a consumer sees of a message, for comparing two deliveries. */
function seen(message: GetMessage) {
  const { headers, ...rest } = message.properties;
  return { properties: rest, headers: { ...headers }, content: message.content.toString('hex') };
}

// Publishes that exercise every path: Surety's own encoder (plain, every property,
// non-ASCII, a body over several frames) and amqplib's (a nested header table).
const cases: { payload: unknown; options: PublishOptions }[] = [
  { payload: { policyId: 'P-1' }, options: {} },
  {
    payload: { all: true },
    options: {
      type: 'policy.endorsed',
      correlationId: 'corr-1',
      priority: 3,
      expiration: 60_000,
      replyTo: 'nobody',
      persistent: false,
      headers: { 'x-surety-key': 'P-1', 'x-surety-seq': 70_000, flag: true },
    },
  },
  { payload: { text: 'Zoë 😀 — données' }, options: { type: 'política.emitida' } },
  { payload: { pad: 'z'.repeat(300_000) }, options: {} },
  { payload: { nested: true }, options: { headers: { table: { depth: 1 }, list: [1, 'a'] } } },
  { payload: Buffer.from([0, 1, 2, 255]), options: { headers: { ratio: 0.25 } } },
];

describeEachBroker('publish frames encoded by Surety', (broker) => {
  const apps = new TestApps(() => broker().url);
  let raw: RawAmqp;
  beforeEach(async () => {
    raw = await RawAmqp.open(broker().url);
  });
  afterEach(async () => {
    await apps.closeAll();
    await raw.connection.close();
  });

  it('amqplib still offers what the frame writer needs (else publishing silently slows down)', async () => {
    const channel = await raw.connection.createConfirmChannel();
    try {
      const writer = AmqplibFrameWriter.attach(channel);
      expect(writer).toBeDefined();
      expect(writer!.frameMax).toBeGreaterThanOrEqual(4096);
    } finally {
      await channel.close();
    }
  });

  it('delivers exactly what amqplib publishing the same message delivers, confirms matched across both encoders', async () => {
    const viaSurety = uniqueName('frames.surety');
    const viaAmqplib = uniqueName('frames.amqplib');
    const app = await apps.start([], {
      topology: { queues: [{ name: viaSurety }, { name: viaAmqplib }] },
    });
    try {
      // Concurrently, so frames of both encoders interleave on one confirm channel.
      const ids = await Promise.all(
        cases.map((c, i) =>
          app.publisher.publish('', viaSurety, c.payload, { ...c.options, messageId: `m-${i}` }),
        ),
      );
      expect(ids).toEqual(cases.map((_, i) => `m-${i}`));

      const channel = await raw.connection.createConfirmChannel();
      for (const [i, c] of cases.entries()) {
        const built = buildMessage('', viaAmqplib, c.payload, {
          type: viaSurety, // Surety's default type is the routing key
          ...c.options,
          messageId: `m-${i}`,
        });
        channel.publish('', viaAmqplib, built.content, built.properties);
      }
      await channel.waitForConfirms();
      await channel.close();

      const got = await raw.drain(viaSurety);
      const expected = await raw.drain(viaAmqplib);
      expect(got).toHaveLength(cases.length);
      // The timestamp is the publish second; align it before comparing.
      for (const [i, message] of got.entries()) {
        expected[i].properties.timestamp = message.properties.timestamp;
      }
      expect(got.map(seen)).toEqual(expected.map(seen));
      expect(got[3].content.length).toBeGreaterThan(300_000);
      expect(got[1].properties.headers).toEqual({
        'x-surety-key': 'P-1',
        'x-surety-seq': 70_000,
        flag: true,
      });
    } finally {
      await raw.run((c) => c.deleteQueue(viaSurety));
      await raw.run((c) => c.deleteQueue(viaAmqplib));
    }
  });

  it('frames written past amqplib keep its confirm count right, and a closed channel refuses them', async () => {
    const queue = uniqueName('frames.count');
    const channel = await raw.connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    const writer = AmqplibFrameWriter.attach(channel)!;
    const encoder = new PublishFrameEncoder(writer.channelNumber, writer.frameMax);
    const acks: number[] = [];
    channel.on('ack', (fields: { deliveryTag: number }) => acks.push(fields.deliveryTag));
    for (let i = 0; i < 5; i++) {
      const built = buildMessage('', queue, { i });
      if (i === 2) {
        // One through amqplib's publish in the middle: both number from one counter.
        channel.publish('', queue, built.content, built.properties);
      } else {
        writer.write(encoder.encode('', queue, built.content, built.properties)!);
      }
    }
    await channel.waitForConfirms();
    expect(Math.max(...acks)).toBe(5);
    expect(await raw.messageCount(queue)).toBe(5);

    await channel.close();
    const built = buildMessage('', queue, { late: true });
    expect(() => writer.write(encoder.encode('', queue, built.content, built.properties)!)).toThrow(
      /closed/i,
    );
    expect(await raw.messageCount(queue)).toBe(5);
    await raw.run((c) => c.deleteQueue(queue));
  });

  it('a property amqplib cannot encode fails that publish alone, at once; the next one goes through', async () => {
    const queue = uniqueName('frames.bad');
    const app = await apps.start([], { topology: { queues: [{ name: queue }] } });
    try {
      const bad = app.publisher.publish('', queue, { n: 1 }, { messageId: 'x'.repeat(300) });
      await expect(bad).rejects.toBeInstanceOf(InvalidMessageError);
      await expect(bad).rejects.toThrow(/up to 255/);
      const good = await app.publisher.publish('', queue, { n: 2 }, { messageId: 'fine' });
      expect(good).toBe('fine');
      const delivered = await raw.drain(queue);
      expect(delivered.map((m) => m.properties.messageId)).toEqual(['fine']);
    } finally {
      await raw.run((c) => c.deleteQueue(queue));
    }
  });
});
