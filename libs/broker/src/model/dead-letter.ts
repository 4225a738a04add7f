import type { BasicProperties, FieldTable, FieldValue } from '../protocol';
import { Message } from './message';
import { originalRoutingKeys } from './router';

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface DeadLetter {
  readonly message: Message;
  /** Keys to route the dead-lettered message with in the DLX. */
  readonly routingKeys: string[];
}

/**
 * Builds the message a queue dead-letters: x-death updated (newest first, one
 * entry per queue and reason whose count grows), x-first-death-* kept, x-last-death-*
 * refreshed, expiration moved to original-expiration, routed with the queue's
 * dead-letter routing key (dropping CC) or else the original keys.
 *
 * The death history is the broker's own, as in RabbitMQ 4 (4.0 release notes,
 * "AMQP 0.9.1 x-death header"): only deaths this broker recorded accumulate
 * (message.brokerRecordedDeaths). An x-death or x-first-death-* a client published,
 * e.g. by republishing a dead letter with its headers, is not read: this death
 * starts a new history and overwrites them. RabbitMQ up to 3.13 read the client's
 * x-death and counted on.
 */
export function deadLetterMessage(
  message: Message,
  reason: DeathReason,
  queueName: string,
  deadLetterExchange: string,
  deadLetterRoutingKey: string | undefined,
  now: number = Date.now(),
): DeadLetter {
  const props = message.properties;
  const headers: FieldTable = { ...(props.headers ?? {}) };
  // A quorum queue's x-delivery-count describes one delivery: RabbitMQ adds it to
  // the copy it delivers, never to the message it dead-letters. This broker keeps
  // it in the queued message (Vhost.withDeliveryCount), so it is taken off here.
  // (A client's own x-delivery-count header goes too: a rare deviation.)
  delete headers['x-delivery-count'];
  const originalKeys = originalRoutingKeys(message);
  const entry: FieldTable = {
    count: { type: 'l', value: 1n },
    exchange: { type: 'S', value: message.exchange },
  };
  if (props.expiration !== undefined) {
    entry['original-expiration'] = { type: 'S', value: props.expiration };
  }
  entry['queue'] = { type: 'S', value: queueName };
  entry['reason'] = { type: 'S', value: reason };
  entry['routing-keys'] = { type: 'A', value: originalKeys.map((key) => str(key)) };
  entry['time'] = { type: 'T', value: BigInt(Math.floor(now / 1000)) };

  const recorded = message.brokerRecordedDeaths;
  const previous = recorded && headers['x-death']?.type === 'A' ? headers['x-death'].value : [];
  const others: FieldValue[] = [];
  let merged: FieldTable = entry;
  for (const item of previous) {
    if (
      item.type === 'F' &&
      textOf(item.value['queue']) === queueName &&
      textOf(item.value['reason']) === reason
    ) {
      // RabbitMQ keeps the first death's details and counts how often it recurred.
      const count = item.value['count'];
      const n = count === undefined ? 0n : BigInt(count.value as number | bigint);
      merged = { ...item.value, count: { type: 'l', value: n + 1n } };
    } else {
      others.push(item);
    }
  }
  headers['x-death'] = { type: 'A', value: [{ type: 'F', value: merged }, ...others] };
  if (!recorded || headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = str(reason);
    headers['x-first-death-queue'] = str(queueName);
    headers['x-first-death-exchange'] = str(message.exchange);
  }
  headers['x-last-death-reason'] = str(reason);
  headers['x-last-death-queue'] = str(queueName);
  headers['x-last-death-exchange'] = str(message.exchange);

  let routingKeys = message.publishedKeys !== undefined ? [...message.publishedKeys] : originalKeys;
  if (deadLetterRoutingKey !== undefined) {
    routingKeys = [deadLetterRoutingKey];
    delete headers['CC'];
  }
  const next: BasicProperties = { ...props, headers };
  delete next.expiration;
  return {
    message: Message.fromProperties(deadLetterExchange, routingKeys[0]!, next, message.body, true),
    routingKeys,
  };
}

/**
 * True when dead-lettering into `queueName` would close a cycle that involved no
 * rejection (RabbitMQ then drops the message for that queue). `message` is the
 * dead letter deadLetterMessage built, so its x-death is the broker's own history
 * with this death added, newest first: an x-death a client published naming the
 * queue does not make a cycle (RabbitMQ 4; 3.x dropped such a message).
 */
export function isDeathCycle(message: Message, queueName: string): boolean {
  const xDeath = message.headers?.['x-death'];
  if (xDeath === undefined || xDeath.type !== 'A') return false;
  for (const item of xDeath.value) {
    if (item.type !== 'F') continue;
    if (textOf(item.value['reason']) === 'rejected') return false;
    if (textOf(item.value['queue']) === queueName) return true;
  }
  return false;
}

function str(value: string): FieldValue {
  return { type: 'S', value };
}

function textOf(fv: FieldValue | undefined): string | undefined {
  if (fv === undefined) return undefined;
  if (fv.type === 'S') return fv.value;
  if (fv.type === 'x') return fv.value.toString('utf8');
  return undefined;
}
