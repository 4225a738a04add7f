import { Injectable } from '@nestjs/common';
import type { Channel } from 'amqplib';
import { Subscribe, UnroutableMessageError } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TcpProxy } from '../../support/tcp-proxy';
import { TestApps } from '../support/test-apps';

/** Resolves true when the entity exists (a passive declare on a throwaway channel). */
async function exists(raw: RawAmqp, check: (channel: Channel) => Promise<unknown>) {
  return raw.run(check).then(
    () => true,
    () => false,
  );
}

// A broker that lost part of the application's topology (a node wiped, an
// operator's mistake) gets it back at the next connect: every exchange, queue
// and binding is declared again, not only at start.
describeEachBroker('failure: topology re-declared after a reconnect', (broker) => {
  let proxy: TcpProxy;
  let raw: RawAmqp;
  const apps = new TestApps(() => proxy.urlFor(broker().url));
  beforeEach(async () => {
    proxy = await TcpProxy.start(broker().url);
    raw = await RawAmqp.open(broker().url);
  });
  afterEach(async () => {
    await raw.close();
    await apps.closeAll();
    await proxy.close();
  });

  it('declares a deleted queue, exchange and binding again after the connection is cut', async () => {
    const decoratorExchange = uniqueName('redeclare.decorator-ex'); // declared by @Subscribe
    const apiExchange = uniqueName('redeclare.api-ex'); // declared by the topology option
    const consumed = uniqueName('redeclare.consumed');
    const bound = uniqueName('redeclare.bound');
    const apiQueue = uniqueName('redeclare.api-q'); // declared and bound by the topology option
    const got: string[] = [];

    @Injectable()
    class Subscribers {
      @Subscribe({
        queue: consumed,
        exchange: { name: decoratorExchange, type: 'topic' },
        routingKey: 'ev.#',
      })
      async onEvent(payload: { text: string }) {
        got.push(`consumed:${payload.text}`);
      }
      @Subscribe({ queue: bound, exchange: apiExchange, routingKey: 'bound' })
      async onBound(payload: { text: string }) {
        got.push(`bound:${payload.text}`);
      }
    }

    const app = await apps.start([Subscribers], {
      topology: {
        exchanges: [{ name: apiExchange, type: 'direct' }],
        queues: [{ name: apiQueue }],
        bindings: [{ queue: apiQueue, source: apiExchange, pattern: 'api' }],
      },
      reconnect: { initialMs: 50, maxMs: 300 },
    });

    // Behind the application's back: one of each kind goes away.
    await raw.run((c) => c.deleteExchange(decoratorExchange));
    await raw.run((c) => c.deleteQueue(apiQueue));
    await raw.run((c) => c.unbindQueue(bound, apiExchange, 'bound'));
    expect(await exists(raw, (c) => c.checkExchange(decoratorExchange))).toBe(false);
    expect(await exists(raw, (c) => c.checkQueue(apiQueue))).toBe(false);
    const unroutable = await app.publisher
      .publish(apiExchange, 'bound', { text: 'lost' })
      .catch((e) => e);
    expect(unroutable).toBeInstanceOf(UnroutableMessageError);

    const connectsBefore = app.connections.metrics.connects;
    proxy.dropConnections();
    await eventually(() =>
      expect(app.connections.metrics.connects).toBeGreaterThan(connectsBefore),
    );

    await eventually(async () => {
      expect(await exists(raw, (c) => c.checkExchange(decoratorExchange))).toBe(true);
      expect(await exists(raw, (c) => c.checkQueue(apiQueue))).toBe(true);
    });
    // The re-declared entities route again. Mandatory publishes: one that came back
    // unroutable (its binding not declared yet in this pass) was not delivered, so retrying is exact.
    await eventually(() => app.publisher.publish(decoratorExchange, 'ev.created', { text: 'one' }));
    await eventually(() => app.publisher.publish(apiExchange, 'bound', { text: 'two' }));
    await eventually(() => app.publisher.publish(apiExchange, 'api', { text: 'three' }));
    await eventually(() => expect([...got].sort()).toEqual(['bound:two', 'consumed:one']));
    const parked = await raw.drain(apiQueue);
    expect(parked.map((m) => JSON.parse(m.content.toString()))).toEqual([{ text: 'three' }]);
  });
});
