import { randomBytes } from 'node:crypto';

/** The pseudo-queue a client consumes (no-ack) to receive direct replies. */
export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';
const PREFIX = `${REPLY_TO_QUEUE}.`;

/** A fresh reply address for one consuming channel ("amq.rabbitmq.reply-to.<token>"). */
export function newReplyToken(): string {
  return PREFIX + randomBytes(18).toString('base64url');
}

/** True for a routing key addressing a direct reply-to consumer. */
export function isReplyToKey(routingKey: string): boolean {
  return routingKey.startsWith(PREFIX);
}
