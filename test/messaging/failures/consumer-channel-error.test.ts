import { Injectable, Logger } from '@nestjs/common';
import { ConnectionManager, MessagingRegistrar, Subscribe } from '@surety/messaging';
import { QueueConsumer } from '@surety/messaging/consuming/queue-consumer';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TestApps } from '../support/test-apps';

const FAST = { initialMs: 50, maxMs: 300 };

// A channel error closes only the consumer's channel; the connection, and so
// the reconnect that would re-attach everything, stays up. The consumer must
// come back on a new channel by itself, with backoff, instead of going quiet.
describeEachBroker('failure: a consumer channel closes while the connection stays up', (broker) => {
  let raw: RawAmqp;
  const apps = new TestApps(() => broker().url);
  beforeEach(async () => {
    raw = await RawAmqp.open(broker().url);
  });
  afterEach(async () => {
    await apps.closeAll();
    await raw.close();
  });

  it('re-opens its channel and goes on after the broker closed it for a channel error', async () => {
    const queue = uniqueName('channel-error.double-ack');
    await raw.run((c) => c.assertQueue(queue));
    Logger.overrideLogger(apps.logs); // no Nest app here: collect the consumer's log directly
    const connections = new ConnectionManager({ urls: [broker().url], reconnect: FAST });
    const got: number[] = [];
    // The channel error is provoked for real: message 1 is acked twice, and the broker
    // answers the unknown delivery tag with channel.close 406 PRECONDITION_FAILED.
    const consumer = new QueueConsumer(
      connections,
      { queue, prefetch: 5, concurrency: 5, reattach: FAST },
      async (message, channel) => {
        const { n } = JSON.parse(message.content.toString()) as { n: number };
        got.push(n);
        channel.ack(message);
        if (n === 1) channel.ack(message);
      },
    );
    connections.addHook(consumer);
    await connections.start();
    try {
      await eventually(() => expect(consumer.active).toBe(true));
      await raw.run(async (c) => c.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 1 }))));
      await eventually(() => expect(connections.metrics.consumerReattaches).toBe(1));
      expect(consumer.active).toBe(true);
      expect(apps.logs.errors()).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `channel consuming queue '${queue}' failed: .*406.*re-attaches on a new channel`,
          ),
        ),
      );

      await raw.run(async (c) => {
        c.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 2 })));
        c.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 3 })));
      });
      await eventually(() => expect(got).toEqual([1, 2, 3]));
      await eventually(async () => expect(await raw.messageCount(queue)).toBe(0));
      // Recovered on the same connection: no reconnect was needed.
      expect(connections.metrics.connects).toBe(1);
      expect(connections.metrics.disconnects).toBe(0);
    } finally {
      await consumer.stop(1_000);
      await connections.close();
      await raw.run((c) => c.deleteQueue(queue)).catch(() => undefined);
    }
  });

  it('keeps trying to attach, with backoff, while another client holds the queue exclusively', async () => {
    const queue = uniqueName('channel-error.exclusive');
    const got: string[] = [];

    @Injectable()
    class Collector {
      @Subscribe({ queue })
      async collect(payload: { text: string }) {
        got.push(payload.text);
      }
    }

    // Someone else consumes the queue exclusively: our basic.consume is refused
    // with 403 ACCESS_REFUSED, which closes the channel it was sent on.
    await raw.run((c) => c.assertQueue(queue));
    const holder = await raw.connection.createChannel();
    const { consumerTag } = await holder.consume(queue, () => undefined, { exclusive: true });

    const app = await apps.start([Collector], { reconnect: FAST });
    const registrar = app.get(MessagingRegistrar);
    await eventually(() =>
      expect(
        apps.logs.errors().filter((e) => e.includes(`could not consume queue '${queue}'`)).length,
      ).toBeGreaterThanOrEqual(2),
    );
    expect(registrar.isConsuming(queue)).toBe(false);

    await holder.cancel(consumerTag);
    await holder.close();
    await eventually(() => expect(registrar.isConsuming(queue)).toBe(true));
    await app.publisher.publish('', queue, { text: 'after' });
    await eventually(() => expect(got).toEqual(['after']));
    expect(app.connections.metrics.connects).toBe(1);
  });
});
