import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { IdempotencyStoreUnavailableError } from '../idempotency.errors';
import type {
  IdempotencyOutcome,
  IdempotencyStore,
  IdempotentEffect,
} from '../interfaces/idempotency-store.interface';
import { CallBatcher } from './call-batcher';
import { LeaseBatch } from './lease-batch';
import { ACQUIRE_MANY, COMPLETE_MANY, DONE, RELEASE, RENEW } from './redis-idempotency.scripts';
import { RedisScript } from './redis-script';
import { maskUrl } from '../../connection/broker-urls';
import { resolveRedisUrl } from './redis-url';

/** @publicApi */
export interface RedisIdempotencyOptions {
  /** Key prefix; keys are `<prefix>:<scope>:<key>`. Default `surety:idem`. */
  readonly prefix?: string;
  /** How long a worker owns a key while its effect runs (renewed while it runs). Default 30 s. */
  readonly leaseMs?: number;
  /** How long the done-marker is kept: the dedup window. Default 7 days. */
  readonly retentionMs?: number;
  /** A Redis call slower than this counts as Redis being unavailable. Default 2 s. */
  readonly commandTimeoutMs?: number;
}

/** (numberOfKeys, ...keys, token, leaseMs) */
const acquireMany = new RedisScript(ACQUIRE_MANY);
/** (numberOfKeys, ...keys, retentionMs, leaseMs, tokenCount, ...tokens, ...tokenPositions) */
const completeMany = new RedisScript(COMPLETE_MANY);
/** (1, key, token) */
const release = new RedisScript(RELEASE);
/** (1, key, token, leaseMs) */
const renew = new RedisScript(RENEW);

const ACQUIRED = -10;
const ALREADY_DONE = -20;
const DUPLICATE = Object.freeze({ status: 'duplicate' as const });

/**
 * Redis idempotency: a lease (`SET NX PX`-style, in Lua so that the "already done"
 * answer comes back in the same round trip), the effect, then a done-marker with a
 * retention TTL. At-least-once with a dedup window — see docs/outbox/idempotency.md
 * for what Redis cannot make atomic.
 *
 * The calls of concurrent deliveries are batched by the store itself: one script call
 * per batch (see CallBatcher), whether or not the client auto-pipelines.
 *
 * @publicApi
 */
