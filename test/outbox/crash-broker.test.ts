import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrokerTarget, BrokerUnderTest } from '../support/brokers';
import { eventually } from '../support/eventually';
import { crashEvents, CrashEnv } from './crash/crash-env';
import { describeCrashMatrix } from './crash/crash-matrix';
import { TcpProxy } from './support/tcp-proxy';

jest.setTimeout(180_000);

function addressOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) || 5672 };
}

/**
 * The broker goes away mid-stream while relay and consumer are busy. The embedded
 * broker is really stopped and started again on the same data directory (behind a
 * proxy, since it comes back on a new port); RabbitMQ is shared, so every connection
 * to it is cut and refused for a while instead.
 */
describeCrashMatrix('crash: broker restart mid-stream', (target: BrokerTarget, store) => {
  let broker: BrokerUnderTest;
  let dataDir: string;
  let proxy: TcpProxy;
  let env: CrashEnv | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'surety-crash-broker-'));
    broker = await target.start({ dataDir });
    proxy = await TcpProxy.start(addressOf(broker.url));
  });
  afterAll(async () => {
    await env?.dispose();
    await proxy.close();
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const restartBroker = async () => {
    proxy.goDown();
    if (target.name === 'embedded') {
      await broker.stop();
      broker = await target.start({ dataDir });
      proxy.retarget(addressOf(broker.url));
      if (env) env.adminBrokerUrl = broker.url;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    proxy.resume();
  };

  it('loses nothing and duplicates no effect across the restart', async () => {
    env = await CrashEnv.create(broker.url, proxy.urlFor(broker.url));
    const relay = env.relay();
    const consumer = env.consumer(store);
    await consumer.waitFor(/READY/);
    const total = crashEvents(80);
    await env.writeBusiness(total / 2);
    await eventually(async () => {
      const { rows } = await env!.db.sql.query<{ n: bigint }>('SELECT count(*) AS n FROM effects');
      expect(Number(rows[0].n)).toBeGreaterThan(0);
    });
    const writing = env.writeBusiness(total / 2);
    await restartBroker();
    await writing;
    await env.settled();
    const ledger = await env.ledger();
    expect(ledger).toMatchObject({ unsent: 0, missing: 0, duplicated: 0, orphans: 0 });
    expect(ledger.effects).toBe(ledger.business);
    await relay.stop();
    await consumer.stop();
  });
});
