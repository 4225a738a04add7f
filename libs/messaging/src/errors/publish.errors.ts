import { MessagingError } from './messaging.error';

/** Where a failed publish was going, so every error names the thing. */
export interface PublishTarget {
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageId: string;
}

function describeTarget(target: PublishTarget): string {
  const exchange = target.exchange === '' ? '(default exchange)' : `exchange '${target.exchange}'`;
  return `message ${target.messageId} to ${exchange} with routing key '${target.routingKey}'`;
}

/**
 * The broker returned a mandatory message (basic.return): no queue is bound
 * for it. Publishing it again changes nothing until the topology changes.
 *
 * @publicApi
 */
export class UnroutableMessageError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly target: PublishTarget,
    readonly replyCode: number,
    readonly replyText: string,
  ) {
    super(`${describeTarget(target)} is unroutable: ${replyCode} ${replyText}`);
  }
}

/**
 * The broker nacked the publish (e.g. a queue in reject-publish overflow, or an
 * internal error). It did not store the message; publishing again may succeed.
 *
 * @publicApi
 */
export class PublishNackedError extends MessagingError {
  readonly retryable = true;
  constructor(readonly target: PublishTarget) {
    super(`${describeTarget(target)} was nacked by the broker`);
  }
}

/**
 * No confirm arrived in time. The broker may or may not have stored the
 * message; publishing again is safe for idempotent consumers (same messageId).
 *
 * @publicApi
 */
export class PublishTimeoutError extends MessagingError {
  readonly retryable = true;
  constructor(
    readonly target: PublishTarget,
    readonly timeoutMs: number,
    phase: 'confirm' | 'connection' | 'flow',
  ) {
    const waitingFor =
      phase === 'confirm'
        ? 'the broker confirm'
        : phase === 'connection'
          ? 'a connection to the broker'
          : 'the broker to lift connection.blocked';
    super(`${describeTarget(target)} timed out after ${timeoutMs} ms waiting for ${waitingFor}`);
  }
}

/**
 * The connection (or channel) closed before the broker confirmed the message.
 * Whether it was stored is unknown; publish it again (same messageId).
 *
 * @publicApi
 */
export class ConnectionLostError extends MessagingError {
  readonly retryable = true;
  constructor(
    readonly target: PublishTarget | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      target
        ? `connection lost before ${describeTarget(target)} was confirmed: ${reason}`
        : `connection lost: ${reason}`,
      options,
    );
  }
}

/**
 * The publisher is shutting down (or shut down) and takes no new messages.
 *
 * @publicApi
 */
export class PublisherClosedError extends MessagingError {
  readonly retryable = false;
  constructor(readonly target: PublishTarget) {
    super(
      `${describeTarget(target)} rejected: the publisher is closed (application shutting down)`,
    );
  }
}

/**
 * The target exchange does not exist (checked before the first publish to it,
 * so one bad target cannot close the channel shared by every other publish).
 *
 * @publicApi
 */
export class ExchangeNotFoundError extends MessagingError {
  readonly retryable = false;
  constructor(readonly target: PublishTarget) {
    super(
      `${describeTarget(target)} rejected: exchange '${target.exchange}' does not exist (declare it in the topology)`,
    );
  }
}

/**
 * The message itself cannot be sent: its payload is not JSON-serialisable, or
 * its delay is out of range. Sending it again will fail the same way.
 *
 * @publicApi
 */
export class InvalidMessageError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly messageId: string,
    reason: string,
  ) {
    super(`message ${messageId || '(unnamed)'} rejected: ${reason}`);
  }
}
