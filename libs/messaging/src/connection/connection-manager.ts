import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { connect, type ChannelModel } from 'amqplib';
import { BrokerUnreachableError, ConnectionLostError } from '../errors';
import { backoffDelay, type BackoffOptions } from './backoff';
import { maskUrl } from './broker-urls';
import { MessagingMetrics } from './messaging-metrics';
import { WriteCoalescer } from './write-coalescer';

/** What to do when no broker answers at start. */
export type StartupMode = 'fail-fast' | 'retry';

export interface ConnectionManagerOptions {
  /** Broker URLs in preference order (a cluster). Already validated. */
  readonly urls: readonly string[];
  /** Shown in the broker's connection list. */
  readonly connectionName?: string;
  /** AMQP heartbeat in seconds. Default 10, so a dead peer is noticed within ~20 s. */
  readonly heartbeatSeconds?: number;
  /** TCP connect timeout per URL in ms. Default 5 000. */
  readonly connectTimeoutMs?: number;
  readonly reconnect?: BackoffOptions;
  /** 'fail-fast' (default): start() throws after `startupRounds`; 'retry': start() returns and keeps trying. */
  readonly startup?: StartupMode;
  /** Rounds over the URL list before fail-fast gives up. Default 1. */
  readonly startupRounds?: number;
}

/**
 * Work that must happen on every fresh connection, in `order`: topology first,
 * then publisher channels, then consumers.
 */
export interface ConnectionHook {
  readonly name: string;
  readonly order: number;
  onConnected(connection: ChannelModel, generation: number): Promise<void>;
}

type State = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closing' | 'closed';

/**
 * Owns the one AMQP connection of the application: fails over across the URL
 * list, reconnects with exponential backoff + jitter, runs the registered hooks
 * after each (re)connect, and surfaces connection.blocked.
 *
 * Events: 'connected' (generation), 'disconnected' (error), 'ready' (generation,
 * after the hooks ran), 'blocked' (reason), 'unblocked'.
 */
export class ConnectionManager extends EventEmitter {
  private readonly logger = new Logger('Surety.Connection');
  private readonly hooks: ConnectionHook[] = [];
  private state: State = 'idle';
  private connection: ChannelModel | undefined;
  private generation = 0;
  private preferred = 0;
  private isBlocked = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private writes: WriteCoalescer | undefined;
  private lastErrors: { url: string; error: string }[] = [];

