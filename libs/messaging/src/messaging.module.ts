import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { parseBrokerUrls } from './connection/broker-urls';
import { ConnectionManager } from './connection/connection-manager';
import { MessagingMetrics } from './connection/messaging-metrics';
import { DeadLetterService } from './consuming/dead-letter.service';
import { MessageHandlerWrapper } from './consuming/handler-wrapper';
import { resolveDelayLevels } from './delay/delay-levels';
import { DelayRouter } from './delay/delay-router';
import { delayTopology } from './delay/delay-topology';
import { MessageScheduler } from './delay/message-scheduler';
import { MessagingHealthIndicator } from './health/messaging.health-indicator';
import type { MessagingModuleOptions } from './interfaces/messaging-module-options.interface';
import { CONSUMER_MIDDLEWARE } from './messaging.constants';
import { MessagingMetadataAccessor } from './messaging-metadata.accessor';
import { MessagingExplorer } from './messaging.explorer';
import {
  ConfigurableMessagingModule,
  MESSAGING_MODULE_OPTIONS,
} from './messaging.module-definition';
import { MessagingRegistrar } from './messaging.registrar';
import { Publisher } from './publishing/publisher';
import { RpcClient } from './rpc/rpc-client';
import { TopologyRegistry } from './topology/topology-registry';

const providers: Provider[] = [
  MessagingMetadataAccessor,
  MessagingExplorer,
  MessagingRegistrar,
  { provide: MessagingMetrics, useFactory: () => new MessagingMetrics() },
  {
    provide: ConnectionManager,
    inject: [MESSAGING_MODULE_OPTIONS, MessagingMetrics],
    useFactory: (options: MessagingModuleOptions, metrics: MessagingMetrics) =>
      new ConnectionManager(
        {
          // Throws one MessagingConfigurationError naming RABBITMQ_URL (or `urls`) when unset/malformed.
          urls: parseBrokerUrls(
            options.urls ?? process.env.RABBITMQ_URL,
            options.urls === undefined ? 'RABBITMQ_URL' : 'MessagingModule option `urls`',
          ),
          connectionName: options.connectionName,
          heartbeatSeconds: options.heartbeatSeconds,
          reconnect: options.reconnect,
          startup: options.startup,
          startupRounds: options.startupRounds,
        },
        metrics,
      ),
  },
  {
    provide: TopologyRegistry,
    useFactory: () => new TopologyRegistry(),
  },
  {
    provide: DelayRouter,
    inject: [MESSAGING_MODULE_OPTIONS, TopologyRegistry, ConnectionManager],
    useFactory: (
      options: MessagingModuleOptions,
      topology: TopologyRegistry,
      connections: ConnectionManager,
    ) => {
      if (options.delay === false) return null;
      const levels = resolveDelayLevels(options.delay);
      topology.add(delayTopology(levels));
      return new DelayRouter(levels, topology, connections);
    },
  },
  {
    provide: Publisher,
    inject: [MESSAGING_MODULE_OPTIONS, ConnectionManager, DelayRouter],
    useFactory: (
      options: MessagingModuleOptions,
      connections: ConnectionManager,
      delays: DelayRouter | null,
    ) => new Publisher(connections, options.publishing, delays ?? undefined),
  },
  {
    provide: RpcClient,
    inject: [ConnectionManager],
    useFactory: (connections: ConnectionManager) => new RpcClient(connections),
  },
  {
    provide: DeadLetterService,
    inject: [ConnectionManager, Publisher],
    useFactory: (connections: ConnectionManager, publisher: Publisher) =>
      new DeadLetterService(connections, publisher),
  },
  {
    provide: MessageScheduler,
    inject: [Publisher],
    useFactory: (publisher: Publisher) => new MessageScheduler(publisher),
  },
  {
    provide: CONSUMER_MIDDLEWARE,
    inject: [MESSAGING_MODULE_OPTIONS],
    useFactory: (options: MessagingModuleOptions) => [...(options.consumerMiddleware ?? [])],
  },
  {
    provide: MessageHandlerWrapper,
    inject: [MESSAGING_MODULE_OPTIONS],
    useFactory: (options: MessagingModuleOptions) =>
      options.handlerWrapper ?? new MessageHandlerWrapper(),
  },
  {
    provide: MessagingHealthIndicator,
    inject: [ConnectionManager],
    useFactory: (connections: ConnectionManager) =>
      new MessagingHealthIndicator(new HealthIndicatorService(), connections),
  },
];

/**
 * The Surety messaging module.
 *
 *     MessagingModule.forRoot({ urls: 'amqp://guest:guest@localhost', topology: {...} })
 *     MessagingModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ urls: config.get('RABBITMQ_URL') }) })
 *
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [
    MessagingRegistrar,
    ConnectionManager,
    MessagingMetrics,
    TopologyRegistry,
    Publisher,
    RpcClient,
    DeadLetterService,
    MessageScheduler,
    MessagingHealthIndicator,
    CONSUMER_MIDDLEWARE,
    MessageHandlerWrapper,
  ],
})
export class MessagingModule extends ConfigurableMessagingModule {}
