import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Compensation } from './interfaces/failed-outbox-event.interface';
import { OUTBOX_MODULE_OPTIONS, type OutboxModuleOptions } from './outbox-module-options';
import { ON_PUBLISH_FAILED_METADATA } from './outbox.constants';
import { OutboxRelay } from './relay/outbox-relay';

/**
 * Registers @OnPublishFailed methods (module init), starts the relay once the
 * application has bootstrapped — after the messaging connection is up, so early rows
 * do not spend attempts waiting for it — and stops it in onModuleDestroy, before the
 * messaging module closes the publisher.
 */
@Injectable()
export class OutboxLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Surety.Outbox');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly relay: OutboxRelay,
    @Inject(OUTBOX_MODULE_OPTIONS) private readonly options: OutboxModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as Compensation;
        const type = this.reflector.get<string | undefined>(ON_PUBLISH_FAILED_METADATA, method);
        if (type === undefined) continue;
        this.relay.onPublishFailed(type, method.bind(instance));
        this.logger.log(`compensation for '${type}': ${instance.constructor.name}.${methodName}`);
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay !== false) await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}
