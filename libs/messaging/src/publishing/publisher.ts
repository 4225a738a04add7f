import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import {
  ConnectionManager,
  WaitTimeoutError,
  errorText,
  type ConnectionHook,
} from '../connection/connection-manager';
import type { DelayRouter } from '../delay/delay-router';
import {
  ConnectionLostError,
  ExchangeNotFoundError,
  MessagingError,
  PublishTimeoutError,
  PublisherClosedError,
  InvalidMessageError,
  type PublishTarget,
} from '../errors';
import type {
  OutgoingMessage,
  PublishOptions,
  PublishResult,
} from '../interfaces/publish-options.interface';
import { ConfirmTracker } from './confirm-tracker';
import { buildMessage, type BuiltMessage } from './message-builder';
import { PendingPublish, type Verdict } from './pending-publish';

const NO_OPTIONS: PublishOptions = {};

export interface PublisherOptions {
  /** Most unconfirmed messages in flight on the confirm channel. Default 1000. */
  readonly window?: number;
  /** How long publish() waits for the broker's confirm. Default 10 000 ms. */
  readonly confirmTimeoutMs?: number;
  /** How long a publish made while disconnected (or blocked) waits before failing. Default 10 000 ms. */
  readonly connectionWaitMs?: number;
  /**
   * The largest message body the broker takes (its `max_message_size`). A larger one is
   * refused here with InvalidMessageError: sent, it would make the broker close the
   * channel that every message in flight shares. Default 128 MiB, RabbitMQ 3.x's default
   * and the embedded broker's limit; RabbitMQ 4.0 lowered its default to 16 MiB.
   */
  readonly maxMessageBytes?: number;
}

/** RabbitMQ 3.x's default `max_message_size`, and the embedded broker's. */
export const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

/**
 * Publishes on one shared confirm channel. Many concurrent publish() calls are
 * in flight at once (up to `window`), so throughput is not bound by one
 * round trip per message; each call still resolves only after its own confirm.
 * Reopens the channel after a reconnect (or after the broker closed it).
 */
