import { fieldValuesEquivalent, numericValue, tablesEquivalent } from './field-value-compare';
import { tableValue, toFieldTable, toFieldValue } from './field-value-convert';
import type { FieldValue } from './field-value';

describe('field value helpers', () => {
  it('infers wire types as amqplib does', () => {
    expect(toFieldValue(5)).toEqual({ type: 'b', value: 5 });
    expect(toFieldValue(1000)).toEqual({ type: 's', value: 1000 });
    expect(toFieldValue(60_000)).toEqual({ type: 'I', value: 60_000 });
    expect(toFieldValue(2 ** 40)).toEqual({ type: 'l', value: 2n ** 40n });
    expect(toFieldValue(1.5)).toEqual({ type: 'd', value: 1.5 });
    expect(toFieldValue('x')).toEqual({ type: 'S', value: 'x' });
    expect(toFieldValue(true)).toEqual({ type: 't', value: true });
    expect(toFieldValue(7n)).toEqual({ type: 'l', value: 7n });
    expect(toFieldValue(null)).toEqual({ type: 'V', value: null });
    expect(toFieldValue(Buffer.from('ab'))).toEqual({ type: 'x', value: Buffer.from('ab') });
    expect(toFieldValue(new Date(5000))).toEqual({ type: 'T', value: 5n });
    expect(toFieldValue([1, 'a'])).toEqual({
      type: 'A',
      value: [
        { type: 'b', value: 1 },
        { type: 'S', value: 'a' },
      ],
    });
    expect(toFieldTable({ a: { b: 1 } })).toEqual({
      a: { type: 'F', value: { b: { type: 'b', value: 1 } } },
    });
  });

  it('reads plain values out of a table', () => {
    const table = toFieldTable({ ttl: 60_000, name: 'q', nested: { deep: [1n] } });
    expect(tableValue(table, 'ttl')).toBe(60_000);
    expect(tableValue(table, 'name')).toBe('q');
    expect(tableValue(table, 'nested')).toEqual({ deep: [1n] });
    expect(tableValue(table, 'missing')).toBeUndefined();
    expect(tableValue(table, 'toString')).toBeUndefined();
    expect(tableValue(undefined, 'ttl')).toBeUndefined();
    expect(tableValue({ d: { type: 'D', value: { scale: 2, value: 150 } } }, 'd')).toBe(1.5);
  });

  it('gives the integer of integer types only', () => {
    expect(numericValue({ type: 'l', value: 9n })).toBe(9n);
    expect(numericValue({ type: 'u', value: 9 })).toBe(9);
    expect(numericValue({ type: 'd', value: 9 })).toBeUndefined();
    expect(numericValue({ type: 'S', value: '9' })).toBeUndefined();
    expect(numericValue(undefined)).toBeUndefined();
  });

  it('treats integers of any width as equivalent by value, as RabbitMQ does for declare', () => {
    const ints: FieldValue[] = [
      { type: 'b', value: 100 },
      { type: 's', value: 100 },
      { type: 'I', value: 100 },
      { type: 'l', value: 100n },
      { type: 'B', value: 100 },
      { type: 'u', value: 100 },
      { type: 'i', value: 100 },
    ];
    for (const a of ints) for (const b of ints) expect(fieldValuesEquivalent(a, b)).toBe(true);
    expect(fieldValuesEquivalent({ type: 'I', value: 100 }, { type: 'l', value: 101n })).toBe(
      false,
    );
    expect(fieldValuesEquivalent({ type: 'I', value: 100 }, { type: 'd', value: 100 })).toBe(false);
    expect(fieldValuesEquivalent({ type: 'S', value: 'a' }, { type: 'S', value: 'a' })).toBe(true);
    expect(
      fieldValuesEquivalent({ type: 'S', value: 'a' }, { type: 'x', value: Buffer.from('a') }),
    ).toBe(false);
  });

  it('compares tables key by key, ignoring order', () => {
    const a = toFieldTable({ 'x-message-ttl': 1000, 'x-queue-mode': 'lazy' });
    const b = {
      'x-queue-mode': a['x-queue-mode']!,
      'x-message-ttl': { type: 'l', value: 1000n } as FieldValue,
    };
    expect(tablesEquivalent(a, b)).toBe(true);
    expect(tablesEquivalent(a, toFieldTable({ 'x-message-ttl': 1000 }))).toBe(false);
    expect(
      tablesEquivalent(a, toFieldTable({ 'x-message-ttl': 1000, 'x-queue-mode': 'default' })),
    ).toBe(false);
  });
});
