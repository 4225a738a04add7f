import { isRetryable, maxAttempts, retryDelayMs } from './retry-policy';

describe('retry policy', () => {
  it('counts attempts including the first delivery', () => {
    expect(maxAttempts(undefined)).toBe(3);
    expect(maxAttempts(false)).toBe(1);
    expect(maxAttempts({ attempts: 5 })).toBe(5);
    expect(maxAttempts({ attempts: 0 })).toBe(1);
  });

  it('grows delays exponentially with a cap, or follows an explicit list', () => {
    const retry = { backoff: { initialMs: 500, factor: 3, maxMs: 5000 } };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(retry, n))).toEqual([500, 1500, 4500, 5000]);
    expect([1, 2, 3].map((n) => retryDelayMs({ backoff: [100, 1000] }, n))).toEqual([
      100, 1000, 1000,
    ]);
    expect(retryDelayMs(undefined, 1)).toBe(1000);
  });

  it('treats only retryable: false as final', () => {
    expect(isRetryable(new Error('x'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { retryable: false }))).toBe(false);
    expect(isRetryable('string thrown')).toBe(true);
  });
});
