import type { FieldTable, FieldValue } from './field-value';

/** JS values toFieldValue understands. */
export type PlainFieldValue =
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | null
  | undefined
  | PlainFieldValue[]
  | { [key: string]: PlainFieldValue };

/**
 * Infers a wire type the way AMQP clients (amqplib) do: integers take the
 * smallest signed type that holds them (b, s, I, then l), other numbers are
 * doubles, strings are long strings, bigint is a signed 64-bit integer.
 */
export function toFieldValue(value: PlainFieldValue): FieldValue {
  switch (typeof value) {
    case 'boolean':
      return { type: 't', value };
    case 'string':
      return { type: 'S', value };
    case 'bigint':
      return { type: 'l', value };
    case 'number':
      return numberFieldValue(value);
    case 'undefined':
      return { type: 'V', value: null };
    default:
      if (value === null) return { type: 'V', value: null };
      if (Buffer.isBuffer(value)) return { type: 'x', value };
      if (value instanceof Date)
        return { type: 'T', value: BigInt(Math.floor(value.getTime() / 1000)) };
      if (Array.isArray(value)) return { type: 'A', value: value.map(toFieldValue) };
      return { type: 'F', value: toFieldTable(value) };
  }
}

function numberFieldValue(n: number): FieldValue {
  if (!Number.isInteger(n)) return { type: 'd', value: n };
  if (n >= -0x80 && n < 0x80) return { type: 'b', value: n };
  if (n >= -0x8000 && n < 0x8000) return { type: 's', value: n };
  if (n >= -0x8000_0000 && n < 0x8000_0000) return { type: 'I', value: n };
  if (Number.isSafeInteger(n)) return { type: 'l', value: BigInt(n) };
  return { type: 'd', value: n };
}

export function toFieldTable(object: { [key: string]: PlainFieldValue }): FieldTable {
  const table: FieldTable = {};
  for (const key of Object.keys(object)) table[key] = toFieldValue(object[key]);
  return table;
}

/**
 * The JS value of a field: numbers for 8..32-bit integers and floats, bigint for
 * 'l' and 'T' (seconds), a number for decimals, nested tables and arrays as
 * plain objects and arrays, null for void.
 */
export function plainValue(fv: FieldValue): PlainFieldValue {
  switch (fv.type) {
    case 'A':
      return fv.value.map(plainValue);
    case 'F':
      return plainTable(fv.value);
    case 'D':
      return fv.value.value / 10 ** fv.value.scale;
    default:
      return fv.value;
  }
}

export function plainTable(table: FieldTable): { [key: string]: PlainFieldValue } {
  const out: { [key: string]: PlainFieldValue } = {};
  for (const key of Object.keys(table)) out[key] = plainValue(table[key]!);
  return out;
}

/** The plain JS value under `key`, or undefined when the table (or the key) is absent. */
export function tableValue(table: FieldTable | undefined, key: string): PlainFieldValue {
  if (table === undefined || !Object.prototype.hasOwnProperty.call(table, key)) return undefined;
  return plainValue(table[key]!);
}
