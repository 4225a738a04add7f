import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brokerTargets } from '../../support/brokers';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { RawAmqp } from '../support/raw-amqp';
import { TestApps } from '../support/test-apps';

// connection.blocked needs a broker resource alarm. On the shared RabbitMQ that
// would block every other suite, so this runs on an embedded broker of its own,
// whose memory watermark it lowers for real (no fake frames).
const embeddedAvailable = brokerTargets().some((t) => t.name === 'embedded');

(embeddedAvailable ? describe : describe.skip)('failure: connection.blocked [embedded]', () => {
  let running: {
    url: string;
    stop(): Promise<void>;
    broker: { alarm: { setMemoryHighWatermark(mark: number): void } };
  };
  const apps = new TestApps(() => running.url);

  beforeAll(async () => {
    const { EmbeddedBroker } = await import('@surety/broker');
    running = await EmbeddedBroker.start({
      port: 0,
      dataDir: await mkdtemp(path.join(tmpdir(), 'surety-blocked-')),
    });
  });
  afterAll(async () => {
    await apps.closeAll();
    await running.stop();
  });

  it('makes publishers wait while blocked, logs and counts it, and confirms once unblocked', async () => {
    const queue = uniqueName('blocked.pub');
    const app = await apps.start([], {
      topology: { queues: [{ name: queue }] },
      publishing: { connectionWaitMs: 10_000 },
    });

    running.broker.alarm.setMemoryHighWatermark(1); // 1 byte: the memory alarm goes off
    // As RabbitMQ, the broker blocks a connection when it next publishes; that first
    // publish is already on the wire and waits for its confirm.
    const first = app.publisher.publish('', queue, { n: 1 });
    await eventually(() => expect(app.connections.blocked).toBe(true));
    expect(app.connections.metrics.blocked).toBe(1);
    expect(
      apps.logs.lines.some(
        (l) => l.level === 'warn' && l.message.includes('broker blocked the connection'),
      ),
    ).toBe(true);

    // Later publishes wait in the publisher instead of piling onto a blocked socket.
    let settled = false;
    const second = app.publisher.publish('', queue, { n: 2 }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toBe(false);

    running.broker.alarm.setMemoryHighWatermark(0.99);
    await Promise.all([first, second]);
    expect(app.connections.blocked).toBe(false);
    const raw = await RawAmqp.open(running.url);
    try {
      expect(await raw.messageCount(queue)).toBe(2);
    } finally {
      await raw.close();
    }
  });
});
