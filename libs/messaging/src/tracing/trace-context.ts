import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomFillSync } from 'node:crypto';

/** What a handler's async scope carries (see TraceContext). */
export interface TraceScope {
  readonly traceparent?: string;
  readonly correlationId?: string;
}

// Span ids are drawn from a pooled random buffer: one syscall per 512 ids, not one per message.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function spanId(): string {
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 8;
  return pool.toString('hex', poolOffset - 8, poolOffset);
}

const storage = new AsyncLocalStorage<TraceScope>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A minimal W3C trace-context carrier: the current `traceparent` (and the
 * correlation id of the message being handled) live in AsyncLocalStorage; the
 * publisher stamps them on outgoing messages and a consumer continues them
 * (same trace id, new span id) around its handler. Enough for log correlation
 * without pulling in OpenTelemetry.
 *
 * @publicApi
 */
export const TraceContext = {
  /** The active traceparent, if any. */
  current(): string | undefined {
    return storage.getStore()?.traceparent;
  },

  /** Both at once, with one AsyncLocalStorage lookup (the publisher's hot path). */
  scope(): TraceScope | undefined {
    return storage.getStore();
  },

  /** The correlation id of the message whose handler is running, if any. */
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },

  /** Runs `fn` with `traceparent` active (a fresh root trace when omitted). */
  run<T>(traceparent: string | undefined, fn: () => T, correlationId?: string): T {
    return storage.run({ traceparent: traceparent ?? TraceContext.newRoot(), correlationId }, fn);
  },

  /** Runs `fn` as a child of `parent`: same trace id, new span id. Invalid parents start a new root. */
  continue<T>(parent: string | undefined, fn: () => T, correlationId?: string): T {
    return storage.run({ traceparent: TraceContext.child(parent), correlationId }, fn);
  },

  /**
   * What a consumer does around a handler: continue the message's trace if it
   * carries one (no trace otherwise), and make its correlation id current.
   */
  enter<T>(parent: string | undefined, correlationId: string | undefined, fn: () => T): T {
    const traceparent = parent && TRACEPARENT.test(parent) ? TraceContext.child(parent) : undefined;
    return storage.run({ traceparent, correlationId }, fn);
  },

  newRoot(): string {
    return `00-${randomBytes(16).toString('hex')}-${spanId()}-01`;
  },

  child(parent: string | undefined): string {
    const match = parent ? TRACEPARENT.exec(parent) : null;
    if (!match) return TraceContext.newRoot();
    return `00-${match[1]}-${spanId()}-${match[3]}`;
  },

  /** The trace id part of a traceparent. */
  traceId(traceparent: string): string | undefined {
    return TRACEPARENT.exec(traceparent)?.[1];
  },
};
