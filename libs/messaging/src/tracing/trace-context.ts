import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

interface TraceScope {
  readonly traceparent: string;
  readonly correlationId?: string;
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

  newRoot(): string {
    return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  },

  child(parent: string | undefined): string {
    const match = parent ? TRACEPARENT.exec(parent) : null;
    if (!match) return TraceContext.newRoot();
    return `00-${match[1]}-${randomBytes(8).toString('hex')}-${match[3]}`;
  },

  /** The trace id part of a traceparent. */
  traceId(traceparent: string): string | undefined {
    return TRACEPARENT.exec(traceparent)?.[1];
  },
};
