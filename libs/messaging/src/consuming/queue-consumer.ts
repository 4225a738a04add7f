import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { backoffDelay, type BackoffOptions } from '../connection/backoff';
import {
  errorText,
  type ConnectionHook,
  type ConnectionManager,
} from '../connection/connection-manager';
import { MessagingConfigurationError } from '../errors';
import { flushAcks } from './ack-batcher';

/** What to do with one delivery; must settle it (ack/nack) on the given channel. */
export type DeliveryProcessor = (message: ConsumeMessage, channel: Channel) => Promise<void>;

export interface QueueConsumerOptions {
  readonly queue: string;
  readonly prefetch: number;
  readonly concurrency: number;
  readonly consume?: Options.Consume;
  /** Checked before each (re)attach; false skips this consumer (e.g. its queue failed to declare). */
  readonly canAttach?: () => boolean;
  /** Pacing of re-attach attempts while the connection stays up. Default: backoff defaults. */
  readonly reattach?: BackoffOptions;
  /**
   * Runs before each re-attach on a live connection: re-declares the topology,
   * so a queue deleted under the consumer comes back as it would at a reconnect.
   */
  readonly restore?: (connection: ChannelModel) => Promise<unknown>;
}

/**
 * 'consuming': attached, or (re)attaching; 'paused': cancelled by the
 * application until it resumes; 'stopped': shutting down, for good.
 */
type Mode = 'consuming' | 'paused' | 'stopped';

/**
 * One consumer on one queue with its own channel (prefetch is per channel).
 * Attaches on every connect. While the connection stays up it also comes back
 * by itself, with backoff, when only its channel closed (a channel error) or
 * the broker cancelled it (its queue was deleted): the topology is declared
 * again first. Runs at most `concurrency` processors at a time. pause() and
 * stop() cancel, let in-flight work finish and settle, then close the channel
 * (unstarted deliveries are requeued by the broker on close); a paused
 * consumer stays detached across reconnects until resume().
 */
export class QueueConsumer implements ConnectionHook {
  readonly name: string;
  readonly order = 20;
  private readonly logger: Logger;
  private mode: Mode = 'consuming';
  private connection: ChannelModel | undefined;
  private generation = 0;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private attaching: Promise<void> | undefined;
  private detaching: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  private running = 0;
  private readonly backlog: { message: ConsumeMessage; channel: Channel }[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly connections: ConnectionManager,
    readonly options: QueueConsumerOptions,
    private readonly processor: DeliveryProcessor,
  ) {
    this.name = `consumer of queue '${options.queue}'`;
    this.logger = new Logger(`Surety.Consumer(${options.queue})`);
    // prefetch 0 is AMQP's "no limit", and concurrency (default: prefetch) 0 runs nothing:
    // the broker would push the whole queue into a backlog that never starts.
    for (const name of ['prefetch', 'concurrency'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value < 1) {
        throw new MessagingConfigurationError(
          `queue '${options.queue}': ${name} must be a whole number of at least 1, got ${String(value)}`,
        );
      }
    }
  }

  /** Attached to the queue right now. */
  get active(): boolean {
    return this.consumerTag !== undefined;
  }
  get paused(): boolean {
    return this.mode === 'paused';
  }
  get inFlight(): number {
    return this.running;
  }

  async onConnected(connection: ChannelModel, generation: number): Promise<void> {
    this.connection = connection;
    this.generation = generation;
    this.clearRetry();
    this.retryAttempt = 0;
    // A channel of the previous connection may still be referenced if its close came late.
    this.channel = undefined;
    this.consumerTag = undefined;
    if (this.mode !== 'consuming') return;
    await this.attach(connection, generation, false);
  }

  /**
   * Cancels the consumer until resume(): not re-attached after reconnects.
   * Waits up to `timeoutMs` for running handlers to finish and settle, then
   * closes the channel (prefetched, unstarted messages go back to the queue).
   */
  async pause(timeoutMs: number): Promise<void> {
    if (this.mode === 'consuming') {
      this.mode = 'paused';
      this.detaching = this.detach(timeoutMs).finally(() => (this.detaching = undefined));
    }
    await this.detaching;
  }

  /**
   * Consumes again after pause(). Resolves once attached, or at once while
   * disconnected (it attaches at the next connect); a failed attach is logged
   * and retried with backoff, as after a channel error.
   */
  async resume(): Promise<void> {
    if (this.mode === 'stopped') {
      throw new Error(`cannot resume the consumer of queue '${this.options.queue}': shutting down`);
    }
    await this.detaching;
    if (this.mode !== 'paused') return;
    this.mode = 'consuming';
    this.retryAttempt = 0;
    const connection = this.connection;
    if (connection && this.isLive(this.generation)) {
      await this.attach(connection, this.generation, false);
    }
  }

  /** Like pause(), for good (application shutdown). */
  async stop(timeoutMs: number): Promise<void> {
    this.mode = 'stopped';
    await this.detaching;
    await this.detach(timeoutMs);
  }

  private async detach(timeoutMs: number): Promise<void> {
    this.clearRetry();
    while (this.attaching) await this.attaching;
    const channel = this.channel;
    const tag = this.consumerTag;
    // Cleared first so that closing this channel is not taken for a failure to recover from.
    this.channel = undefined;
    this.consumerTag = undefined;
    if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    if (channel) this.dropBacklogOf(channel);
    await this.whenIdle(timeoutMs);
    if (this.running > 0) {
      this.logger.warn(
        `${this.running} handler(s) still running after ${timeoutMs} ms; their messages will be redelivered`,
      );
    }
    // Finished handlers' acks may still wait for their batch: send them before closing.
    if (channel) flushAcks(channel);
    await channel?.close().catch(() => undefined);
  }

