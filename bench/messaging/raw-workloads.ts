import { connect, type ConfirmChannel, type Options } from 'amqplib';
import { body, PREFETCH, suretyLikeProperties, WINDOW, bareProperties } from './config';
import { confirmPump } from '../support/confirm-pump';
import { settleHeap, Stopwatch, type Measurement } from './measure';

/**
 * Baseline: a raw amqplib confirm channel keeping WINDOW unconfirmed publishes
 * in flight. `sameProperties` sends what every Surety message carries, so the
 * broker stores equal messages; without it, the bare baseline.
 */
export async function rawPublish(
  url: string,
  queue: string,
  warmup: number,
  count: number,
  sameProperties: boolean,
): Promise<Measurement> {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  const properties = sameProperties ? () => suretyLikeProperties(queue) : bareProperties;
  await pump(channel, queue, warmup, properties);
  settleHeap();
  const watch = new Stopwatch();
  watch.start();
  await pump(channel, queue, count, properties);
  const result = watch.stop(count);
  await connection.close();
  return result;
}

function pump(
  channel: ConfirmChannel,
  queue: string,
  count: number,
  properties: () => Options.Publish,
): Promise<void> {
  return confirmPump(channel, {
    exchange: '',
    routingKey: queue,
    body,
    count,
    window: WINDOW,
    properties,
  });
}

/** Baseline: a raw amqplib consumer, JSON.parse and a manual ack per message, prefetch PREFETCH. */
export async function rawConsume(
  url: string,
  queue: string,
  warmup: number,
  count: number,
): Promise<Measurement> {
  const connection = await connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(PREFETCH);
  const watch = new Stopwatch();
  await new Promise<void>((resolve) => {
    let received = 0;
    // The first `warmup` deliveries are untimed, as on the Surety side.
    if (warmup === 0) watch.start();
    void channel.consume(queue, (message) => {
      if (!message) return;
      JSON.parse(message.content.toString());
      channel.ack(message);
      if (++received === warmup) watch.start();
      if (received === warmup + count) resolve();
    });
  });
  const result = watch.stop(count);
  await connection.close();
  return result;
}

/** Fills a queue (untimed) for a consume workload, with the properties Surety messages carry. */
export async function fill(url: string, queue: string, count: number) {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (let i = 0; i < count; i++) {
    if (!channel.publish('', queue, body, suretyLikeProperties(queue))) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
  }
  await channel.waitForConfirms();
  await connection.close();
}

export async function deleteQueues(url: string, queues: string[]) {
  const connection = await connect(url);
  for (const queue of queues) {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }
  await connection.close();
}
