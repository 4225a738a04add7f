import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brokerTargets } from '../../support/brokers';
import { expectPublishersToWaitWhileBlocked } from '../support/blocked-publishing';
import { TestApps } from '../support/test-apps';

// connection.blocked needs a broker resource alarm, raised for real (no fake frames):
// here on an embedded broker of its own, whose memory watermark the test lowers. On
// the shared RabbitMQ an alarm blocks every other suite, so RabbitMQ's run of the same
// scenario is in test/exclusive (rabbitmq-memory-alarm.test.ts), which runs alone.
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

  it('makes publishers wait while blocked, logs and counts it, and confirms once unblocked', () =>
    expectPublishersToWaitWhileBlocked(apps, running.url, {
      raise: () => running.broker.alarm.setMemoryHighWatermark(1), // 1 byte: the alarm goes off
      clear: () => running.broker.alarm.setMemoryHighWatermark(0.99),
    }));
});
