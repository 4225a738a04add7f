export { MessagingError } from './messaging.error';
export {
  ConnectionLostError,
  ExchangeNotFoundError,
  InvalidMessageError,
  PublishNackedError,
  PublishTimeoutError,
  PublisherClosedError,
  UnroutableMessageError,
} from './publish.errors';
export type { PublishTarget } from './publish.errors';
export { BrokerUnreachableError, MessagingConfigurationError } from './configuration.errors';
export { TopologyError } from './topology.error';
export { RpcRemoteError, RpcTimeoutError } from './rpc.errors';
export { UnprocessableMessageError } from './handler.errors';
