import { PublishTimeoutError } from '@surety/messaging';
import { uniqueName } from '../support/names';
import { TcpProxy } from '../support/tcp-proxy';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

// A broker that stops answering (hung, or a one-way partition): the connection stays
// up, the publish goes out, and no confirm comes back within the bound.
describeEachBroker('publishing: a confirm that never comes in time', (broker) => {
  let proxy: TcpProxy;
  const apps = new TestApps(() => proxy.urlFor(broker().url));
  beforeEach(async () => {
    proxy = await TcpProxy.start(broker().url);
  });
  afterEach(async () => {
    proxy.unstall();
    await apps.closeAll();
    await proxy.close();
  });

  it('rejects with a retryable PublishTimeoutError naming the message; the publisher works again once the broker answers', async () => {
    const queue = uniqueName('confirm-timeout');
    const app = await apps.start([], {
      topology: { queues: [{ name: queue }] },
      publishing: { confirmTimeoutMs: 400 },
    });
    await app.publisher.publish('', queue, { n: 1 });

    proxy.stall();
    const started = Date.now();
    const error = await app.publisher.publish('', queue, { n: 2 }, { messageId: 'late-2' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishTimeoutError);
    const timeout = error as PublishTimeoutError;
    expect(timeout.retryable).toBe(true);
    expect(timeout.target).toEqual({ exchange: '', routingKey: queue, messageId: 'late-2' });
    expect(timeout.message).toContain('the broker confirm');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);

    // The broker answers again: its late confirm of n=2 is dropped quietly, new
    // publishes are confirmed, and the timed-out one did reach the queue — which is
    // why the error is retryable and consumers must absorb the duplicate a retry makes.
    proxy.unstall();
    await expect(app.publisher.publish('', queue, { n: 3 })).resolves.toEqual(expect.any(String));
    const raw = await RawAmqp.open(broker().url);
    try {
      const stored = (await raw.drain(queue)).map((m) => JSON.parse(m.content.toString()));
      expect(stored).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    } finally {
      await raw.close();
    }
  });
});
