import { AmqpError, ReplyCode, numericValue, type FieldTable, type FieldValue } from '../protocol';

/** RabbitMQ's (Erlang) names for field types, used in its error texts. */
const TYPE_NAMES: Record<string, string> = {
  t: 'bool',
  b: 'byte',
  B: 'unsignedbyte',
  s: 'short',
  u: 'unsignedshort',
  I: 'signedint',
  i: 'unsignedint',
  l: 'long',
  f: 'float',
  d: 'double',
  D: 'decimal',
  S: 'longstr',
  x: 'binary',
  A: 'array',
  T: 'timestamp',
  F: 'table',
  V: 'void',
};

export function typeName(fv: FieldValue): string {
  return TYPE_NAMES[fv.type] ?? fv.type;
}

/**
 * Reading x-arguments the way RabbitMQ validates them: integer arguments accept
 * any integer wire type; a wrong type or range is a 406 in RabbitMQ's words
 * ("invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}").
 * `what` names the owner ("queue 'q' in vhost '/'").
 */
export function integerArgument(
  table: FieldTable,
  key: string,
  what: string,
  range: { min: number; max?: number },
): number | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  const raw = numericValue(fv);
  if (raw === undefined) throw invalidArg(key, what, `{unacceptable_type,${typeName(fv)}}`);
  const value = Number(raw);
  if (value < 0 && range.min >= 0) throw invalidArg(key, what, `{value_negative,${value}}`);
  if (value < range.min)
    throw invalidArg(key, what, value === 0 ? '{value_zero,0}' : `{value_too_small,${value}}`);
  if (range.max !== undefined && value > range.max) {
    throw invalidArg(key, what, `{max_value_exceeded,${value}}`);
  }
  return value;
}

export function stringArgument(table: FieldTable, key: string, what: string): string | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  if (fv.type === 'S') return fv.value;
  if (fv.type === 'x') return fv.value.toString('utf8');
  throw invalidArg(key, what, `{unacceptable_type,${typeName(fv)}}`);
}

export function booleanArgument(table: FieldTable, key: string, what: string): boolean | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  if (fv.type === 't') return fv.value;
  throw invalidArg(key, what, `{unacceptable_type,${typeName(fv)}}`);
}

export function oneOfArgument<T extends string>(
  table: FieldTable,
  key: string,
  what: string,
  allowed: readonly T[],
): T | undefined {
  const value = stringArgument(table, key, what);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidArg(key, what, `{invalid_value,<<"${value}">>}`);
  }
  return value as T;
}

export function invalidArg(key: string, what: string, detail: string): AmqpError {
  return new AmqpError(ReplyCode.PreconditionFailed, `invalid arg '${key}' for ${what}: ${detail}`);
}

/** A stable text form of a table, used to tell bindings with different arguments apart. */
export function tableSignature(table: FieldTable): string {
  const keys = Object.keys(table).sort();
  if (keys.length === 0) return '';
  return keys.map((key) => `${key}=${valueSignature(table[key]!)}`).join(',');
}

function valueSignature(fv: FieldValue): string {
  switch (fv.type) {
    case 'F':
      return `{${tableSignature(fv.value)}}`;
    case 'A':
      return `[${fv.value.map(valueSignature).join(',')}]`;
    case 'x':
      return `x:${fv.value.toString('hex')}`;
    case 'D':
      return `D:${fv.value.scale}:${fv.value.value}`;
    default: {
      // integer widths are interchangeable (b/s/I/l compare by value)
      const n = numericValue(fv);
      return n !== undefined ? `i:${n}` : `${fv.type}:${String(fv.value)}`;
    }
  }
}
