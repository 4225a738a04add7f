import { resolveRelayOptions, type OutboxRelayOptions } from './relay-options';

/** Node caps timers at this; a longer one fires after 1 ms instead (TimeoutOverflowWarning). */
const LONGEST_TIMER = 2 ** 31 - 1;

describe('outbox relay options', () => {
  it('takes the defaults and sensible values', () => {
    expect(resolveRelayOptions({})).toMatchObject({
      batchSize: 500,
      pipelineDepth: 3,
      pollIntervalMs: 1000,
      backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 },
      retentionMs: 7 * 24 * 3600_000,
    });
    expect(() =>
      resolveRelayOptions({
        pollIntervalMs: 20,
        compensationHoldMs: 0,
        retentionMs: false,
        vacuumAfterRows: false,
        backoff: { initialMs: 50, factor: 1, maxMs: 100 },
        unroutable: 'retry',
        claim: 'in-process',
      }),
    ).not.toThrow();
  });

  // Each of these used to be accepted and misbehave later: a NaN or infinite delay
  // makes PostgreSQL refuse the batch's marks ("interval out of range"), so the whole
  // confirmed batch is published again and again; a timer of 0, a negative one or one
  // past Node's limit runs every millisecond.
  it.each<[string, OutboxRelayOptions]>([
    ['batchSize', { batchSize: 0 }],
    ['batchSize', { batchSize: NaN }],
    ['pipelineDepth', { pipelineDepth: 1.5 }],
    ['maxAttempts', { maxAttempts: -1 }],
    ['pollIntervalMs', { pollIntervalMs: NaN }],
    ['pollIntervalMs', { pollIntervalMs: -1 }],
    ['pollIntervalMs', { pollIntervalMs: 0 }],
    ['pollIntervalMs', { pollIntervalMs: LONGEST_TIMER + 1 }],
    ['pruneIntervalMs', { pruneIntervalMs: 0 }],
    ['pruneIntervalMs', { pruneIntervalMs: 30 * 24 * 3600_000 }],
    ['retentionMs', { retentionMs: -1 }],
    ['retentionMs', { retentionMs: Infinity }],
    ['compensationHoldMs', { compensationHoldMs: NaN }],
    ['compensationHoldMs', { compensationHoldMs: -5 }],
    ['compensationTimeoutMs', { compensationTimeoutMs: 0 }],
    ['vacuumAfterRows', { vacuumAfterRows: 0 }],
    ['backoff.initialMs', { backoff: { initialMs: NaN } }],
    ['backoff.initialMs', { backoff: { initialMs: 0 } }],
    ['backoff.factor', { backoff: { factor: 0.5 } }],
    ['backoff.maxMs', { backoff: { maxMs: Infinity } }],
    ['unroutable', { unroutable: 'drop' as 'fail' }],
    ['claim', { claim: 'leased' as 'locked' }],
    ['channel', { channel: '' }],
  ])('refuses a bad %s at construction, naming it', (name, options) => {
    expect(() => resolveRelayOptions(options)).toThrow(RangeError);
    expect(() => resolveRelayOptions(options)).toThrow(`outbox relay option ${name} must be`);
  });
});
