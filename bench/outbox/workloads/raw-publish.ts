import { connect, type ConfirmChannel } from 'amqplib';
import { confirmPump, suretyLikeProperties } from '../../support/confirm-pump';
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

/** The relay sets the same properties on an outbox message (see OutboxRelay's toOutgoing). */
function pump(channel: ConfirmChannel, exchange: string, body: Buffer, count: number) {
  return confirmPump(channel, {
    exchange,
    routingKey: EVENT_TYPE,
    body,
    count,
    window: WINDOW,
    properties: () => suretyLikeProperties(EVENT_TYPE),
  });
}
