import { Logger } from '@nestjs/common';
import type { Prisma } from '@surety/database';
import type {
  ConsumerMiddleware,
  ConsumerMiddlewareContext,
} from '../interfaces/consumer-middleware.interface';
import {
  IdempotencyKeyBusyError,
  IdempotencyStoreUnavailableError,
  InvalidIdempotencyKeyError,
  MissingIdempotencyKeyError,
} from './idempotency.errors';
import { InboxTransaction } from './inbox-transaction';
import type {
  IdempotencyKeyFn,
  IdempotencySetting,
  IdempotencyStoreKind,
} from './interfaces/idempotency-options.interface';
import type { IdempotencyStore } from './interfaces/idempotency-store.interface';
import './messaging-augmentation';

/** @publicApi */
export interface IdempotencyMiddlewareOptions {
  /** While the store is down: first pause, doubling up to `maxMs`. Default 200 ms → 5 s. */
  readonly unavailableBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** How long a delivery waits for another worker holding its key before retrying later. Default 60 s. */
  readonly busyWaitMs?: number;
  /**
   * Test seam: runs after the store recorded the effect and before the delivery is acked.
   * Crash tests kill the consumer here to prove the redelivery is absorbed.
   */
  readonly afterRecorded?: (ctx: ConsumerMiddlewareContext) => void | Promise<void>;
}

interface ResolvedSetting {
  readonly store: IdempotencyStoreKind;
  readonly key: IdempotencyKeyFn;
  readonly scope: string | undefined;
}

type Stores = Partial<{
  db: IdempotencyStore<Prisma.TransactionClient>;
  redis: IdempotencyStore<undefined>;
}>;

/**
 * The consumer-pipeline stage behind `@Subscribe({ idempotency })`: asks the store
 * whether the delivery already took effect (ack and skip), runs the handler under the
 * store's guard otherwise, and never acks a delivery whose fate the store could not
 * tell — while the store is down it holds the delivery, backs off and says why.
 *
 * Register it with `MessagingModule.forRoot({ consumerMiddleware: [m.handle] })`
 * (IdempotencyModule wires this for Nest applications).
 *
 * @publicApi
 */
