import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { BoundHandler } from './consuming/handler-wrapper';
import type { RpcHandlerOptions } from './interfaces/rpc-options.interface';
import type { SubscribeOptions } from './interfaces/subscribe-options.interface';
import { MessagingMetadataAccessor } from './messaging-metadata.accessor';

/** A decorated method found on a provider, bound to its instance. */
export interface DiscoveredHandler<O> {
  /** `Class.method`. */
  readonly name: string;
  readonly options: O;
  readonly invoke: BoundHandler;
}

/**
 * Walks every provider and controller (singletons only) for @Subscribe and
 * @RpcHandler methods. Discovery only: starting them is the registrar's job.
 */
@Injectable()
export class MessagingExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: MessagingMetadataAccessor,
  ) {}

  subscriptions(): DiscoveredHandler<SubscribeOptions>[] {
    return this.explore((method) => this.metadata.getSubscribe(method));
  }

  rpcHandlers(): DiscoveredHandler<RpcHandlerOptions>[] {
    return this.explore((method) => this.metadata.getRpcHandler(method));
  }

  private explore<O>(
    read: (method: (...args: unknown[]) => unknown) => O | undefined,
  ): DiscoveredHandler<O>[] {
    const found: DiscoveredHandler<O>[] = [];
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName] as (...args: unknown[]) => unknown;
        const options = read(method);
        if (!options) continue;
        found.push({
          name: `${instance.constructor.name}.${methodName}`,
          options,
          invoke: method.bind(instance) as BoundHandler,
        });
      }
    }
    return found;
  }
}
