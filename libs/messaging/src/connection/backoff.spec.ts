import fc from 'fast-check';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap when jitter is off', () => {
    const options = { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('stays within [base * (1 - jitter), base] for any attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempt, r) => {
          const base = Math.min(10_000, 100 * 2 ** (attempt - 1));
          const delay = backoffDelay(attempt, {}, () => r);
          return delay <= base && delay >= Math.floor(base * 0.7);
        },
      ),
    );
  });
});
