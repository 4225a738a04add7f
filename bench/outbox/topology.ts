// Exchanges and queues of one workload: declared before it, deleted after it.
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { payload } from './config';

let serial = 0;

/** A name no other run or workload uses. */
export function benchName(kind: string): string {
  return `bench.outbox.${kind}.${process.pid}.${++serial}`;
}

/** A durable topic exchange with one durable queue bound to '#': where the relay publishes. */
export async function declareExchange(url: string, name: string): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(name, 'topic', { durable: true });
    await channel.assertQueue(name, { durable: true });
    await channel.bindQueue(name, name, '#');
  } finally {
    await connection.close();
  }
}

/**
 * Fills a durable queue (untimed) for a consumer: persistent messages with the
 * properties a Surety publisher sets, each with its own message id.
 */
export async function fillQueue(url: string, queue: string, count: number): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    const body = Buffer.from(JSON.stringify(payload));
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      const accepted = channel.publish('', queue, body, {
        persistent: true,
        contentType: 'application/json',
        messageId: id,
        correlationId: id,
        type: 'policy.issued',
        timestamp: Math.floor(Date.now() / 1000),
        headers: {},
      });
      if (!accepted) await new Promise((resolve) => channel.once('drain', resolve));
      // Bounded confirms outstanding, so a slow broker is not flooded.
      if (i % 5000 === 4999) await channel.waitForConfirms();
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Deletes queues and exchanges of that name (whichever exist). */
export async function deleteTopology(url: string, names: readonly string[]): Promise<void> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    for (const name of names) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.deleteExchange(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
