import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DATABASE_HANDLE, type DatabaseHandle } from '@surety/database';
import { Publisher } from '../publishing/publisher';
import { Outbox } from './outbox';
import { OutboxLifecycle } from './outbox.lifecycle';
import {
  ConfigurableOutboxModule,
  OUTBOX_MODULE_OPTIONS,
  type OutboxModuleOptions,
} from './outbox-module-options';
import { OutboxRelay } from './relay/outbox-relay';

const providers: Provider[] = [
  {
    provide: Outbox,
    inject: [OUTBOX_MODULE_OPTIONS],
    useFactory: (options: OutboxModuleOptions) => new Outbox(options.relayOptions?.channel),
  },
  {
    provide: OutboxRelay,
    inject: [OUTBOX_MODULE_OPTIONS, DATABASE_HANDLE, Publisher],
    useFactory: (options: OutboxModuleOptions, database: DatabaseHandle, publisher: Publisher) =>
      new OutboxRelay(database, publisher, options.relayOptions),
  },
  OutboxLifecycle,
];

/**
 * The transactional outbox for a Nest application: injects `Outbox` (the writer) and
 * `OutboxRelay`, discovers @OnPublishFailed compensations, runs the relay. Needs
 * DatabaseModule and MessagingModule (both global by default).
 *
 *     OutboxModule.forRoot({ relayOptions: { batchSize: 500 } })
 *
 * @publicApi
 */
@Module({ imports: [DiscoveryModule], providers, exports: [Outbox, OutboxRelay] })
export class OutboxModule extends ConfigurableOutboxModule {}
