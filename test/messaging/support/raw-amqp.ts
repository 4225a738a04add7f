import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import type { Topology } from '@surety/messaging';

/** A plain amqplib connection for assertions and cleanup, independent of Surety. */
export class RawAmqp {
  private constructor(readonly connection: ChannelModel) {}

  static async open(url: string): Promise<RawAmqp> {
    const connection = await connect(url);
    connection.on('error', () => undefined);
    return new RawAmqp(connection);
  }

  /** A queue's ready messages, looked up once on a connection of its own. */
  static async countReady(url: string, queue: string): Promise<number> {
    const raw = await RawAmqp.open(url);
    try {
      return await raw.messageCount(queue);
    } finally {
      await raw.close();
    }
  }

  private async fresh(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    return channel;
  }

  async messageCount(queue: string): Promise<number> {
    const channel = await this.fresh();
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Takes (and acks) every ready message of a queue. */
  async drain(queue: string): Promise<GetMessage[]> {
    const channel = await this.fresh();
    const out: GetMessage[] = [];
    try {
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (!message) return out;
        out.push(message);
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async run<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.fresh();
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Deletes queues first, then exchanges (never amq.* or the default exchange). */
  async deleteTopology(topology: Topology, extraQueues: string[] = []): Promise<void> {
    const queues = [...new Set([...(topology.queues ?? []).map((q) => q.name), ...extraQueues])];
    for (const queue of queues) {
      await this.run((c) => c.deleteQueue(queue)).catch(() => undefined);
    }
    for (const exchange of topology.exchanges ?? []) {
      if (exchange.name === '' || exchange.name.startsWith('amq.')) continue;
      await this.run((c) => c.deleteExchange(exchange.name)).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
