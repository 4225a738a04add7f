import { TcpProxy } from '../support/tcp-proxy';
import { describeWithServices, serviceUrl } from '../support/services';
import { BrokerProcess } from './support/broker-process';
import { ChildProcesses } from './support/crash-child';
import {
  disposeOutageStream,
  OUTAGE_EVENTS,
  type Outage,
  streamThroughOutages,
} from './support/outage-stream';

// A relay, a consumer and a producer process streaming while the broker goes away twice.
// (A real restart of the shared RabbitMQ runs alone: test/exclusive.)
jest.setTimeout(60_000 + OUTAGE_EVENTS * 20);

/**
 * The embedded broker as its own process, killed -9 and restarted on the same port and
 * data dir: what it confirmed before dying must still be there (fsync before confirm).
 */
async function embeddedKilled(children: ChildProcesses): Promise<Outage> {
  const broker = await BrokerProcess.start(children);
  return {
    name: 'embedded broker process killed -9 and restarted',
    clientUrl: broker.url,
    adminUrl: broker.url,
    strike: () => broker.crashAndRestart(300),
    dispose: () => broker.dispose(),
  };
}

/**
 * The shared RabbitMQ cannot be killed; a TCP proxy between the clients and it
 * destroys every socket mid-stream and refuses new ones for a while: to the clients the
 * broker died (unconfirmed publishes and unacked deliveries are lost with the socket).
 */
async function rabbitmqCut(): Promise<Outage> {
  const proxy = await TcpProxy.start(serviceUrl('rabbitmq'));
  return {
    name: 'RabbitMQ connections destroyed mid-stream by a TCP proxy',
    clientUrl: proxy.urlFor(serviceUrl('rabbitmq')),
    adminUrl: serviceUrl('rabbitmq'),
    async strike() {
      proxy.refuse();
      await new Promise((resolve) => setTimeout(resolve, 700));
      proxy.accept();
    },
    dispose: () => proxy.close(),
  };
}

const TARGETS: {
  name: string;
  needs: 'rabbitmq'[];
  outage: (c: ChildProcesses) => Promise<Outage>;
}[] = [
  { name: 'rabbitmq', needs: ['rabbitmq'], outage: () => rabbitmqCut() },
  { name: 'embedded', needs: [], outage: embeddedKilled },
];

const STORES: { store: 'db' | 'redis'; needs: 'redis'[] }[] = [
  { store: 'db', needs: [] },
  { store: 'redis', needs: ['redis'] },
];

for (const target of TARGETS.filter(
  (t) => !process.env.SURETY_TEST_BROKERS || process.env.SURETY_TEST_BROKERS.includes(t.name),
))
  for (const { store, needs } of STORES) {
    describeWithServices(
      [...target.needs, ...needs, 'postgres'],
      `crash: broker goes away twice mid-stream [${target.name} + ${store}]`,
      () => {
        const cleanup = { children: new ChildProcesses() };
        afterAll(() => disposeOutageStream(cleanup));

        it('loses nothing and takes effect once per business row', async () => {
          console.log(`[crash] ${await streamThroughOutages(store, target.outage, cleanup)}`);
        });
      },
    );
  }
