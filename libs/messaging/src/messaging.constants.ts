/** Metadata keys (namespaced) and injection tokens. */
export const SUBSCRIBE_METADATA = 'surety:messaging:subscribe';
export const RPC_HANDLER_METADATA = 'surety:messaging:rpc-handler';

/** Injection token of the ordered ConsumerMiddleware list (see ConsumerPipeline). */
export const CONSUMER_MIDDLEWARE = Symbol('surety:messaging:consumer-middleware');

/**
 * Header names Surety writes. Framework headers live under `x-surety-`, except
 * the ones headers exchanges route on: RabbitMQ's headers exchange ignores
 * every `x-` key when matching, so routing headers are `surety-`.
 */
export const Headers = {
  /** 1-based number of the delivery attempt this copy is (absent = 1). */
  attempt: 'x-surety-attempt',
  originalExchange: 'x-surety-original-exchange',
  originalRoutingKey: 'x-surety-original-routing-key',
  deadLetterReason: 'x-surety-dead-letter-reason',
  errorMessage: 'x-surety-error-message',
  errorName: 'x-surety-error-name',
  attempts: 'x-surety-attempts',
  failedAt: 'x-surety-failed-at',
  deadLetterQueue: 'x-surety-dead-letter-queue',
  /** On a dead-letter copy whose original headers could not be sent along: why. */
  headersDropped: 'x-surety-headers-dropped',
  delayTargetExchange: 'surety-delay-target-exchange',
  delayTargetQueue: 'surety-delay-target-queue',
  delayMs: 'x-surety-delay-ms',
  delayDueAt: 'x-surety-delay-due-at',
  rpcStatus: 'x-surety-rpc-status',
  traceparent: 'traceparent',
} as const;

/** Headers the broker adds on dead-lettering; stripped before a message re-enters delay queues. */
export const BROKER_DEATH_HEADERS = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
] as const;

export const JSON_CONTENT_TYPE = 'application/json';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';
