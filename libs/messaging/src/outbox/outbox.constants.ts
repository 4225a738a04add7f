/** NOTIFY channel the writer signals at commit and the relay listens on. */
export const OUTBOX_CHANNEL = 'surety_outbox';

/** Headers the relay stamps on outbox messages (framework headers live under x-surety-). */
export const OutboxHeaders = {
  key: 'x-surety-key',
  sequence: 'x-surety-seq',
  /** Carried in the row's headers from add() to the relay, then moved to the AMQP property. */
  correlationId: 'x-surety-correlation-id',
} as const;

/** Metadata key of @OnPublishFailed. */
export const ON_PUBLISH_FAILED_METADATA = 'surety:outbox:on-publish-failed';
