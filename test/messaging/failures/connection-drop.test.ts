import { ConnectionLostError, type PublishResult } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TcpProxy } from '../../support/tcp-proxy';
import { TestApps } from '../support/test-apps';

// The TCP connection is killed for real (the proxy destroys both sockets)
// while thousands of publishes are in flight.
describeEachBroker('failure: connection dropped mid-publish', (broker) => {
  let proxy: TcpProxy;
  const apps = new TestApps(() => proxy.urlFor(broker().url));
  beforeEach(async () => {
    proxy = await TcpProxy.start(broker().url);
  });
  afterEach(async () => {
    await apps.closeAll();
    await proxy.close();
  });

  it('loses nothing confirmed; every unconfirmed publish is reported retryable and succeeds when retried', async () => {
    const queue = uniqueName('drop.publish');
    const app = await apps.start([], {
      topology: { queues: [{ name: queue }] },
      reconnect: { initialMs: 50, maxMs: 500 },
      publishing: { window: 500, connectionWaitMs: 15_000 },
    });
    const total = 3_000;
    const results = new Map<number, PublishResult>();
    let confirmed = 0;
    let killed = false;

    const batch = Array.from({ length: total }, (_, n) =>
      app.publisher
        .publishBatch([{ exchange: '', routingKey: queue, payload: { n } }])
        .then(([result]) => {
          results.set(n, result);
          if (result.status === 'confirmed' && ++confirmed === 400 && !killed) {
            killed = true;
            proxy.dropConnections();
          }
        }),
    );
    await Promise.all(batch);
    expect(killed).toBe(true);

    const failed = [...results].filter(([, r]) => r.status !== 'confirmed');
    const confirmedIds = new Set(
      [...results].filter(([, r]) => r.status === 'confirmed').map(([, r]) => r.messageId),
    );
    // The kill hit messages in flight, and each was reported as a retryable connection loss.
    expect(failed.length).toBeGreaterThan(0);
    for (const [, result] of failed) {
      expect(result.error).toBeInstanceOf(ConnectionLostError);
      expect(result.error!.retryable).toBe(true);
    }

    // The caller (as the outbox relay does) retries the unconfirmed ones with the same messageId.
    for (const [n, result] of failed) {
      await app.publisher.publish('', queue, { n }, { messageId: result.messageId });
      confirmedIds.add(result.messageId);
    }
    expect(app.connections.metrics.connects).toBeGreaterThanOrEqual(2);

    const raw = await RawAmqp.open(broker().url);
    try {
      await eventually(async () =>
        expect(await raw.messageCount(queue)).toBeGreaterThanOrEqual(total),
      );
      const stored = await raw.drain(queue);
      const storedIds = new Set(stored.map((m) => m.properties.messageId as string));
      const storedNs = new Set(
        stored.map((m) => (JSON.parse(m.content.toString()) as { n: number }).n),
      );
      // Nothing confirmed is lost; every message is there (an unconfirmed one may be there twice).
      for (const id of confirmedIds) expect(storedIds.has(id)).toBe(true);
      expect(storedNs.size).toBe(total);
      expect(stored.length - total).toBeLessThanOrEqual(failed.length);
    } finally {
      await raw.close();
    }
  });

  it('holds publishes made while disconnected until the connection is back, then confirms them', async () => {
    const queue = uniqueName('drop.wait');
    const app = await apps.start([], {
      topology: { queues: [{ name: queue }] },
      reconnect: { initialMs: 50, maxMs: 200 },
      publishing: { connectionWaitMs: 10_000 },
    });
    proxy.refuse();
    await eventually(() => expect(app.connections.connected).toBe(false));
    const pending = app.publisher.publish('', queue, { held: true });
    let settled = false;
    void pending.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);

    proxy.accept();
    await expect(pending).resolves.toMatch(/^[0-9a-f-]{36}$/);
    const raw = await RawAmqp.open(broker().url);
    try {
      expect(await raw.messageCount(queue)).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it('fails a publish with a timeout naming the wait when the broker stays away past the bound', async () => {
    const queue = uniqueName('drop.bound');
    const app = await apps.start([], {
      topology: { queues: [{ name: queue }] },
      reconnect: { initialMs: 50, maxMs: 200 },
      publishing: { connectionWaitMs: 400 },
    });
    proxy.refuse();
    await eventually(() => expect(app.connections.connected).toBe(false));
    const error = await app.publisher.publish('', queue, {}).catch((e) => e);
    expect(error.name).toBe('PublishTimeoutError');
    expect(error.message).toContain('waiting for a connection to the broker');
    expect(error.retryable).toBe(true);
    proxy.accept();
  });
});
