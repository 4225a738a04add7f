import { serviceUrl } from './services';

/** A running broker a test can point amqplib at. */
export interface BrokerUnderTest {
  readonly url: string;
  stop(): Promise<void>;
}

/** One entry of the broker matrix every framework integration test runs against. */
export interface BrokerTarget {
  /** 'rabbitmq' (the local RabbitMQ) or 'embedded' (libs/broker, started in-process). */
  readonly name: 'rabbitmq' | 'embedded';
  /** Services the target needs from the machine (for describeWithServices). */
  readonly needs: 'rabbitmq'[];
  start(options?: { dataDir?: string }): Promise<BrokerUnderTest>;
}

export const rabbitmqTarget: BrokerTarget = {
  name: 'rabbitmq',
  needs: ['rabbitmq'],
  async start() {
    return { url: serviceUrl('rabbitmq'), stop: async () => undefined };
  },
};

/**
 * The embedded broker on an ephemeral port (never 5672) with its own temp data dir.
 * Loaded lazily so suites that only target RabbitMQ do not import the broker.
 */
export const embeddedTarget: BrokerTarget = {
  name: 'embedded',
  needs: [],
  async start(options = {}) {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { EmbeddedBroker } = await import('@surety/broker');
    const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'surety-broker-')));
    const broker = await EmbeddedBroker.start({ port: 0, dataDir });
    return { url: broker.url, stop: () => broker.stop() };
  },
};

/**
 * The matrix. The embedded broker joins it once libs/broker exports EmbeddedBroker
 * (SURETY_TEST_BROKERS=rabbitmq|embedded narrows it for local debugging).
 */
export function brokerTargets(): BrokerTarget[] {
  const all = [rabbitmqTarget, ...(EMBEDDED_READY ? [embeddedTarget] : [])];
  const only = process.env.SURETY_TEST_BROKERS?.split(',');
  return only ? all.filter((t) => only.includes(t.name)) : all;
}

/** Switched on by the broker work when EmbeddedBroker.start() exists. */
const EMBEDDED_READY = true;