  constructor(
    private readonly options: ConnectionManagerOptions,
    readonly metrics: MessagingMetrics = new MessagingMetrics(),
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Registers work to redo after every connect (topology, channels, consumers). */
  addHook(hook: ConnectionHook): void {
    this.hooks.push(hook);
    this.hooks.sort((a, b) => a.order - b.order);
    if (this.connection && this.state === 'connected') {
      void this.runHook(hook, this.connection, this.generation);
    }
  }

  get connected(): boolean {
    return this.state === 'connected';
  }
  get blocked(): boolean {
    return this.isBlocked;
  }
  get currentGeneration(): number {
    return this.generation;
  }
  get closing(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }
  /**
   * Holds this turn's socket writes so they leave in one syscall (see
   * WriteCoalescer). Publishers call it after each publish; cheap when repeated.
   */
  coalesceWrites(): void {
    this.writes?.hold();
  }

  /** URLs (masked) and their last errors, for health output and logs. */
  get lastConnectErrors(): readonly { url: string; error: string }[] {
    return this.lastErrors;
  }
  get maskedUrls(): string[] {
    return this.options.urls.map(maskUrl);
  }

  /**
   * Connects. In fail-fast mode throws BrokerUnreachableError naming every URL
   * tried; in retry mode returns at once and keeps trying in the background.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    const rounds = Math.max(1, this.options.startupRounds ?? 1);
    if ((this.options.startup ?? 'fail-fast') === 'retry') {
      void this.connectLoop(1);
      return;
    }
    for (let round = 1; round <= rounds; round++) {
      if (await this.tryAllUrls()) return;
      if (round < rounds) await sleep(backoffDelay(round, this.options.reconnect));
    }
    this.state = 'closed';
    throw new BrokerUnreachableError(this.lastErrors);
  }

  /** The live connection, waiting up to `timeoutMs` for one (and for connection.blocked to lift). */
  async waitForConnection(
    timeoutMs: number,
    { unblocked = false }: { unblocked?: boolean } = {},
  ): Promise<ChannelModel> {
    const ready = () =>
      this.state === 'connected' && this.connection && (!unblocked || !this.isBlocked);
    if (ready()) return this.connection!;
    if (this.closing) throw new ConnectionLostError(undefined, 'connection manager is closed');
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) {
          cleanup();
          resolve(this.connection!);
        } else if (this.closing) {
          cleanup();
          reject(new ConnectionLostError(undefined, 'connection manager is closed'));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WaitTimeoutError(this.isBlocked && this.connected ? 'flow' : 'connection'));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('connected', check);
        this.off('unblocked', check);
        this.off('closing', check);
      };
      this.on('connected', check);
      this.on('unblocked', check);
      this.on('closing', check);
    });
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.emit('closing');
    clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.writes = undefined;
    if (connection) {
      await connection.close().catch(() => undefined);
    }
    this.state = 'closed';
  }

  private async connectLoop(round: number): Promise<void> {
    if (this.closing) return;
    if (await this.tryAllUrls()) return;
    if (this.closing) return;
    const delay = backoffDelay(round, this.options.reconnect);
    this.logger.error(
      `no broker reachable (round ${round}); tried ${this.lastErrors
        .map((e) => `${e.url} (${e.error})`)
        .join(', ')}; retrying in ${delay} ms`,
    );
    this.reconnectTimer = setTimeout(() => void this.connectLoop(round + 1), delay);
  }

  /** One pass over the URL list, starting with the last one that worked. */
  private async tryAllUrls(): Promise<boolean> {
    const urls = this.options.urls;
    this.lastErrors = [];
    for (let i = 0; i < urls.length; i++) {
      if (this.closing) return false;
      const index = (this.preferred + i) % urls.length;
      try {
        const connection = await connect(
          withHeartbeat(urls[index], this.options.heartbeatSeconds ?? 10),
          {
            timeout: this.options.connectTimeoutMs ?? 5_000,
            clientProperties: { connection_name: this.options.connectionName ?? 'surety' },
          },
        );
        if (this.closing) {
          await connection.close().catch(() => undefined);
          return false;
        }
        this.preferred = index;
        await this.adopt(connection, urls[index]);
        return true;
      } catch (error) {
        this.lastErrors.push({ url: maskUrl(urls[index]), error: errorText(error) });
      }
    }
    return false;
  }

  private async adopt(connection: ChannelModel, url: string): Promise<void> {
    const generation = ++this.generation;
    this.connection = connection;
    this.writes = WriteCoalescer.attach(connection);
    this.isBlocked = false;
    this.state = 'connected';
    this.metrics.connects++;
    connection.on('error', (error: Error) => {
      this.logger.warn(`connection error on ${maskUrl(url)}: ${error.message}`);
    });
    connection.on('blocked', (reason: string) => {
      this.isBlocked = true;
      this.metrics.blocked++;
      this.logger.warn(`broker blocked the connection (${reason}); publishers wait`);
      this.emit('blocked', reason);
    });
    connection.on('unblocked', () => {
      this.isBlocked = false;
      this.logger.log('broker unblocked the connection');
      this.emit('unblocked');
    });
    connection.on('close', (error?: Error) => this.onClose(connection, url, error));
    this.logger.log(`connected to ${maskUrl(url)} (generation ${generation})`);
    this.emit('connected', generation);
    for (const hook of this.hooks) {
      if (this.connection !== connection) return;
      await this.runHook(hook, connection, generation);
    }
    if (this.connection === connection) this.emit('ready', generation);
  }

  private async runHook(hook: ConnectionHook, connection: ChannelModel, generation: number) {
    try {
      await hook.onConnected(connection, generation);
    } catch (error) {
      // One failing hook (say, a bad declaration) must not stop the others.
      this.logger.error(`${hook.name} failed after connect: ${errorText(error)}`);
    }
  }

  private onClose(connection: ChannelModel, url: string, error?: Error): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.writes = undefined;
    this.isBlocked = false;
    if (this.closing) return;
    this.state = 'disconnected';
    this.metrics.disconnects++;
    const reason = error ? error.message : 'closed by the broker';
    this.logger.warn(`connection to ${maskUrl(url)} lost: ${reason}; reconnecting`);
    this.emit('disconnected', error ?? new Error(reason));
    this.reconnectTimer = setTimeout(
      () => void this.connectLoop(1),
      backoffDelay(1, this.options.reconnect),
    );
  }
}

/** Internal: waitForConnection ran out of time; callers turn it into their own typed error. */
export class WaitTimeoutError extends Error {
  constructor(readonly phase: 'connection' | 'flow') {
    super(`timed out waiting for ${phase}`);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code && !error.message.includes(String(code))
      ? `${String(code)} ${error.message}`
      : error.message;
  }
  return String(error);
}

/** amqplib takes the heartbeat from the URL query; an explicit one in the URL wins. */
function withHeartbeat(raw: string, seconds: number): string {
  const url = new URL(raw);
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(seconds));
  return url.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