export class RedisIdempotencyStore implements IdempotencyStore<undefined> {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger(RedisIdempotencyStore.name);
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly commandTimeoutMs: number;
  private readonly acquire: CallBatcher<string, LeaseBatch>;
  private readonly complete: CallBatcher<{ key: string; token: string }, number[]>;
  /** Leases of effects running now; one timer renews the long-running ones. */
  private readonly running = new Set<LeaseBatch>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    options: RedisIdempotencyOptions = {},
    private readonly ownsClient = false,
  ) {
    this.prefix = options.prefix ?? 'surety:idem';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    // Batches are multi-key scripts: on a Redis Cluster the keys of one batch would
    // span slots, so there every call is its own batch.
    const maxBatch = redis.isCluster ? 1 : 500;
    this.acquire = new CallBatcher(async (keys) => {
      const token = `lease:${randomUUID()}`;
      const args: (string | number)[] = [keys.length, ...keys, token, this.leaseMs];
      const states = await this.call(() => acquireMany.run<number[]>(this.redis, args));
      const leases = new LeaseBatch(token, states, keys, ACQUIRED, Date.now());
      if (leases.active) this.running.add(leases);
      return leases;
    }, maxBatch);
    this.complete = new CallBatcher((items) => this.completeMany(items), maxBatch);
    this.renewal = setInterval(() => this.renewLongRunning(), this.leaseMs / 3);
    this.renewal.unref();
  }

  /**
   * A store on its own client, failing fast (no offline queue) while Redis is down, so
   * that a consumer backs off instead of piling up calls. No auto-pipelining: the store
   * batches its own calls.
   */
  static async connect(
    url: string | undefined,
    options: RedisIdempotencyOptions = {},
    redisOptions: RedisOptions = {},
  ): Promise<RedisIdempotencyStore> {
    const checkedUrl = resolveRedisUrl(url);
    const redis = new Redis(checkedUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      ...redisOptions,
    });
    redis.on('error', () => undefined); // surfaced per call as IdempotencyStoreUnavailableError
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      const reason = error instanceof Error ? error.message : String(error);
      throw new IdempotencyStoreUnavailableError(
        'redis',
        new Error(`cannot connect to REDIS_URL=${maskUrl(checkedUrl)}: ${reason}`, {
          cause: error,
        }),
      );
    }
    return new RedisIdempotencyStore(redis, options, true);
  }

  async execute<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, undefined>,
  ): Promise<IdempotencyOutcome<T>> {
    const redisKey = this.keyOf(scope, key);
    const slot = this.acquire.add(redisKey);
    const leases = await slot.batch;
    const state = leases.states[slot.index];
    if (state === ALREADY_DONE) return DUPLICATE;
    if (state !== ACQUIRED) return { status: 'in-progress', retryAfterMs: Math.max(state, 1) };

    const token = leases.token;
    let result: T;
    try {
      result = await effect(undefined);
    } catch (error) {
      this.finished(leases, slot.index);
      await this.release(redisKey, token);
      throw error;
    }
    this.finished(leases, slot.index);
    const marked = await this.markDone(redisKey, token);
    if (marked === 0) {
      this.logger.warn(
        `${redisKey}: lease lost before the done-marker was written and another worker ` +
          `holds the key now; the effect may run twice (raise leaseMs above the handler's duration)`,
      );
    }
    return { status: 'executed', result };
  }

  async isDone(scope: string, key: string): Promise<boolean> {
    return (await this.call(() => this.redis.get(this.keyOf(scope, key)))) === DONE;
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
    if (this.ownsClient) this.redis.disconnect();
  }

  private keyOf(scope: string, key: string): string {
    return `${this.prefix}:${scope}:${key}`;
  }

  private finished(leases: LeaseBatch, index: number): void {
    leases.finish(index);
    if (!leases.active) this.running.delete(leases);
  }

  /** Renews the leases of effects running longer than a third of the lease, so a slow handler is not run twice. */
  private renewLongRunning(): void {
    const threshold = Date.now() - this.leaseMs / 3;
    for (const leases of this.running) {
      if (leases.since > threshold) continue;
      for (const redisKey of leases.keys()) {
        renew.run<number>(this.redis, [1, redisKey, leases.token, this.leaseMs]).then(
          (renewed) => {
            if (renewed === 0) this.logger.warn(`${redisKey}: lease lost while the effect runs`);
          },
          (error: Error) => this.logger.warn(`${redisKey}: lease renewal failed: ${error.message}`),
        );
      }
    }
  }

  /** One COMPLETE_MANY call; each distinct lease token is sent once, keys refer to it by position. */
  private completeMany(items: { key: string; token: string }[]): Promise<number[]> {
    const tokens: string[] = [];
    const positions: number[] = new Array<number>(items.length);
    for (let i = 0; i < items.length; i++) {
      const token = items[i].token;
      // Few distinct tokens per batch (one per acquire batch): a scan beats a map.
      let position = tokens.lastIndexOf(token);
      if (position < 0) position = tokens.push(token) - 1;
      positions[i] = position + 1;
    }
    const args: (string | number)[] = [items.length];
    for (const item of items) args.push(item.key);
    args.push(this.retentionMs, this.leaseMs, tokens.length, ...tokens, ...positions);
    return this.call(() => completeMany.run<number[]>(this.redis, args));
  }

  /**
   * The effect has taken place: a missing done-marker now means it runs again once the
   * lease expires, so a short Redis hiccup is worth a few quick retries before giving up.
   */
  private async markDone(redisKey: string, token: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const slot = this.complete.add({ key: redisKey, token });
        return (await slot.batch)[slot.index];
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** Best effort: if Redis is gone too, the lease simply expires and the retry waits for it. */
  private async release(redisKey: string, token: string): Promise<void> {
    try {
      await this.call(() => release.run<number>(this.redis, [1, redisKey, token]));
    } catch (error) {
      this.logger.warn(
        `${redisKey}: could not release the lease after a failed effect (${(error as Error).message}); ` +
          `the retry waits until it expires`,
      );
    }
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (error) {
      throw new IdempotencyStoreUnavailableError('redis', error);
    } finally {
      clearTimeout(timer);
    }
  }
}
