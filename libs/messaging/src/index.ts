// Public API of @surety/messaging, by name.
export { MessagingModule } from './messaging.module';
export {
  MESSAGING_MODULE_OPTIONS,
  MESSAGING_OPTIONS_TYPE,
  MESSAGING_ASYNC_OPTIONS_TYPE,
} from './messaging.module-definition';
export { CONSUMER_MIDDLEWARE, Headers as MessageHeaders } from './messaging.constants';
export { Subscribe } from './decorators/subscribe.decorator';
export { RpcHandler } from './decorators/rpc-handler.decorator';
export { MessagingRegistrar } from './messaging.registrar';

export { ConnectionManager } from './connection/connection-manager';
export type {
  ConnectionHook,
  ConnectionManagerOptions,
  StartupMode,
} from './connection/connection-manager';
export { MessagingMetrics } from './connection/messaging-metrics';
export { parseBrokerUrls, maskUrl, RABBITMQ_URL_ENV } from './connection/broker-urls';
export type { BackoffOptions } from './connection/backoff';

export { TopologyRegistry } from './topology/topology-registry';
export { Publisher, DEFAULT_MAX_MESSAGE_BYTES } from './publishing/publisher';
export type { PublisherOptions } from './publishing/publisher';
export { RpcClient } from './rpc/rpc-client';
export { MessageScheduler } from './delay/message-scheduler';
export type { ScheduleAt } from './delay/message-scheduler';
export type { DelayLevelOptions } from './delay/delay-levels';
export { DeadLetterService, deadLetterQueueOf } from './consuming/dead-letter.service';
export type { DeadLetterEntry, ReplayReport } from './consuming/dead-letter.service';
export { MessageHandlerWrapper } from './consuming/handler-wrapper';
export type { BoundHandler, HandlerDescription } from './consuming/handler-wrapper';
export { MessagingHealthIndicator } from './health/messaging.health-indicator';
export { TraceContext } from './tracing/trace-context';

export * from './errors';
export type { MessagingModuleOptions } from './interfaces/messaging-module-options.interface';
export type {
  SubscribeOptions,
  RetryOptions,
  BackoffPolicy,
} from './interfaces/subscribe-options.interface';
export type { RpcHandlerOptions, RequestOptions } from './interfaces/rpc-options.interface';
export type { MessageContext } from './interfaces/message-context.interface';
export type {
  ConsumerMiddleware,
  ConsumerMiddlewareContext,
} from './interfaces/consumer-middleware.interface';
export type {
  OutgoingMessage,
  PublishOptions,
  PublishResult,
} from './interfaces/publish-options.interface';
export type {
  Topology,
  ExchangeDeclaration,
  QueueDeclaration,
  BindingDeclaration,
} from './interfaces/topology.interface';
