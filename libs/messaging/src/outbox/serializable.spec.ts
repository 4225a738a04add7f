import fc from 'fast-check';
import { OutboxSerializationError } from './outbox.errors';
import { assertSerializable } from './serializable';

describe('assertSerializable', () => {
  const refused = (value: unknown) => {
    try {
      assertSerializable(value, 'fee.charged', '$payload');
    } catch (error) {
      expect(error).toBeInstanceOf(OutboxSerializationError);
      return (error as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it('names the event type, the path and the reason', () => {
    expect(refused({ fee: { amount: 5n } })).toBe(
      'outbox event "fee.charged" is not serializable: BigInt is not JSON (convert it to a string or number) at $payload.fee.amount',
    );
  });

  it('refuses a circular structure', () => {
    const node: Record<string, unknown> = { a: 1 };
    node.self = node;
    expect(refused(node)).toMatch(/circular reference at \$payload\.self/);
  });

  it.each([
    ['a top-level undefined', undefined, /undefined is not JSON at \$payload$/],
    ['a function', { f: () => 1 }, /a function is not JSON at \$payload\.f/],
    ['a symbol', [Symbol('s')], /a symbol is not JSON at \$payload\[0\]/],
    ['NaN', { n: NaN }, /NaN is not representable/],
    ['Infinity', { n: Infinity }, /Infinity is not representable/],
    ['an undefined array item', [1, undefined], /undefined is not JSON at \$payload\[1\]/],
    ['a Map', { m: new Map() }, /a Map becomes \{\} in JSON/],
    ['a Set', new Set([1]), /a Set becomes \{\} in JSON/],
  ])('refuses %s', (_what, value, message) => {
    expect(refused(value)).toMatch(message);
  });

  it('accepts shared (non-circular) references, dates and nested optional fields', () => {
    const shared = { x: 1 };
    expect(() =>
      assertSerializable({ a: shared, b: shared, at: new Date(0), maybe: undefined }, 't'),
    ).not.toThrow();
  });

  it('accepts every JSON value, which round-trips unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assertSerializable(value, 't');
        const text = JSON.stringify(value);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
      }),
    );
  });
});
