import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type Options,
  connect,
} from 'amqplib';
import { within } from '../../support/amqp';
import { type BrokerTarget, type BrokerUnderTest, brokerTargets } from '../../support/brokers';
import { uniqueName } from '../../support/names';
import { describeWithServices } from '../../support/services';
import { type HandshakeOptions, RawConnection } from './raw-client';

/** What a conformance scenario gets: the broker under test and tracked, auto-closed resources. */
export interface Conformance {
  readonly target: BrokerTarget;
  /** Whether this target can be restarted by the suite (the embedded broker; never the machine's RabbitMQ). */
  readonly canRestart: boolean;
  url(): string;
  /** An amqplib connection, closed after the test. */
  connect(socketOptions?: Parameters<typeof connect>[1], urlSuffix?: string): Promise<ChannelModel>;
  channel(): Promise<Channel>;
  confirmChannel(): Promise<ConfirmChannel>;
  /** A raw-frame connection (handshake done), destroyed after the test. */
  raw(options?: HandshakeOptions): ReturnType<typeof RawConnection.connect>;
  /** A raw TCP connection without the handshake, destroyed after the test. */
  rawSocket(): Promise<RawConnection>;
  /** A unique name; the queue/exchange of that name is deleted after the test. */
  queueName(prefix?: string): string;
  exchangeName(prefix?: string): string;
  /** Declares a uniquely named queue (deleted after the test) and returns its name. */
  queue(options?: Options.AssertQueue, prefix?: string): Promise<string>;
  exchange(type: string, options?: Options.AssertExchange, prefix?: string): Promise<string>;
  /** Stops and starts the broker on the same data directory (only when canRestart). */
  restart(): Promise<void>;
}

/**
 * Runs `body` once per broker target: the same amqplib scenarios against the
 * local RabbitMQ (the reference) and the embedded broker.
 */
export function conformance(title: string, body: (c: Conformance) => void): void {
  // Every wait inside has its own shorter timeout; this only bounds a whole scenario.
  jest.setTimeout(20_000);
  describe.each(brokerTargets().map((target) => [target.name, target] as const))(
    '%s',
    (_name, target) => {
      describeWithServices(target.needs, title, () => {
        body(harnessFor(target));
      });
    },
  );
}

function harnessFor(target: BrokerTarget): Conformance {
  let broker: BrokerUnderTest | undefined;
  let dataDir: string | undefined;
  const connections: ChannelModel[] = [];
  const rawConnections: RawConnection[] = [];
  const queues = new Set<string>();
  const exchanges = new Set<string>();
  // Only the embedded broker is ours to restart; the machine's RabbitMQ is shared.
  const canRestart = target.name === 'embedded';

  beforeAll(async () => {
    if (canRestart) dataDir = await mkdtemp(path.join(tmpdir(), 'surety-conformance-'));
    broker = await target.start(dataDir ? { dataDir } : {});
  });

  afterEach(async () => {
    adminChannel = undefined;
    for (const raw of rawConnections.splice(0)) raw.destroy();
    await Promise.all(
      connections
        .splice(0)
        .map((c) => within(c.close(), 'connection close', 3_000).catch(() => undefined)),
    );
    await deleteEntities();
  });

  afterAll(async () => {
    await broker?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** One channel per test for declaring fixtures, so fixtures cost no extra connection each. */
  let adminChannel: Promise<Channel> | undefined;
  const admin = () => (adminChannel ??= harness.channel());

  const url = () => {
    if (!broker) throw new Error(`broker target '${target.name}' is not started`);
    return broker.url;
  };

  /** Deletes what the test created through a fresh connection (the test's own may be closed). */
  async function deleteEntities(): Promise<void> {
    if (queues.size === 0 && exchanges.size === 0) return;
    const connection = await connect(url());
    connection.on('error', () => undefined);
    try {
      let channel = await connection.createChannel();
      channel.on('error', () => undefined);
      const attempt = async (fn: (ch: Channel) => Promise<unknown>) => {
        try {
          await fn(channel);
        } catch {
          channel = await connection.createChannel();
          channel.on('error', () => undefined);
        }
      };
      for (const q of queues) await attempt((ch) => ch.deleteQueue(q));
      for (const x of exchanges) await attempt((ch) => ch.deleteExchange(x));
    } finally {
      queues.clear();
      exchanges.clear();
      await within(connection.close(), 'cleanup connection close', 3_000).catch(() => undefined);
    }
  }

  const harness: Conformance = {
    target,
    canRestart,
    url,
    async connect(socketOptions, urlSuffix = '') {
      const connection = await within(connect(url() + urlSuffix, socketOptions), 'amqplib connect');
      // Errors are asserted through helpers; an unhandled 'error' must not crash the worker.
      connection.on('error', () => undefined);
      connections.push(connection);
      return connection;
    },
    async channel() {
      const channel = await (await harness.connect()).createChannel();
      channel.on('error', () => undefined);
      return channel;
    },
    async confirmChannel() {
      const channel = await (await harness.connect()).createConfirmChannel();
      channel.on('error', () => undefined);
      return channel;
    },
    async raw(options) {
      const raw = await RawConnection.connect(url(), options);
      rawConnections.push(raw);
      return raw;
    },
    async rawSocket() {
      const raw = await RawConnection.open(url());
      rawConnections.push(raw);
      return raw;
    },
    queueName(prefix = 'conf.q') {
      const name = uniqueName(prefix);
      queues.add(name);
      return name;
    },
    exchangeName(prefix = 'conf.x') {
      const name = uniqueName(prefix);
      exchanges.add(name);
      return name;
    },
    async queue(options = {}, prefix) {
      const name = harness.queueName(prefix);
      await (await admin()).assertQueue(name, options);
      return name;
    },
    async exchange(type, options = {}, prefix) {
      const name = harness.exchangeName(prefix);
      await (await admin()).assertExchange(name, type, options);
      return name;
    },
    async restart() {
      if (!canRestart || !broker)
        throw new Error(`target '${target.name}' cannot be restarted by the suite`);
      await broker.stop();
      broker = await target.start({ dataDir });
    },
  };
  return harness;
}
