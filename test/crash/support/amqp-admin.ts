import { connect, type Channel, type ChannelModel } from 'amqplib';

/** Queue state as the broker reports it (ready messages; unacked ones are not counted). */
export interface QueueState {
  readonly messages: number;
  readonly consumers: number;
}

/** A plain amqplib connection of the test itself: declarations, counts, cleanup. */
export class AmqpAdmin {
  private constructor(private readonly connection: ChannelModel) {}

  static async open(url: string): Promise<AmqpAdmin> {
    const connection = await connect(url);
    connection.on('error', () => undefined);
    return new AmqpAdmin(connection);
  }

  /** One channel per call: a failed declaration or delete closes its channel. */
  async run<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Publishes persistent JSON messages and waits for the broker's confirms. */
  async publishConfirmed(
    exchange: string,
    messages: { routingKey: string; messageId: string; type: string; payload: unknown }[],
  ): Promise<void> {
    const channel = await this.connection.createConfirmChannel();
    channel.on('error', () => undefined);
    try {
      for (const m of messages) {
        channel.publish(exchange, m.routingKey, Buffer.from(JSON.stringify(m.payload)), {
          messageId: m.messageId,
          type: m.type,
          contentType: 'application/json',
          persistent: true,
          mandatory: true,
        });
      }
      await channel.waitForConfirms();
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async queueState(queue: string): Promise<QueueState> {
    const reply = await this.run((c) => c.checkQueue(queue));
    return { messages: reply.messageCount, consumers: reply.consumerCount };
  }

  /** Deletes queues, then exchanges, ignoring the ones already gone (never amq.* or ''). */
  async deleteAll(entities: { queues: string[]; exchanges: string[] }): Promise<void> {
    for (const queue of entities.queues) {
      await this.run((c) => c.deleteQueue(queue)).catch(() => undefined);
    }
    for (const exchange of entities.exchanges) {
      if (exchange === '' || exchange.startsWith('amq.')) continue;
      await this.run((c) => c.deleteExchange(exchange)).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
