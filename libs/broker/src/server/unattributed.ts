import type { AmqpError } from '../protocol';

const marked = new WeakSet<AmqpError>();

/**
 * Marks an error RabbitMQ reports with class and method 0 even though a method
 * caused it (refused login, channel_max reached), so the connection does not
 * attribute it to the method being handled.
 */
export function unattributed(error: AmqpError): AmqpError {
  marked.add(error);
  return error;
}

export function isUnattributed(error: AmqpError): boolean {
  return marked.has(error);
}
