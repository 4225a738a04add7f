import { AmqpError, ReplyCode, numericValue, type FieldTable, type FieldValue } from '../protocol';

/**
 * Reading x-arguments the way RabbitMQ validates them: integer arguments accept
 * any integer wire type; a wrong type or range is a 406 naming the argument.
 */
export function integerArgument(
  table: FieldTable,
  key: string,
  range: { min: number; max?: number },
): number | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  const raw = numericValue(fv);
  if (raw === undefined) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `invalid arg '${key}' for ${describe(fv)}: expected an integer`,
    );
  }
  const value = Number(raw);
  if (value < range.min || (range.max !== undefined && value > range.max)) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `invalid arg '${key}' for ${describe(fv)}: value ${value} out of range` +
        (range.max === undefined ? ` (min ${range.min})` : ` (${range.min}..${range.max})`),
    );
  }
  return value;
}

export function stringArgument(table: FieldTable, key: string): string | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  if (fv.type === 'S') return fv.value;
  if (fv.type === 'x') return fv.value.toString('utf8');
  throw new AmqpError(
    ReplyCode.PreconditionFailed,
    `invalid arg '${key}' for ${describe(fv)}: expected a string`,
  );
}

export function booleanArgument(table: FieldTable, key: string): boolean | undefined {
  const fv = table[key];
  if (fv === undefined) return undefined;
  if (fv.type === 't') return fv.value;
  throw new AmqpError(
    ReplyCode.PreconditionFailed,
    `invalid arg '${key}' for ${describe(fv)}: expected a boolean`,
  );
}

export function oneOfArgument<T extends string>(
  table: FieldTable,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = stringArgument(table, key);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AmqpError(
      ReplyCode.PreconditionFailed,
      `invalid arg '${key}' for ${value}: expected one of ${allowed.join(', ')}`,
    );
  }
  return value as T;
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

function describe(fv: FieldValue): string {
  return `{${fv.type},${typeof fv.value === 'object' ? JSON.stringify(fv.value, bigintSafe) : String(fv.value)}}`;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
