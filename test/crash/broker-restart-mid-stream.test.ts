import { TcpProxy } from '../messaging/support/tcp-proxy';
import { eventually } from '../support/eventually';
import { describeWithServices, serviceUrl } from '../support/services';
import { BrokerProcess } from './support/broker-process';
import { ChildProcesses } from './support/crash-child';
import { CrashEnv, crashEvents } from './support/crash-env';
import { CrashRig } from './support/crash-rig';
import { crashSummary, expectEndState, waitUntilSettled } from './support/end-state';

// A relay, a consumer and a producer process streaming while the broker goes away twice.
const EVENTS = crashEvents(200);
jest.setTimeout(60_000 + EVENTS * 20);

/** Effects so far (the stream's progress). */
async function effectRows(rig: CrashRig): Promise<number> {
  return rig.count('effects');
}

/** A broker the test can take away from the clients mid-stream, and give back. */
interface Outage {
  readonly name: string;
  /** Where the children connect. */
  readonly clientUrl: string;
  /** Where the test itself connects (counts, cleanup). */
  readonly adminUrl: string;
  /** Takes the broker away for a moment and brings it back; resolves once it is back. */
  strike(): Promise<void>;
  dispose(): Promise<void>;
}

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
        const brokerChildren = new ChildProcesses();
        let outage: Outage | undefined;
        let rig: CrashRig | undefined;

        afterAll(async () => {
          await rig?.dispose();
          await outage?.dispose();
          await brokerChildren.killAll();
        });

        it('loses nothing and takes effect once per business row', async () => {
          outage = await target.outage(brokerChildren);
          rig = await CrashRig.create(store, outage.clientUrl, outage.adminUrl);
          // 50 ms handlers: deliveries are in flight (transaction open, ack pending) when it hits.
          await rig.startConsumer({ [CrashEnv.handlerMs]: '50' });
          await rig.startRelay();
          // Paced so that the stream lasts a few seconds (200 events: 20 ms apart) and the
          // outages hit it; the large run writes as fast as it can.
          const producer = await rig.startProducer(EVENTS, Math.floor(4_000 / EVENTS));

          for (const fraction of [0.25, 0.6]) {
            await eventually(
              async () => expect(await effectRows(rig!)).toBeGreaterThanOrEqual(EVENTS * fraction),
              { timeoutMs: 30_000 + EVENTS * 10, intervalMs: 50 },
            );
            await outage.strike();
          }
          await producer.waitForLine(/^DONE /, 30_000 + EVENTS * 20);

          await waitUntilSettled(rig, EVENTS, 40_000 + EVENTS * 10);
          const summary = crashSummary(rig, EVENTS, { broker: 2 });
          await expectEndState(rig, EVENTS);
          console.log(`[crash] broker outage (${outage.name}): ${summary}`);
        });
      },
    );
  }
