import { randomUUID } from 'node:crypto';
import { connect, type ConfirmChannel, type Options } from 'amqplib';
import { EVENT_TYPE, WINDOW } from '../config';
import { Meter, type Costs } from '../meter';

export interface RawPublishArgs {
  readonly url: string;
  readonly exchange: string;
  /** The bytes the relay publishes for one event (jsonb's text of the payload). */
  readonly body: string;
  readonly count: number;
  readonly warmup: number;
}

/**
 * What the relay sets on an outbox message (see OutboxRelay's toOutgoing and the
 * publisher's buildMessage), so that the broker stores messages of equal size.
 */
function relayLikeProperties(): Options.Publish {
  const id = randomUUID();
  return {
    persistent: true,
    mandatory: true,
    contentType: 'application/json',
    messageId: id,
    correlationId: id,
    type: EVENT_TYPE,
    timestamp: Math.floor(Date.now() / 1000),
    headers: {},
  };
}

/**
 * The baseline of (a): amqplib's confirm channel keeping WINDOW publishes unconfirmed,
 * to the same exchange and routing key the relay uses.
 */
export async function rawPublish(args: RawPublishArgs): Promise<Costs> {
  const connection = await connect(args.url);
  const channel = await connection.createConfirmChannel();
  const body = Buffer.from(args.body);
  const meter = await Meter.create(undefined, 'raw-publish');
  try {
    await pump(channel, args.exchange, body, args.warmup);
    await meter.start();
    await pump(channel, args.exchange, body, args.count);
    return await meter.stop(args.count);
  } finally {
    await meter.close();
    await connection.close();
  }
}

function pump(channel: ConfirmChannel, exchange: string, body: Buffer, count: number) {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    const next = () => {
      while (inflight < WINDOW && sent < count) {
        sent++;
        inflight++;
        channel.publish(exchange, EVENT_TYPE, body, relayLikeProperties(), (error) => {
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
