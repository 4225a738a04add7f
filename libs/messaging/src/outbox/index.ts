export { Outbox } from './outbox';
export type {
  OutboxEvent,
  OutboxRecord,
  OutboxTransaction,
  PrismaTransactionLike,
} from './interfaces/outbox-event.interface';
export type { Compensation, FailedOutboxEvent } from './interfaces/failed-outbox-event.interface';
export { OutboxSerializationError, InvalidOutboxEventError } from './outbox.errors';
export { OUTBOX_CHANNEL, OutboxHeaders } from './outbox.constants';
export { OutboxRelay, type BatchPublisher, type RelayDatabase } from './relay/outbox-relay';
export type { OutboxRelayOptions } from './relay/relay-options';
export type { OutboxBackoff } from './relay/retry-policy';
export type { OutboxMetricsSnapshot } from './relay/relay-metrics';
export { registerOutboxMetrics } from './relay/relay-metrics';
export { CompensationRegistry } from './relay/compensation-registry';
export type { OutboxRow } from './relay/outbox-row';
export { OnPublishFailed } from './decorators/on-publish-failed.decorator';
export { OutboxModule } from './outbox.module';
export { OUTBOX_MODULE_OPTIONS, type OutboxModuleOptions } from './outbox-module-options';