  /** One attach at a time; a later one (new connection, resume) waits for the running one. */
  private async attach(
    connection: ChannelModel,
    generation: number,
    restore: boolean,
  ): Promise<void> {
    while (this.attaching) await this.attaching;
    if (this.mode !== 'consuming' || generation !== this.generation || this.active) return;
    this.attaching = this.tryAttach(connection, generation, restore);
    try {
      await this.attaching;
    } finally {
      this.attaching = undefined;
    }
  }

  private async tryAttach(
    connection: ChannelModel,
    generation: number,
    restore: boolean,
  ): Promise<void> {
    const queue = this.options.queue;
    try {
      if (restore) await this.options.restore?.(connection);
      if (this.options.canAttach && !this.options.canAttach()) {
        this.logger.error(`not consuming queue '${queue}': its declaration failed (see above)`);
        return;
      }
      // After a broker cancel the channel is still open (its in-flight acks go on it): reuse it.
      const channel = this.channel ?? (await this.openChannel(connection, generation));
      // Paused meanwhile (detach() closes the channel), or a new connection took over.
      if (this.mode !== 'consuming' || generation !== this.generation) return;
      const reply = await channel.consume(
        queue,
        (message) => this.onDelivery(message, channel, generation),
        { noAck: false, ...this.options.consume },
      );
      if (generation !== this.generation) return; // its connection died meanwhile
      this.consumerTag = reply.consumerTag;
      this.retryAttempt = 0;
      if (restore) this.connections.metrics.consumerReattaches++;
      this.logger.log(`consuming queue '${queue}' (prefetch ${this.options.prefetch})`);
    } catch (error) {
      this.logger.error(`could not consume queue '${queue}': ${errorText(error)}`);
      this.scheduleReattach(generation);
    }
  }

  private async openChannel(connection: ChannelModel, generation: number): Promise<Channel> {
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) =>
      this.logger.error(
        `the channel consuming queue '${this.options.queue}' failed: ${error.message}; ` +
          `the consumer re-attaches on a new channel`,
      ),
    );
    channel.on('close', () => {
      // Deliveries not yet started on a closed channel will be redelivered by the broker.
      this.dropBacklogOf(channel);
      if (this.channel !== channel) return; // closed on purpose (pause, stop) or replaced
      this.channel = undefined;
      this.consumerTag = undefined;
      // Also runs when the whole connection died; the retry then finds it not live and
      // leaves the consumer to the reconnect.
      this.scheduleReattach(generation);
    });
    if (generation === this.generation) this.channel = channel;
    await channel.prefetch(this.options.prefetch);
    return channel;
  }

  private onDelivery(message: ConsumeMessage | null, channel: Channel, generation: number): void {
    if (message === null) {
      // basic.cancel from the broker: the queue was deleted (or, on RabbitMQ, its node is gone).
      if (this.channel !== channel) return;
      this.consumerTag = undefined;
      if (this.mode !== 'consuming') return;
      this.logger.error(
        `the broker cancelled the consumer of queue '${this.options.queue}' (queue deleted?); ` +
          `declaring the topology again and re-attaching`,
      );
      this.scheduleReattach(generation);
      return;
    }
    // Pausing or stopping: leave it unacked; the broker requeues it when the channel closes.
    if (this.mode !== 'consuming') return;
    if (this.running < this.options.concurrency) this.run(message, channel);
    else this.backlog.push({ message, channel });
  }

  private scheduleReattach(generation: number): void {
    if (this.mode !== 'consuming' || this.retryTimer || generation !== this.generation) return;
    const attempt = ++this.retryAttempt;
    const delay = backoffDelay(attempt, this.options.reattach);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const connection = this.connection;
      // Not live: the connection went down too, and onConnected attaches after the reconnect.
      if (this.mode !== 'consuming' || !connection || !this.isLive(generation)) return;
      this.logger.warn(
        `re-attaching the consumer of queue '${this.options.queue}' (attempt ${attempt})`,
      );
      void this.attach(connection, generation, true);
    }, delay);
  }

  private isLive(generation: number): boolean {
    return (
      generation === this.generation &&
      this.connections.connected &&
      this.connections.currentGeneration === generation
    );
  }

  private clearRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private run(message: ConsumeMessage, channel: Channel): void {
    this.running++;
    // One reaction per delivery (not catch + finally): this runs for every message.
    this.processor(message, channel).then(this.done, this.failed);
  }

  private readonly failed = (error: unknown): void => {
    this.logger.error(
      `unexpected failure processing a message from '${this.options.queue}': ${errorText(error)}`,
    );
    this.done();
  };

  private readonly done = (): void => {
    this.running--;
    const next = this.mode === 'consuming' ? this.backlog.shift() : undefined;
    if (next) this.run(next.message, next.channel);
    else if (this.running === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  };

  private dropBacklogOf(channel: Channel): void {
    for (let i = this.backlog.length - 1; i >= 0; i--) {
      if (this.backlog[i].channel === channel) this.backlog.splice(i, 1);
    }
  }

  private whenIdle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
