import {
  ConnectionLostError,
  ExchangeNotFoundError,
  PublishNackedError,
  PublisherClosedError,
  UnroutableMessageError,
} from '../../errors';
import { backoffDelay, verdictFor, type RetryPolicyOptions } from './retry-policy';

const target = { exchange: 'x', routingKey: 'r', messageId: 'm' };
const policy: RetryPolicyOptions = {
  maxAttempts: 4,
  backoff: { initialMs: 100, factor: 2, maxMs: 1_000 },
  unroutable: 'fail',
  random: () => 1,
};

describe('outbox retry policy', () => {
  it('grows the delay exponentially up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(200);
  });

  it('marks a confirmed row sent', () => {
    expect(verdictFor({ messageId: 'm', status: 'confirmed' }, 0, policy)).toEqual({
      kind: 'sent',
    });
  });

  it('retries nacks and lost connections until the last attempt, then fails the row', () => {
    const nack = {
      messageId: 'm',
      status: 'nacked' as const,
      error: new PublishNackedError(target),
    };
    expect(verdictFor(nack, 0, policy)).toMatchObject({ kind: 'retry', delayMs: 100 });
    expect(verdictFor(nack, 2, policy)).toMatchObject({ kind: 'retry', delayMs: 400 });
    expect(verdictFor(nack, 3, policy)).toEqual({
      kind: 'fail',
      error: `gave up after 4 attempts: ${nack.error.message}`,
    });
    const lost = {
      messageId: 'm',
      status: 'failed' as const,
      error: new ConnectionLostError(target, 'reset'),
    };
    expect(verdictFor(lost, 0, policy).kind).toBe('retry');
  });

  it('fails an unroutable row at once by default, or retries it when configured', () => {
    const returned = {
      messageId: 'm',
      status: 'returned' as const,
      error: new UnroutableMessageError(target, 312, 'NO_ROUTE'),
    };
    expect(verdictFor(returned, 0, policy)).toEqual({
      kind: 'fail',
      error: returned.error.message,
    });
    expect(verdictFor(returned, 0, { ...policy, unroutable: 'retry' }).kind).toBe('retry');
  });

  it('fails a row whose exchange does not exist instead of retrying it forever', () => {
    const missing = {
      messageId: 'm',
      status: 'failed' as const,
      error: new ExchangeNotFoundError(target),
    };
    expect(verdictFor(missing, 0, policy)).toMatchObject({ kind: 'fail' });
  });

  it('gives a row back untouched when the publisher is shutting down', () => {
    const closed = {
      messageId: 'm',
      status: 'failed' as const,
      error: new PublisherClosedError(target),
    };
    expect(verdictFor(closed, 0, policy)).toEqual({ kind: 'release' });
  });
});
