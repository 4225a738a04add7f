import { IdempotencyMiddleware } from './idempotency.middleware';
import type { IdempotencySetting } from './interfaces/idempotency-options.interface';
import type { IdempotencyStore } from './interfaces/idempotency-store.interface';

// Registration only: no delivery reaches the store, so a store that refuses every call
// is enough (test/idempotency/ covers the middleware on real stores and brokers).
const unusedStore: IdempotencyStore<undefined> = {
  kind: 'redis',
  execute: () => Promise.reject(new Error('not used')),
  isDone: () => Promise.reject(new Error('not used')),
  close: async () => undefined,
};

describe('IdempotencyMiddleware.register', () => {
  const middleware = new IdempotencyMiddleware({ redis: unusedStore });

  it('accepts a key function and a scope', () => {
    middleware.register('Fees.onIssued', {
      store: 'redis',
      key: (ctx) => ctx.message.messageId,
      scope: 'fees',
    });
    expect(middleware.guardedHandlers).toContain('Fees.onIssued');
  });

  it('refuses, at start-up and naming the handler, a key that is not a function', () => {
    const setting = { store: 'redis', key: 'x-order-id' } as unknown as IdempotencySetting;
    expect(() => middleware.register('Fees.onKey', setting)).toThrow(
      'Fees.onKey: idempotency key must be a function of the delivery',
    );
  });

  it.each(['', 42])('refuses a scope that is not a non-empty string (%p)', (scope) => {
    const setting = { store: 'redis', scope } as unknown as IdempotencySetting;
    expect(() => middleware.register('Fees.onScope', setting)).toThrow(
      /^Fees\.onScope: idempotency scope must be a non-empty string/,
    );
  });
});
