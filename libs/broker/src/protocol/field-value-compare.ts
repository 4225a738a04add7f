import type { FieldTable, FieldValue } from './field-value';

const INTEGER_TYPES = new Set(['b', 'B', 's', 'u', 'I', 'i', 'l']);

/** The integer a field holds (bigint for 'l'), or undefined for any non-integer type. */
export function numericValue(fv: FieldValue | undefined): number | bigint | undefined {
  if (fv === undefined || !INTEGER_TYPES.has(fv.type)) return undefined;
  return fv.value as number | bigint;
}

/**
 * Equality as RabbitMQ applies it to declare arguments: integers of any width
 * are equal when their values are; everything else must match type and value.
 */
export function fieldValuesEquivalent(a: FieldValue, b: FieldValue): boolean {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined || nb !== undefined) {
    return na !== undefined && nb !== undefined && BigInt(na) === BigInt(nb);
  }
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'x':
      return a.value.equals(b.value as Buffer);
    case 'D': {
      const other = b.value as { scale: number; value: number };
      return a.value.scale === other.scale && a.value.value === other.value;
    }
    case 'A': {
      const other = b.value as FieldValue[];
      return (
        a.value.length === other.length &&
        a.value.every((v, i) => fieldValuesEquivalent(v, other[i]!))
      );
    }
    case 'F':
      return tablesEquivalent(a.value, b.value as FieldTable);
    case 'f':
    case 'd':
      return Object.is(a.value, b.value) || a.value === b.value;
    default:
      return a.value === b.value;
  }
}

/** Same keys, and equivalent values under each key (order does not matter). */
export function tablesEquivalent(a: FieldTable, b: FieldTable): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) =>
      Object.prototype.hasOwnProperty.call(b, key) && fieldValuesEquivalent(a[key]!, b[key]!),
  );
}
