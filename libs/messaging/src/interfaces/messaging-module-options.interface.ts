import type { BackoffOptions } from '../connection/backoff';
import type { StartupMode } from '../connection/connection-manager';
import type { MessageHandlerWrapper } from '../consuming/handler-wrapper';
import type { DelayLevelOptions } from '../delay/delay-levels';
import type { PublisherOptions } from '../publishing/publisher';
import type { ConsumerMiddleware } from './consumer-middleware.interface';
import type { Topology } from './topology.interface';

/**
 * Options of MessagingModule.forRoot() / forRootAsync().
 *
 * @publicApi
 */
export interface MessagingModuleOptions {
  /**
   * Broker URL(s): one, a comma-separated list, or an array (a cluster, tried
   * in order with failover). Default: the RABBITMQ_URL environment variable.
   */
  readonly urls?: string | readonly string[];
  /** Shown in the broker's connection list. Default 'surety'. */
  readonly connectionName?: string;
  /** AMQP heartbeat in seconds. Default 10. */
  readonly heartbeatSeconds?: number;
  /** 'fail-fast' (default): app.init() throws BrokerUnreachableError; 'retry': start anyway and keep trying. */
  readonly startup?: StartupMode;
  /** Rounds over the URL list before fail-fast gives up. Default 1. */
  readonly startupRounds?: number;
  /** Reconnect backoff. Default 100 ms doubling to 10 s, 30% jitter. */
  readonly reconnect?: BackoffOptions;
  readonly publishing?: PublisherOptions;
  /** Exchanges, queues and bindings declared at start and after every reconnect. */
  readonly topology?: Topology;
  /** Delay levels (delays and retry backoff); false: no delay infrastructure (retries then fail). */
  readonly delay?: DelayLevelOptions | false;
  /** The pipeline stages between validation and the handler, in order (see ConsumerMiddleware). */
  readonly consumerMiddleware?: readonly ConsumerMiddleware[];
  /** The seam around every handler; default returns handlers unchanged. */
  readonly handlerWrapper?: MessageHandlerWrapper;
  /** How long shutdown waits for running handlers. Default 30 000 ms. */
  readonly shutdownTimeoutMs?: number;
}
