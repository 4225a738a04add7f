import { connect, type Options } from 'amqplib';
import { v7 } from 'uuid';

/**
 * Baseline: a raw amqplib confirm channel, `window` unconfirmed publishes in flight.
 * `sameProperties` adds what every Surety message carries (uuid v7 messageId,
 * correlationId, type, timestamp, headers), so the broker stores equal messages.
 */
export async function rawPublish(
  url: string,
  queue: string,
  count: number,
  body: Buffer,
  window: number,
  sameProperties = false,
) {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    const pump = () => {
      while (inflight < window && sent < count) {
        sent++;
        inflight++;
        channel.publish('', queue, body, properties(sameProperties, queue), (err) => {
          if (err) return reject(err);
          inflight--;
          if (++confirmed === count) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await connection.close();
  return count / seconds;
}

function properties(same: boolean, queue: string): Options.Publish {
  const base: Options.Publish = {
    persistent: true,
    mandatory: true,
    contentType: 'application/json',
  };
  if (!same) return base;
  const id = v7();
  return {
    ...base,
    messageId: id,
    correlationId: id,
    type: queue,
    timestamp: Math.floor(Date.now() / 1000),
    headers: {},
  };
}

/** Baseline: a raw amqplib consumer, manual ack per message, prefetch `prefetch`. */
export async function rawConsume(url: string, queue: string, count: number, prefetch: number) {
  const connection = await connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(prefetch);
  // Timed from the first delivery to the last, as the Surety consumer (start-up excluded on both sides).
  let start = 0n;
  await new Promise<void>((resolve) => {
    let received = 0;
    void channel.consume(queue, (message) => {
      if (!message) return;
      if (received === 0) start = process.hrtime.bigint();
      JSON.parse(message.content.toString());
      channel.ack(message);
      if (++received === count) resolve();
    });
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await connection.close();
  return (count - 1) / seconds;
}

/** Fills a queue (untimed) for the consume workloads. */
export async function fill(url: string, queue: string, count: number, body: Buffer) {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (let i = 0; i < count; i++) {
    if (!channel.publish('', queue, body, { persistent: true, contentType: 'application/json' })) {
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
