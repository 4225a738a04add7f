import { connect } from 'amqplib';
import { uniqueName } from '../../support/names';

/**
 * An exchange whose only queue refuses every publish with a nack — a retryable failure,
 * the same on RabbitMQ and the embedded broker — until a consumer drains it: the queue
 * holds at most one ready message (x-max-length 1, x-overflow reject-publish) and is
 * declared holding one. Consuming it (Collector.alsoConsume) opens the gate.
 */
export interface GateQueue {
  readonly exchange: string;
  readonly queue: string;
  dispose(): Promise<void>;
}

export async function declareGateQueue(url: string): Promise<GateQueue> {
  const exchange = uniqueName('outbox.gate');
  const queue = uniqueName('outbox.gate.q');
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(exchange, 'fanout', { durable: true });
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
  });
  await channel.bindQueue(queue, exchange, '');
  channel.sendToQueue(queue, Buffer.from('"filler"'), { type: 'gate.filler', persistent: true });
  await channel.waitForConfirms();
  await connection.close();
  return {
    exchange,
    queue,
    async dispose() {
      const c = await connect(url).catch(() => undefined);
      if (!c) return;
      c.on('error', () => undefined);
      const ch = await c.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await c.close().catch(() => undefined);
    },
  };
}
