import { SetMetadata } from '@nestjs/common';
import type { RpcHandlerOptions } from '../interfaces/rpc-options.interface';
import { RPC_HANDLER_METADATA } from '../messaging.constants';

/**
 * Marks a provider method as the responder for requests on `options.queue`.
 * Its resolved value is the reply; a thrown error reaches the caller as
 * RpcRemoteError. Only records metadata.
 *
 * @publicApi
 */
export const RpcHandler = <T = unknown>(options: RpcHandlerOptions<T>): MethodDecorator =>
  SetMetadata(RPC_HANDLER_METADATA, options);
