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
import { GuardedRun, type GuardedRunHost } from './guarded-run';
import { LeaseBatch } from './lease-batch';
import { ACQUIRE_MANY, COMPLETE_MANY, DONE, RELEASE, RENEW } from './redis-idempotency.scripts';
import { RedisScript } from './redis-script';
import { maskUrl } from '../../connection/broker-urls';
import { resolveRedisUrl } from './redis-url';

/** @publicApi */
export interface RedisIdempotencyOptions {
  /** Key prefix; keys are `<prefix>:<scope>:<key>` (`:` in the scope encoded). Default `surety:idem`. */
  readonly prefix?: string;
  /** How long a worker owns a key while its effect runs (renewed while it runs). Default 30 s. */
  readonly leaseMs?: number;
  /** How long the done-marker is kept: the dedup window. Default 7 days. */
  readonly retentionMs?: number;
  /** A Redis call slower than this counts as Redis being unavailable. Default 2 s. */
  readonly commandTimeoutMs?: number;
}

/** keys; token, leaseMs */
const acquireMany = new RedisScript(ACQUIRE_MANY);
/** keys; retentionMs, leaseMs, token positions, ...tokens */
const completeMany = new RedisScript(COMPLETE_MANY);
/** key; token */
const release = new RedisScript(RELEASE);
/** key; token, leaseMs */
const renew = new RedisScript(RENEW);

/** Keys per script call. A complete call names each key's token in two characters of
 * 64 values, so a batch may hold up to 4095 distinct tokens: more than it has keys. */
const MAX_BATCH = 500;

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
  private readonly acquire: CallBatcher<GuardedRun>;
  private readonly complete: CallBatcher<GuardedRun>;
  private readonly host: GuardedRunHost;
  /** Leases of effects running now; one timer renews the long-running ones. */
  private readonly running = new Set<LeaseBatch>();
  private readonly renewal: NodeJS.Timeout;
  private readonly leaseArg: string;
  private readonly retentionArg: string;

  constructor(
    private readonly redis: Redis,
    options: RedisIdempotencyOptions = {},
    private readonly ownsClient = false,
  ) {
    this.prefix = options.prefix ?? 'surety:idem';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.leaseArg = String(this.leaseMs);
    this.retentionArg = String(this.retentionMs);
    // Batches are multi-key scripts: on a Redis Cluster the keys of one batch would
    // span slots, so there every call is its own batch.
    const maxBatch = redis.isCluster ? 1 : MAX_BATCH;
    this.acquire = new CallBatcher((runs) => this.acquireMany(runs), maxBatch);
    this.complete = new CallBatcher((runs) => this.completeMany(runs), maxBatch);
    this.host = {
      markDone: (run) => this.complete.add(run),
      finished: (leases, index) => {
        leases.finish(index);
        if (!leases.active) this.running.delete(leases);
      },
      release: (key, token) => this.release(key, token),
      leaseLost: (key) =>
        this.logger.warn(
          `${key}: lease lost before the done-marker was written and another worker ` +
            `holds the key now; the effect may run twice (raise leaseMs above the handler's duration)`,
        ),
    };
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

  execute<T>(
    scope: string,
    key: string,
    effect: IdempotentEffect<T, undefined>,
  ): Promise<IdempotencyOutcome<T>> {
    const run = new GuardedRun(this.host, this.keyOf(scope, key), effect);
    const outcome = new Promise<IdempotencyOutcome<unknown>>((resolve, reject) => {
      run.resolve = resolve;
      run.reject = reject;
    });
    this.acquire.add(run);
    // The run settles with the effect's own result, so it is a T.
    return outcome as Promise<IdempotencyOutcome<T>>;
  }

  async isDone(scope: string, key: string): Promise<boolean> {
    return (await this.call(() => this.redis.get(this.keyOf(scope, key)))) === DONE;
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
    if (this.ownsClient) this.redis.disconnect();
  }

  /**
   * `<prefix>:<scope>:<key>`, with `%` and `:` in the scope percent-encoded: queue
   * names (the default scope) and keys may both contain `:`, and scope `a:b` with key
   * `c` must not share a record with scope `a` and key `b:c`. A scope without either
   * character (most queue names) is written as it is.
   */
  private keyOf(scope: string, key: string): string {
    return `${this.prefix}:${encodeScope(scope)}:${key}`;
  }

  /** Renews the leases of effects running longer than a third of the lease, so a slow handler is not run twice. */
  private renewLongRunning(): void {
    const threshold = Date.now() - this.leaseMs / 3;
    for (const leases of this.running) {
      if (leases.since > threshold) continue;
      for (const redisKey of leases.keys()) {
        renew.run<number>(this.redis, [redisKey], [leases.token, this.leaseArg]).then(
          (renewed) => {
            if (renewed === 0) this.logger.warn(`${redisKey}: lease lost while the effect runs`);
          },
          (error: Error) => this.logger.warn(`${redisKey}: lease renewal failed: ${error.message}`),
        );
      }
    }
  }

  /** One ACQUIRE_MANY call for a batch of runs, one lease token for all of them. */
  private acquireMany(runs: GuardedRun[]): void {
    const keys = new Array<string>(runs.length);
    for (let i = 0; i < runs.length; i++) keys[i] = runs[i].key;
    const token = `lease:${randomUUID()}`;
    this.call(() =>
      acquireMany.run<[string, ...number[]]>(this.redis, keys, [token, this.leaseArg]),
    ).then(
      (answer) => {
        const leases = new LeaseBatch(token, answer, keys, Date.now());
        if (leases.active) this.running.add(leases);
        for (let i = 0; i < runs.length; i++) runs[i].acquired(leases, i);
      },
      (error: unknown) => {
        for (const run of runs) run.acquireFailed(error);
      },
    );
  }

  /**
   * One COMPLETE_MANY call for a batch of runs; each distinct lease token is sent once,
   * keys name theirs by position (two characters each, see MAX_BATCH).
   */
  private completeMany(runs: GuardedRun[]): void {
    const keys = new Array<string>(runs.length);
    const tokens: string[] = [];
    let positions = '';
    for (let i = 0; i < runs.length; i++) {
      const token = runs[i].token;
      // Few distinct tokens per batch (one per acquire batch): a scan beats a map.
      let position = tokens.lastIndexOf(token) + 1;
      if (position === 0) position = tokens.push(token);
      keys[i] = runs[i].key;
      positions += String.fromCharCode(48 + (position >> 6), 48 + (position & 63));
    }
    const args = [this.retentionArg, this.leaseArg, positions, ...tokens];
    this.call(() => completeMany.run<string>(this.redis, keys, args)).then(
      (answers) => {
        for (let i = 0; i < runs.length; i++) runs[i].marked(answers.charCodeAt(i) - 48);
      },
      (error: unknown) => {
        for (const run of runs) run.markFailed(error);
      },
    );
  }

  /** Best effort: if Redis is gone too, the lease simply expires and the retry waits for it. */
  private async release(redisKey: string, token: string): Promise<void> {
    try {
      await this.call(() => release.run<number>(this.redis, [redisKey], [token]));
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

function encodeScope(scope: string): string {
  return /[%:]/.test(scope) ? scope.replace(/%/g, '%25').replace(/:/g, '%3A') : scope;
}
