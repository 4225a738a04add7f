import { createServer, type AddressInfo } from 'node:net';
import { Injectable } from '@nestjs/common';
import { Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TcpProxy } from '../../support/tcp-proxy';
import { TestApps } from '../support/test-apps';

function collector(queue: string, into: number[]) {
  @Injectable()
  class Collector {
    @Subscribe({ queue })
    async collect(payload: { n: number }) {
      into.push(payload.n);
    }
  }
  return Collector;
}

/** A loopback URL nobody listens on: a port we held for a moment and released. */
async function refusedUrl(brokerUrl: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const url = new URL(brokerUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

const sorted = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

// The URL list is a cluster: a dead node must not keep the application from
// the live ones, at start or when the node it is connected to goes away.
describeEachBroker('failure: failover across the cluster URL list', (broker) => {
  const proxies: TcpProxy[] = [];
  const apps = new TestApps(() => broker().url);
  afterEach(async () => {
    await apps.closeAll();
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  async function proxy(): Promise<TcpProxy> {
    const started = await TcpProxy.start(broker().url);
    proxies.push(started);
    return started;
  }

  it('starts on a later URL when the first one refuses connections, then publishes and consumes', async () => {
    const dead = await refusedUrl(broker().url);
    const queue = uniqueName('failover.start');
    const got: number[] = [];
    const app = await apps.start([collector(queue, got)], { urls: [dead, broker().url] });

    expect(app.connections.connected).toBe(true);
    // The dead URL was really tried first (and its error kept for health output).
    expect(app.connections.lastConnectErrors.map((e) => e.url)).toEqual([
      expect.stringContaining(new URL(dead).host),
    ]);
    await app.publisher.publish('', queue, { n: 1 });
    await eventually(() => expect(got).toEqual([1]));
  });

  it('fails over to the next URL when the connected node goes away, losing nothing published meanwhile', async () => {
    const nodeA = await proxy();
    const nodeB = await proxy();
    const queue = uniqueName('failover.midrun');
    const got: number[] = [];
    const app = await apps.start([collector(queue, got)], {
      urls: [nodeA.urlFor(broker().url), nodeB.urlFor(broker().url)],
      reconnect: { initialMs: 50, maxMs: 300 },
      publishing: { connectionWaitMs: 15_000 },
    });
    expect(nodeA.openConnections).toBeGreaterThan(0);
    expect(nodeB.openConnections).toBe(0);
    await app.publisher.publish('', queue, { n: 0 });
    await eventually(() => expect(got).toEqual([0]));

    // Node A dies and stays dead: its connection is cut and new ones are refused.
    nodeA.refuse();
    await eventually(() => expect(app.connections.connected).toBe(false));
    // Published while no connection exists: held, then confirmed once on node B.
    const duringSwitch = app.publisher.publish('', queue, { n: 1 });

    await expect(duringSwitch).resolves.toEqual(expect.any(String));
    expect(app.connections.connected).toBe(true);
    expect(nodeB.openConnections).toBeGreaterThan(0);
    expect(nodeA.openConnections).toBe(0);
    await app.publisher.publish('', queue, { n: 2 });
    // The consumer re-attached through node B and got everything.
    await eventually(() => expect(sorted(got)).toEqual([0, 1, 2]));
    expect(app.connections.metrics.connects).toBe(2);
  });
});