export class IdempotencyMiddleware {
  private readonly logger = new Logger('Surety.Idempotency');
  /** By handler name (`Class.method`), for registrations that name no queue. */
  private readonly settings = new Map<string, ResolvedSetting>();
  /**
   * By queue, then handler name: two handler classes of one application may share a
   * name (in different modules), and each must get its own setting, or none.
   */
  private readonly settingsByQueue = new Map<string, Map<string, ResolvedSetting>>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly busyWaitMs: number;
  private readonly afterRecorded: IdempotencyMiddlewareOptions['afterRecorded'];
  private closed = false;
  private outage: string | undefined;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly stores: Stores,
    options: IdempotencyMiddlewareOptions = {},
  ) {
    this.initialMs = options.unavailableBackoff?.initialMs ?? 200;
    this.maxMs = options.unavailableBackoff?.maxMs ?? 5_000;
    this.busyWaitMs = options.busyWaitMs ?? 60_000;
    this.afterRecorded = options.afterRecorded;
  }

  /**
   * Guards handler `handlerName` (`Class.method`) — only on `queue` when given, which
   * tells apart handler classes that share a name; throws if its store is not configured.
   */
  register(handlerName: string, setting: IdempotencySetting, queue?: string): void {
    const resolved: ResolvedSetting =
      typeof setting === 'string'
        ? { store: setting, key: messageIdKey, scope: undefined }
        : { store: setting.store, key: setting.key ?? messageIdKey, scope: setting.scope };
    if (resolved.store !== 'db' && resolved.store !== 'redis') {
      throw new TypeError(
        `${handlerName}: idempotency must be 'db' or 'redis', got ${JSON.stringify(resolved.store)}`,
      );
    }
    // Checked here so that a typo fails the application's start, not every delivery.
    if (typeof resolved.key !== 'function') {
      throw new TypeError(`${handlerName}: idempotency key must be a function of the delivery`);
    }
    if (resolved.scope !== undefined && (typeof resolved.scope !== 'string' || !resolved.scope)) {
      throw new TypeError(
        `${handlerName}: idempotency scope must be a non-empty string, got ${JSON.stringify(resolved.scope)}`,
      );
    }
    if (!this.stores[resolved.store]) {
      throw new TypeError(
        `${handlerName} uses idempotency '${resolved.store}' but no ${resolved.store} idempotency ` +
          `store is configured (IdempotencyModule.forRoot({ ${resolved.store}: ... }))`,
      );
    }
    if (queue === undefined) {
      this.settings.set(handlerName, resolved);
      return;
    }
    let byName = this.settingsByQueue.get(queue);
    if (!byName) this.settingsByQueue.set(queue, (byName = new Map()));
    byName.set(handlerName, resolved);
  }

  get guardedHandlers(): string[] {
    const names = new Set(this.settings.keys());
    for (const byName of this.settingsByQueue.values()) {
      for (const name of byName.keys()) names.add(name);
    }
    return [...names];
  }

  readonly handle: ConsumerMiddleware = async (ctx, next) => {
    const setting =
      this.settingsByQueue.get(ctx.queue)?.get(ctx.handlerName) ??
      this.settings.get(ctx.handlerName);
    if (!setting) return next();
    const scope = setting.scope ?? ctx.queue;
    const key = keyOf(setting.key, ctx);
    const store = this.stores[setting.store] as IdempotencyStore<
      Prisma.TransactionClient | undefined
    >;
    let handlerStarted = false;
    const effect = (tx: Prisma.TransactionClient | undefined): Promise<void> => {
      handlerStarted = true;
      // A store without a transaction (redis) has nothing to expose: skipping the
      // AsyncLocalStorage keeps it switched off, and with it a copy of its slot into
      // every promise the process creates.
      if (tx === undefined) return next();
      // The handler sees the transaction as context.tx (and InboxTransaction.current()).
      Object.defineProperty(ctx.message, 'tx', {
        value: tx,
        configurable: true,
        enumerable: false,
      });
      return InboxTransaction.run(tx, next);
    };
    const busySince = Date.now();
    for (let attempt = 1; ; attempt++) {
      this.assertOpen(setting.store);
      try {
        const outcome = await store.execute(scope, key, effect);
        this.recovered(setting.store);
        // Not `await this.afterRecorded?.(ctx)`: awaiting undefined still costs two promises.
        if (outcome.status === 'executed' && this.afterRecorded) await this.afterRecorded(ctx);
        if (outcome.status !== 'in-progress') return; // executed, or a duplicate: ack
        const waited = Date.now() - busySince;
        if (waited >= this.busyWaitMs) throw new IdempotencyKeyBusyError(scope, key, waited);
        await this.sleep(Math.min(outcome.retryAfterMs, 1_000, this.busyWaitMs - waited));
      } catch (error) {
        if (!(error instanceof IdempotencyStoreUnavailableError) || handlerStarted) throw error;
        const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(attempt - 1, 20));
        this.reportOutage(setting.store, error, ctx, delay);
        await this.sleep(delay);
      }
    }
  };

  /** Stops waiting: held deliveries go back to their queue instead of waiting for the store. */
  close(): void {
    this.closed = true;
    for (const wake of this.sleepers) wake();
  }

  /**
   * Only reached while the handler has not run: a held delivery goes back to its queue
   * unchanged (`redeliver`), so shutting down during an outage spends none of its
   * attempts and cannot dead-letter it.
   */
  private assertOpen(store: IdempotencyStoreKind): void {
    if (this.closed) {
      throw new IdempotencyStoreUnavailableError(
        store,
        new Error('the application is shutting down'),
        { redeliver: true },
      );
    }
  }

  /** One line when an outage starts (and when it ends), not one per held delivery. */
  private reportOutage(
    store: IdempotencyStoreKind,
    error: IdempotencyStoreUnavailableError,
    ctx: ConsumerMiddlewareContext,
    delay: number,
  ): void {
    if (this.outage === error.message) return;
    this.outage = error.message;
    this.logger.warn(
      `${error.message}; holding deliveries unacked (first: ${ctx.queue} ${ctx.message.messageId}) ` +
        `and retrying with backoff (next in ${delay} ms) — nothing is acked until the ${store} store answers`,
    );
  }

  private recovered(store: IdempotencyStoreKind): void {
    if (this.outage === undefined) return;
    this.outage = undefined;
    this.logger.log(`idempotency store "${store}" is answering again; resuming held deliveries`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/**
 * The delivery's idempotency key, or the non-retryable error that dead-letters it: the
 * key function sees the same message on every attempt, so a retry cannot help; and a
 * key that is not a string would be stringified on the way to the store — an object
 * into `[object Object]`, one key shared by unrelated messages.
 */
function keyOf(keyFn: IdempotencyKeyFn, ctx: ConsumerMiddlewareContext): string {
  let key: unknown;
  try {
    key = keyFn(ctx);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidIdempotencyKeyError(consumerOf(ctx), `threw: ${reason}`, { cause: error });
  }
  if (typeof key === 'string' && key.length > 0) return key;
  if (key === undefined || key === null || key === '') {
    throw new MissingIdempotencyKeyError(consumerOf(ctx));
  }
  throw new InvalidIdempotencyKeyError(
    consumerOf(ctx),
    `returned ${describeKey(key)} instead of a string (convert it in the key function)`,
  );
}

function consumerOf(ctx: ConsumerMiddlewareContext): string {
  return `${ctx.handlerName} (queue '${ctx.queue}')`;
}

function describeKey(key: unknown): string {
  if (typeof (key as { then?: unknown }).then === 'function') {
    return 'a Promise (key functions must be synchronous)';
  }
  if (typeof key === 'object') return Array.isArray(key) ? 'an array' : 'an object';
  return `a ${typeof key} (${String(key)})`;
}

/** The AMQP message-id as published — not the core's per-delivery fallback, which is not stable. */
function messageIdKey(ctx: ConsumerMiddlewareContext): string | undefined {
  const id: unknown = ctx.message.raw.properties.messageId;
  if (typeof id === 'string' && id.length > 0) return id;
  return Buffer.isBuffer(id) && id.length > 0 ? id.toString() : undefined;
}
