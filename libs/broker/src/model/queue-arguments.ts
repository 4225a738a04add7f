import { AmqpError, ReplyCode, type FieldTable } from '../protocol';
import { booleanArgument, integerArgument, oneOfArgument, stringArgument } from './arguments';

export type OverflowMode = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
export type QueueType = 'classic' | 'quorum';

/** The x-arguments of a queue, validated once at declare time. */
export interface QueueSettings {
  readonly type: QueueType;
  readonly messageTtl: number | undefined;
  readonly expires: number | undefined;
  readonly maxLength: number | undefined;
  readonly maxLengthBytes: number | undefined;
  readonly overflow: OverflowMode;
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  readonly singleActiveConsumer: boolean;
  readonly maxPriority: number;
  /** Returns before a message is dead-lettered (reason delivery_limit); Infinity = no limit. */
  readonly deliveryLimit: number;
}

const MAX_UINT32 = 0xffff_ffff;

/**
 * RabbitMQ 4 gives quorum queues a delivery limit of 20 when none is set (3.x
 * had none); we follow 4. A negative limit means unlimited, as in 4.
 */
export const QUORUM_DEFAULT_DELIVERY_LIMIT = 20;

export function parseQueueSettings(
  args: FieldTable,
  flags: { durable: boolean; exclusive: boolean; autoDelete: boolean },
  what: string,
): QueueSettings {
  const type =
    oneOfArgument(args, 'x-queue-type', what, ['classic', 'quorum', 'stream'] as const) ??
    'classic';
  if (type === 'stream') {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      "invalid arg 'x-queue-type': stream queues are not supported by this broker",
    );
  }
  if (type === 'quorum') {
    if (!flags.durable) throw invalidProperty('non-durable');
    if (flags.exclusive) throw invalidProperty('exclusive');
    if (flags.autoDelete) throw invalidProperty('auto-delete');
  }
  const deadLetterExchange = stringArgument(args, 'x-dead-letter-exchange', what);
  const deadLetterRoutingKey = stringArgument(args, 'x-dead-letter-routing-key', what);
  if (deadLetterRoutingKey !== undefined && deadLetterExchange === undefined) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      "invalid arg 'x-dead-letter-routing-key': x-dead-letter-exchange must also be set",
    );
  }
  const limit = integerArgument(args, 'x-delivery-limit', what, { min: -1 });
  let deliveryLimit = Infinity;
  if (type === 'quorum') {
    const effective = limit ?? QUORUM_DEFAULT_DELIVERY_LIMIT;
    deliveryLimit = effective < 0 ? Infinity : effective;
  }
  return {
    type,
    messageTtl: integerArgument(args, 'x-message-ttl', what, { min: 0, max: MAX_UINT32 }),
    expires: integerArgument(args, 'x-expires', what, { min: 1, max: MAX_UINT32 }),
    maxLength: integerArgument(args, 'x-max-length', what, { min: 0 }),
    maxLengthBytes: integerArgument(args, 'x-max-length-bytes', what, { min: 0 }),
    overflow:
      oneOfArgument(args, 'x-overflow', what, [
        'drop-head',
        'reject-publish',
        'reject-publish-dlx',
      ] as const) ?? 'drop-head',
    deadLetterExchange,
    deadLetterRoutingKey,
    singleActiveConsumer: booleanArgument(args, 'x-single-active-consumer', what) ?? false,
    maxPriority: integerArgument(args, 'x-max-priority', what, { min: 0, max: 255 }) ?? 0,
    deliveryLimit,
  };
}

function invalidProperty(property: string): AmqpError {
  return new AmqpError(
    ReplyCode.PreconditionFailed,
    `invalid property '${property}' for quorum queue`,
  );
}