export class Publisher implements ConnectionHook {
  readonly name = 'publisher';
  readonly order = 10;
  private readonly logger = new Logger('Surety.Publisher');
  private readonly window: number;
  private readonly confirmTimeoutMs: number;
  private readonly connectionWaitMs: number;
  private readonly maxMessageBytes: number;
  private tracker: ConfirmTracker | undefined;
  private inflight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly knownExchanges = new Set<string>(['']);
  private readonly checkingExchanges = new Map<string, Promise<boolean>>();
  private checkChannel: Promise<Channel> | undefined;
  private closed = false;
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly connections: ConnectionManager,
    options: PublisherOptions = {},
    private readonly delays?: DelayRouter,
  ) {
    this.window = options.window ?? 1000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
    this.connectionWaitMs = options.connectionWaitMs ?? 10_000;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(this.maxMessageBytes) || this.maxMessageBytes < 1) {
      throw new RangeError(
        `publishing.maxMessageBytes must be a positive integer, got ${options.maxMessageBytes}`,
      );
    }
    this.sweep = setInterval(() => this.tracker?.expire(Date.now()), 100);
    this.sweep.unref();
    connections.addHook(this);
  }

  /**
   * Publishes and resolves once the broker confirmed the message (stored it).
   * Rejects with UnroutableMessageError (returned, not retryable),
   * PublishNackedError / PublishTimeoutError / ConnectionLostError (retryable).
   */
  publish(
    exchange: string,
    routingKey: string,
    payload: unknown,
    options: PublishOptions = NO_OPTIONS,
  ): Promise<string> {
    let built: BuiltMessage;
    try {
      built = buildMessage(exchange, routingKey, payload, options);
    } catch (error) {
      return Promise.reject(failure(options.messageId ?? '', error, undefined, 0));
    }
    return this.enqueue<string>(built, options, 'throw');
  }

  /**
   * Sends all messages without waiting in between, then waits once for their
   * confirms. Never rejects: each message gets its own verdict, in input order.
   */
  publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishResult[]> {
    return Promise.all(
      messages.map((message) => {
        const options = message.options ?? NO_OPTIONS;
        let built: BuiltMessage;
        try {
          built = buildMessage(message.exchange, message.routingKey, message.payload, options);
        } catch (error) {
          const messageId = options.messageId ?? '';
          return Promise.resolve<PublishResult>({
            messageId,
            status: 'failed',
            error: failure(messageId, error, undefined, 0),
          });
        }
        return this.enqueue<PublishResult>(built, options, 'result');
      }),
    );
  }

  /** Publishes an already built message (used by retries, dead letters and replay). Never rejects. */
  send(message: BuiltMessage, options: PublishOptions = NO_OPTIONS): Promise<PublishResult> {
    return this.enqueue<PublishResult>(message, options, 'result');
  }

  private enqueue<T extends string | PublishResult>(
    message: BuiltMessage,
    options: PublishOptions,
    verdict: Verdict,
  ): Promise<T> {
    const entry = new PendingPublish(
      message.exchange,
      message.routingKey,
      message.properties.messageId,
      options.timeoutMs ?? this.confirmTimeoutMs,
      verdict,
      this.onSettled,
    );
    const promise = entry.promise<T>();
    if (this.closed) {
      entry.fail('failed', new PublisherClosedError(entry.target()));
      return promise;
    }
    if (message.content.length > this.maxMessageBytes) {
      // Fails alone and final: a retry would be just as large.
      entry.fail(
        'failed',
        new InvalidMessageError(
          entry.messageId,
          `its body of ${message.content.length} bytes is larger than the broker takes ` +
            `(publishing.maxMessageBytes, the broker's max_message_size: ${this.maxMessageBytes})`,
        ),
      );
      return promise;
    }
    // Fast path (the common case under load): no delay, known exchange, a free slot,
    // an open channel, not blocked: no awaits before the frame goes out.
    const tracker = this.tracker;
    if (
      tracker !== undefined &&
      !(options.delay! > 0) &&
      this.inflight < this.window &&
      this.knownExchanges.has(message.exchange) &&
      !this.connections.blocked
    ) {
      this.takeSlot(entry);
      try {
        this.sendOn(tracker, message, entry);
      } catch (error) {
        // A message that cannot be encoded fails alone; a closed channel means wait for the next.
        if (error instanceof MessagingError) entry.fail('failed', error);
        else void this.dispatch(message, entry, Date.now() + this.connectionWaitMs);
      }
    } else {
      void this.sendSlowly(message, entry, options);
    }
    return promise;
  }

  private async sendSlowly(
    message: BuiltMessage,
    entry: PendingPublish,
    options: PublishOptions,
  ): Promise<void> {
    const waitUntil = Date.now() + this.connectionWaitMs;
    try {
      if (options.delay !== undefined && options.delay > 0) {
        if (!this.delays) throw new TypeError('delay requested but no delay router is configured');
        const route = await this.delays.route(
          message.exchange,
          message.routingKey,
          options.delay,
          message.properties.headers,
          this.connectionWaitMs,
        );
        if (route) {
          message = {
            ...message,
            exchange: route.exchange,
            properties: { ...message.properties, headers: route.headers },
          };
        }
      }
      if (
        !this.knownExchanges.has(message.exchange) &&
        !(await this.exchangeExists(message.exchange, waitUntil))
      ) {
        entry.fail('failed', new ExchangeNotFoundError(entry.target()));
        return;
      }
      await this.acquireSlot(entry, waitUntil);
    } catch (error) {
      entry.fail('failed', failure(entry.messageId, error, entry.target(), this.connectionWaitMs));
      return;
    }
    await this.dispatch(message, entry, waitUntil);
  }

  /** Counts `entry` against the window; its confirm deadline starts now. */
  private takeSlot(entry: PendingPublish): void {
    this.inflight++;
    entry.holdsSlot = true;
    entry.deadline = Date.now() + entry.timeoutMs;
  }

  /** Runs once per message when its verdict is known (one function for all messages). */
  private readonly onSettled = (entry: PendingPublish, status: PublishResult['status']): void => {
    if (entry.holdsSlot) {
      entry.holdsSlot = false;
      this.releaseSlot();
    }
    const metrics = this.connections.metrics;
    if (status === 'confirmed') metrics.published++;
    else if (status === 'returned') metrics.returned++;
    else if (status === 'nacked') metrics.nacked++;
  };

  /** Stops taking messages, waits (bounded) for outstanding confirms, closes the channel. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inflight > 0 && Date.now() < deadline) await sleep(20);
    clearInterval(this.sweep);
    const tracker = this.tracker;
    this.tracker = undefined;
    tracker?.failAll('publisher closed');
    await tracker?.channel.close().catch(() => undefined);
    const check = this.checkChannel;
    this.checkChannel = undefined;
    await check?.then((c) => c.close()).catch(() => undefined);
  }

  get inFlight(): number {
    return this.inflight;
  }

  async onConnected(connection: ChannelModel): Promise<void> {
    await this.openChannel(connection);
  }

  private async openChannel(connection: ChannelModel): Promise<void> {
    if (this.closed) return;
    const channel: ConfirmChannel = await connection.createConfirmChannel();
    const tracker = new ConfirmTracker(channel);
    channel.on('error', (error: Error) => {
      this.logger.warn(`confirm channel error: ${error.message}`);
      const missing = /no exchange '([^']*)'/.exec(error.message);
      if (missing) this.knownExchanges.delete(missing[1]);
    });
    channel.on('close', () => {
      tracker.failAll('channel closed before the confirm arrived');
      if (this.tracker !== tracker) return;
      this.tracker = undefined;
      // The broker closed only the channel (e.g. a 404): reopen it on the same connection.
      if (!this.closed && this.connections.connected) {
        this.connections
          .waitForConnection(this.connectionWaitMs)
          .then((c) => this.openChannel(c))
          .catch((error) =>
            this.logger.error(`cannot reopen confirm channel: ${errorText(error)}`),
          );
      }
    });
    this.checkChannel = undefined;
    this.tracker = tracker;
    this.connections.emit('publisher-ready');
  }

  /** Hands one message to the channel; writes are coalesced until the end of the turn. */
  private sendOn(tracker: ConfirmTracker, message: BuiltMessage, entry: PendingPublish): void {
    tracker.send(message.exchange, message.routingKey, message.content, message.properties, entry);
    this.connections.coalesceWrites();
  }

  /** Sends on the current channel; if it closed before the send, waits for the next one. */
  private async dispatch(message: BuiltMessage, entry: PendingPublish, waitUntil: number) {
    for (;;) {
      try {
        const tracker = this.tracker ?? (await this.waitForTracker(waitUntil));
        this.sendOn(tracker, message, entry);
        return;
      } catch (error) {
        if (error instanceof MessagingError || error instanceof WaitTimeoutError) {
          entry.fail(
            'failed',
            failure(entry.messageId, error, entry.target(), this.connectionWaitMs),
          );
          return;
        }
        // Channel closed under us before the frame went out: nothing was sent, try the next channel.
        this.tracker = undefined;
        await sleep(10);
      }
    }
  }

  private async waitForTracker(waitUntil: number): Promise<ConfirmTracker> {
    for (;;) {
      if (this.closed) throw new ConnectionLostError(undefined, 'publisher closed');
      const remaining = waitUntil - Date.now();
      if (remaining <= 0) throw new WaitTimeoutError('connection');
      await this.connections.waitForConnection(remaining, { unblocked: true });
      if (this.tracker) return this.tracker;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, 100));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.connections.once('publisher-ready', done);
      });
    }
  }

  private async acquireSlot(entry: PendingPublish, waitUntil: number): Promise<void> {
    if (this.connections.blocked) {
      await this.connections.waitForConnection(Math.max(1, waitUntil - Date.now()), {
        unblocked: true,
      });
    }
    if (this.inflight < this.window) {
      this.takeSlot(entry);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const index = this.waiters.indexOf(grant);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new PublishTimeoutError(entry.target(), this.connectionWaitMs, 'confirm'));
        },
        Math.max(1, waitUntil - Date.now()),
      );
      // releaseSlot hands its slot over without decrementing `inflight`.
      const grant = () => {
        clearTimeout(timer);
        entry.holdsSlot = true;
        entry.deadline = Date.now() + entry.timeoutMs;
        resolve();
      };
      this.waiters.push(grant);
    });
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inflight--;
  }

  private async exchangeExists(exchange: string, waitUntil: number): Promise<boolean> {
    let check = this.checkingExchanges.get(exchange);
    if (!check) {
      check = this.checkExchange(exchange, waitUntil).finally(() =>
        this.checkingExchanges.delete(exchange),
      );
      this.checkingExchanges.set(exchange, check);
    }
    return check;
  }

  /** checkExchange on a side channel: a 404 there closes only that channel. */
  private async checkExchange(exchange: string, waitUntil: number): Promise<boolean> {
    const connection = await this.connections.waitForConnection(
      Math.max(1, waitUntil - Date.now()),
    );
    this.checkChannel ??= connection.createChannel().then((channel) => {
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.checkChannel === opened) this.checkChannel = undefined;
      });
      return channel;
    });
    const opened = this.checkChannel;
    const channel = await opened;
    try {
      await channel.checkExchange(exchange);
      this.knownExchanges.add(exchange);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return false;
      throw new ConnectionLostError(
        undefined,
        `checking exchange '${exchange}': ${errorText(error)}`,
      );
    }
  }
}

/** The typed error for a publish that failed before or instead of a broker verdict. */
function failure(
  messageId: string,
  error: unknown,
  target: PublishTarget | undefined,
  waitedMs: number,
): MessagingError {
  if (error instanceof MessagingError) return error;
  if (error instanceof WaitTimeoutError && target) {
    return new PublishTimeoutError(target, waitedMs, error.phase);
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    return new InvalidMessageError(messageId, error.message);
  }
  return new ConnectionLostError(target, errorText(error), { cause: error });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
