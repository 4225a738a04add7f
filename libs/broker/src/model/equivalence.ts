import {
  AmqpError,
  ReplyCode,
  fieldValuesEquivalent,
  type FieldTable,
  type FieldValue,
} from '../protocol';
import { typeName } from './arguments';

/** Queue arguments RabbitMQ compares when a queue is declared again. */
export const QUEUE_EQUIVALENCE_KEYS = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-type',
  'x-delivery-limit',
  'x-single-active-consumer',
] as const;

/** Exchange arguments RabbitMQ compares on redeclare. */
export const EXCHANGE_EQUIVALENCE_KEYS = ['alternate-exchange'] as const;

/** Throws 406 "inequivalent arg" when a redeclare differs from what exists. */
export function assertFlagEquivalent(
  what: string,
  flag: string,
  received: boolean | string,
  current: boolean | string,
): void {
  if (received !== current) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `inequivalent arg '${flag}' for ${what}: received '${String(received)}' but current is '${String(current)}'`,
    );
  }
}

export function assertArgsEquivalent(
  what: string,
  keys: readonly string[],
  received: FieldTable,
  current: FieldTable,
): void {
  for (const key of keys) {
    const a = received[key];
    const b = current[key];
    if (a === undefined && b === undefined) continue;
    if (a !== undefined && b !== undefined) {
      if (fieldValuesEquivalent(a, b)) continue;
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `inequivalent arg '${key}' for ${what}: received '${plain(a)}' but current is '${plain(b)}'`,
      );
    }
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `inequivalent arg '${key}' for ${what}: received ${describe(a)} but current is ${describe(b)}`,
    );
  }
}

/** RabbitMQ prints "none" or "the value '10' of type 'byte'". */
function describe(fv: FieldValue | undefined): string {
  if (fv === undefined) return 'none';
  return `the value '${plain(fv)}' of type '${typeName(fv)}'`;
}

function plain(fv: FieldValue): string {
  if (fv.type === 'x') return fv.value.toString('utf8');
  if (typeof fv.value === 'object' && fv.value !== null)
    return JSON.stringify(fv.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(fv.value);
}
