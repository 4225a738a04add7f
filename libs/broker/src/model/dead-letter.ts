import type { BasicProperties, FieldTable, FieldValue } from '../protocol';
import type { Message } from './message';
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

  const previous = headers['x-death']?.type === 'A' ? headers['x-death'].value : [];
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
  if (headers['x-first-death-reason'] === undefined) {
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
    message: message.withProperties(deadLetterExchange, routingKeys[0]!, next),
    routingKeys,
  };
}

/**
 * True when dead-lettering into `queueName` would close a cycle that involved no
 * rejection (RabbitMQ then drops the message for that queue). `deaths` is the
 * x-death array after this death was added, newest first.
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
