import { Injectable } from '@nestjs/common';
import { MessagingRegistrar, Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TestApps } from '../support/test-apps';

// The broker cancels a consumer (basic.cancel) when its queue is deleted. The
// connection stays up, so waiting for the next reconnect could mean waiting
// for days: the consumer says so in the log, declares the topology again (the
// queue and its bindings are the application's, declared on every connect
// anyway) and re-attaches at once.
describeEachBroker('failure: the broker cancels a consumer', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('logs the cancel, re-declares the deleted queue with its binding and consumes again', async () => {
    const exchange = uniqueName('cancel.events');
    const queue = uniqueName('cancel.deleted');
    const got: number[] = [];

    @Injectable()
    class Collector {
      @Subscribe({ queue, exchange: { name: exchange, type: 'topic' }, routingKey: 'ev.#' })
      async collect(payload: { n: number }) {
        got.push(payload.n);
      }
    }

    const app = await apps.start([Collector], { reconnect: { initialMs: 50, maxMs: 300 } });
    const registrar = app.get(MessagingRegistrar);
    await app.publisher.publish(exchange, 'ev.one', { n: 1 });
    await eventually(() => expect(got).toEqual([1]));

    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run((c) => c.deleteQueue(queue));
      await eventually(() =>
        expect(apps.logs.errors()).toContainEqual(
          expect.stringContaining(`the broker cancelled the consumer of queue '${queue}'`),
        ),
      );

      await eventually(() => expect(app.connections.metrics.consumerReattaches).toBe(1));
      expect(registrar.isConsuming(queue)).toBe(true);
      // Through the re-declared binding, on the same connection.
      await app.publisher.publish(exchange, 'ev.two', { n: 2 });
      await eventually(() => expect(got).toEqual([1, 2]));
      expect(app.connections.metrics.connects).toBe(1);
      expect(await raw.messageCount(queue)).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('does not bring back a consumer the application paused when its queue is deleted', async () => {
    const queue = uniqueName('cancel.paused');

    @Injectable()
    class Idle {
      @Subscribe({ queue })
      async handle() {}
    }

    const app = await apps.start([Idle], { reconnect: { initialMs: 50, maxMs: 300 } });
    const registrar = app.get(MessagingRegistrar);
    await registrar.pause(queue);
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run((c) => c.deleteQueue(queue));
      // Resuming is the application's call: it then finds the queue gone and declares it again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(registrar.isConsuming(queue)).toBe(false);
      expect(app.connections.metrics.consumerReattaches).toBe(0);
      await registrar.resume(queue);
      await eventually(() => expect(registrar.isConsuming(queue)).toBe(true));
      await app.publisher.publish('', queue, {});
      await eventually(async () => expect(await raw.messageCount(queue)).toBe(0));
    } finally {
      await raw.close();
    }
  });
});
