import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { SubscribeOptions } from '../interfaces/subscribe-options.interface';
import { SUBSCRIBE_METADATA } from '../messaging.constants';
import { IDEMPOTENCY_STORES } from './idempotency.constants';
import { IdempotencyMiddleware } from './idempotency.middleware';
import type { IdempotencyStore } from './interfaces/idempotency-store.interface';

/**
 * Finds `@Subscribe({ idempotency })` handlers and registers them with the middleware
 * before consumers start (they start in onApplicationBootstrap). Names handlers
 * `Class.method`, as the messaging explorer does, with their queue: two classes of one
 * application may share a name.
 */
@Injectable()
export class IdempotencyExplorer implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly middleware: IdempotencyMiddleware,
    @Inject(IDEMPOTENCY_STORES)
    private readonly stores: Partial<Record<'db' | 'redis', IdempotencyStore<unknown>>>,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as () => unknown;
        const options = this.reflector.get<SubscribeOptions | undefined>(
          SUBSCRIBE_METADATA,
          method,
        );
        if (options?.idempotency === undefined) continue;
        this.middleware.register(
          `${instance.constructor.name}.${methodName}`,
          options.idempotency,
          options.queue,
        );
      }
    }
  }

  /** Before consumers drain (beforeApplicationShutdown): stop holding deliveries for a dead store. */
  onModuleDestroy(): void {
    this.middleware.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.stores).map((store) => store?.close()));
  }
}
