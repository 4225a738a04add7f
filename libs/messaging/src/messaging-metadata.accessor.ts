import { Injectable, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RpcHandlerOptions } from './interfaces/rpc-options.interface';
import type { SubscribeOptions } from './interfaces/subscribe-options.interface';
import { RPC_HANDLER_METADATA, SUBSCRIBE_METADATA } from './messaging.constants';

/** The one place that reads Surety's decorator metadata. */
@Injectable()
export class MessagingMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getSubscribe(target: Type<unknown> | Function): SubscribeOptions | undefined {
    return this.reflector.get<SubscribeOptions | undefined>(SUBSCRIBE_METADATA, target);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getRpcHandler(target: Type<unknown> | Function): RpcHandlerOptions | undefined {
    return this.reflector.get<RpcHandlerOptions | undefined>(RPC_HANDLER_METADATA, target);
  }
}
