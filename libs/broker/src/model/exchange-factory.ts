import { AmqpError, ReplyCode } from '../protocol';
import { stringArgument } from './arguments';
import type { Exchange, ExchangeOptions } from './exchange';
import { ConsistentHashExchange } from './exchanges/consistent-hash';
import { DelayedMessageExchange } from './exchanges/delayed-message';
import { DirectExchange } from './exchanges/direct';
import { FanoutExchange } from './exchanges/fanout';
import { HeadersExchange } from './exchanges/headers';
import { TopicExchange } from './exchanges/topic';

type ExchangeClass = new (options: ExchangeOptions) => Exchange;

const TYPES: Record<string, ExchangeClass> = {
  direct: DirectExchange,
  fanout: FanoutExchange,
  topic: TopicExchange,
  headers: HeadersExchange,
  'x-consistent-hash': ConsistentHashExchange,
};

export const DELAYED_MESSAGE_TYPE = 'x-delayed-message';

export function isKnownExchangeType(type: string): boolean {
  return type in TYPES || type === DELAYED_MESSAGE_TYPE;
}

/** Chooses the concrete exchange class for a declared type. */
export function createExchange(options: ExchangeOptions): Exchange {
  if (options.type === DELAYED_MESSAGE_TYPE) {
    const innerType = stringArgument(
      options.args,
      'x-delayed-type',
      `exchange '${options.name}' in vhost '${options.vhost}'`,
    );
    if (innerType === undefined || !(innerType in TYPES)) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        "Invalid argument, 'x-delayed-type' must be an existing exchange type",
      );
    }
    const inner = new TYPES[innerType]!({ ...options, type: innerType });
    return new DelayedMessageExchange(options, inner);
  }
  const ExchangeType = TYPES[options.type];
  if (ExchangeType === undefined) {
    // RabbitMQ 4 answers an unknown type with a 406 channel error (3.x used a 503
    // connection error); we follow 4.
    throw new AmqpError(ReplyCode.PreconditionFailed, `unknown exchange type '${options.type}'`);
  }
  return new ExchangeType(options);
}
