import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Options } from 'amqplib';

/** One raw confirmed-publish run: what to send and how many may wait for their confirms. */
export interface ConfirmPumpOptions {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly count: number;
  /** Publishes left unconfirmed at most. */
  readonly window: number;
  readonly properties: () => Options.Publish;
}

/**
 * The raw baseline the benches compare Surety with: what a competent amqplib user
 * writes — a confirm channel keeping `window` publishes in flight, the next one sent
 * as each confirm arrives. Resolves when all `count` are confirmed.
 */
export function confirmPump(channel: ConfirmChannel, options: ConfirmPumpOptions): Promise<void> {
  const { exchange, routingKey, body, count, window, properties } = options;
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    const next = () => {
      while (inflight < window && sent < count) {
        sent++;
        inflight++;
        channel.publish(exchange, routingKey, body, properties(), (error) => {
          if (error) return reject(error instanceof Error ? error : new Error(String(error)));
          inflight--;
          if (++confirmed === count) resolve();
          else next();
        });
      }
    };
    if (count === 0) resolve();
    else next();
  });
}

/**
 * The properties every Surety message carries (persistent, mandatory, JSON, ids, type,
 * time), so that a raw baseline makes the broker store messages of equal size. The id
 * is Node's randomUUID (pooled entropy, the cheapest uuid there is), not the uuid
 * package's v7, which draws fresh randomness per id and would make the baseline look
 * slower than a careful raw publisher is.
 */
export function suretyLikeProperties(type: string): Options.Publish {
  const id = randomUUID();
  return {
    persistent: true,
    mandatory: true,
    contentType: 'application/json',
    messageId: id,
    correlationId: id,
    type,
    timestamp: Math.floor(Date.now() / 1000),
    headers: {},
  };
}
