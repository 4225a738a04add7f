import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { MessagingRegistrar, Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TcpProxy } from '../../support/tcp-proxy';
import { TestApps } from '../support/test-apps';

function collector(queue: string, into: number[]) {
  @Injectable()
  class Collector {
    @Subscribe({ queue, prefetch: 5 })
    async collect(payload: { n: number }) {
      into.push(payload.n);
    }
  }
  return Collector;
}

describeEachBroker('failure: broker restart', (broker, target) => {
  let proxy: TcpProxy;
  const apps = new TestApps(() => proxy.urlFor(broker().url));
  beforeEach(async () => {
    proxy = await TcpProxy.start(broker().url);
  });
  afterEach(async () => {
    await apps.closeAll();
    await proxy.close();
  });

  async function sendDirect(queue: string, from: number, to: number) {
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run(async (channel) => {
        for (let n = from; n < to; n++) {
          channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), { persistent: true });
        }
      });
    } finally {
      await raw.close();
    }
  }

  it('brings consumers back after the broker refused connections for a while, and they continue', async () => {
    const queue = uniqueName('restart.consume');
    const got: number[] = [];
    const app = await apps.start([collector(queue, got)], {
      reconnect: { initialMs: 50, maxMs: 300 },
    });
    await sendDirect(queue, 0, 5);
    await eventually(() => expect(got).toHaveLength(5));

    proxy.refuse(); // "broker down": connection killed, reconnects refused
    await eventually(() => expect(app.connections.connected).toBe(false));
    await sendDirect(queue, 5, 10); // produced by others while we are cut off
    await new Promise((resolve) => setTimeout(resolve, 700)); // several failed reconnect rounds
    expect(got).toHaveLength(5);

    proxy.accept(); // "broker back"
    await eventually(() =>
      expect([...new Set(got)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    );
    expect(app.connections.metrics.disconnects).toBeGreaterThanOrEqual(1);
    expect(app.connections.metrics.connects).toBeGreaterThanOrEqual(2);
  });

  it('does not resurrect a consumer the application paused', async () => {
    const kept = uniqueName('restart.kept');
    const stopped = uniqueName('restart.stopped');
    const gotKept: number[] = [];
    const gotStopped: number[] = [];
    const app = await apps.start([collector(kept, gotKept), collector(stopped, gotStopped)], {
      reconnect: { initialMs: 50, maxMs: 300 },
    });
    const registrar = app.get(MessagingRegistrar);
    await registrar.pause(stopped);

    proxy.dropConnections();
    await eventually(() => expect(app.connections.metrics.connects).toBeGreaterThanOrEqual(2));
    await sendDirect(kept, 0, 3);
    await sendDirect(stopped, 0, 3);
    await eventually(() => expect(gotKept).toHaveLength(3));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gotStopped).toHaveLength(0);
    expect(registrar.isConsuming(stopped)).toBe(false);
    expect(registrar.isConsuming(kept)).toBe(true);
    const raw = await RawAmqp.open(broker().url);
    try {
      expect(await raw.messageCount(stopped)).toBe(3);
    } finally {
      await raw.close();
    }
  });

  if (target.name === 'embedded') {
    it('survives a real stop and start of the embedded broker on the same data dir', async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'surety-messaging-restart-'));
      let own = await target.start({ dataDir });
      proxy.retarget(own.url);
      const queue = uniqueName('restart.embedded');
      const got: number[] = [];
      const app = await apps.start([collector(queue, got)], {
        reconnect: { initialMs: 50, maxMs: 300 },
      });
      try {
        await app.publisher.publish('', queue, { n: 0 });
        await eventually(() => expect(got).toEqual([0]));

        await own.stop();
        await eventually(() => expect(app.connections.connected).toBe(false));
        own = await target.start({ dataDir });
        proxy.retarget(own.url);

        await eventually(() => expect(app.connections.connected).toBe(true), { timeoutMs: 15_000 });
        await app.publisher.publish('', queue, { n: 1 });
        await eventually(() => expect(got).toEqual([0, 1]));
      } finally {
        await apps.closeAll();
        await own.stop();
        proxy.retarget(broker().url);
      }
    });
  }
});
