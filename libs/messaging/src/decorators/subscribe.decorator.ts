import { SetMetadata } from '@nestjs/common';
import type { SubscribeOptions } from '../interfaces/subscribe-options.interface';
import { SUBSCRIBE_METADATA } from '../messaging.constants';

/**
 * Marks a provider method as the handler of messages on `options.queue`.
 * Only records metadata; the explorer finds it and the registrar starts it.
 * The method gets (payload, context: MessageContext) and must return a Promise;
 * the message is acked when it resolves.
 *
 * @publicApi
 */
export const Subscribe = <T = unknown>(options: SubscribeOptions<T>): MethodDecorator =>
  SetMetadata(SUBSCRIBE_METADATA, options);
