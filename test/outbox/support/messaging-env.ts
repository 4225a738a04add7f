import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { ConnectionManager, Publisher, type PublisherOptions } from '@surety/messaging';
import { uniqueName } from '../../support/names';

/** The messaging core's publisher on its own connection, without Nest. */
export interface StartedPublisher {
  readonly publisher: Publisher;
  readonly connections: ConnectionManager;
  close(): Promise<void>;
}

export async function startPublisher(
  url: string,
  options: PublisherOptions = {},
): Promise<StartedPublisher> {
  const connections = new ConnectionManager({
    urls: [url],
    connectionName: 'surety-outbox-test',
    reconnect: { initialMs: 50, maxMs: 500 },
    startup: 'fail-fast',
  });
  const publisher = new Publisher(connections, options);
  await connections.start();
  return {
    publisher,
    connections,
    async close() {
      await publisher.close();
      await connections.close();
    },
  };
}

/** A topic exchange with one durable queue bound to '#', names unique to the test. */
export interface TestTopology {
  readonly exchange: string;
  readonly queue: string;
  /** An exchange with no queue bound: everything published to it is returned. */
  readonly deadEnd: string;
  /** Deletes all three (through `brokerUrl` if the broker moved since). */
  dispose(brokerUrl?: string): Promise<void>;
}

export async function declareTopology(url: string, prefix = 'outbox'): Promise<TestTopology> {
  const exchange = uniqueName(`${prefix}.events`);
  const deadEnd = uniqueName(`${prefix}.nowhere`);
  const queue = uniqueName(`${prefix}.q`);
  const connection = await connect(url);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertExchange(deadEnd, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  await channel.bindQueue(queue, exchange, '#');
  await connection.close();
  return {
    exchange,
    queue,
    deadEnd,
    async dispose(brokerUrl = url) {
      const c = await connect(brokerUrl).catch(() => undefined);
      if (!c) return;
      c.on('error', () => undefined);
      const ch = await c.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await ch.deleteExchange(deadEnd).catch(() => undefined);
      await c.close().catch(() => undefined);
    },
  };
}

/** Consumes a queue with manual acks and keeps every message it saw, in arrival order. */
export class Collector {
  readonly messages: ConsumeMessage[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
  ) {}

  static async start(url: string, queue: string): Promise<Collector> {
    const connection = await connect(url);
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    await channel.prefetch(1000);
    const collector = new Collector(connection, channel);
    await collector.alsoConsume(queue);
    return collector;
  }

  /** Consumes one more queue on the same channel, into the same arrival log. */
  async alsoConsume(queue: string): Promise<void> {
    await this.channel.consume(queue, (message) => {
      if (!message) return;
      this.channel.ack(message);
      this.messages.push(message);
    });
  }

  payloads<T = unknown>(): T[] {
    return this.messages.map((m) => JSON.parse(m.content.toString()) as T);
  }

  messageIds(): string[] {
    return this.messages.map((m) => String(m.properties.messageId));
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
