/** fast-check generators for the codec's property tests (test-only; not exported by index.ts). */
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../field-value';
import { METHODS, type MethodInfo, type MethodName } from '../generated/methods';

const shortString = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .filter((s) => Buffer.byteLength(s) <= 255);

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

const { fieldValue, fieldTable } = fc.letrec<{ fieldValue: FieldValue; fieldTable: FieldTable }>(
  (tie) => ({
    fieldValue: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.boolean().map((value): FieldValue => ({ type: 't', value })),
      fc.integer({ min: -128, max: 127 }).map((value): FieldValue => ({ type: 'b', value })),
      fc.integer({ min: 0, max: 255 }).map((value): FieldValue => ({ type: 'B', value })),
      fc.integer({ min: -32768, max: 32767 }).map((value): FieldValue => ({ type: 's', value })),
      fc.integer({ min: 0, max: 65535 }).map((value): FieldValue => ({ type: 'u', value })),
      fc.integer().map((value): FieldValue => ({ type: 'I', value })),
      fc.integer({ min: 0, max: 0xffffffff }).map((value): FieldValue => ({ type: 'i', value })),
      fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((value): FieldValue => ({ type: 'l', value })),
      fc.bigInt(0n, 2n ** 64n - 1n).map((value): FieldValue => ({ type: 'T', value })),
      fc.float().map((value): FieldValue => ({ type: 'f', value })),
      fc.double().map((value): FieldValue => ({ type: 'd', value })),
      fc
        .record({
          scale: fc.integer({ min: 0, max: 255 }),
          value: fc.integer({ min: 0, max: 0xffffffff }),
        })
        .map((value): FieldValue => ({ type: 'D', value })),
      fc
        .string({ unit: 'grapheme', maxLength: 60 })
        .map((value): FieldValue => ({ type: 'S', value })),
      bytes(64).map((value): FieldValue => ({ type: 'x', value })),
      fc.constant<FieldValue>({ type: 'V', value: null }),
      fc
        .array(tie('fieldValue'), { maxLength: 4 })
        .map((value): FieldValue => ({ type: 'A', value })),
      tie('fieldTable').map((value): FieldValue => ({ type: 'F', value })),
    ),
    fieldTable: fc
      .dictionary(shortString, tie('fieldValue'), { maxKeys: 5, noNullPrototype: true })
      .map((t) => ({ ...t }) as FieldTable),
  }),
);

export { fieldValue as fieldValueArbitrary, fieldTable as fieldTableArbitrary };

type FieldWireType = MethodInfo['fields'][number]['type'];

function fieldArbitrary(type: FieldWireType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bit':
      return fc.boolean();
    case 'octet':
      return fc.integer({ min: 0, max: 255 });
    case 'short':
      return fc.integer({ min: 0, max: 65535 });
    case 'long':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'longlong':
      return fc.maxSafeNat();
    case 'shortstr':
      return shortString;
    case 'longstr':
      return bytes(300);
    case 'table':
      return fieldTable;
    case 'timestamp':
      return fc.bigInt(0n, 2n ** 64n - 1n);
  }
}

/** Arguments for `name` with every field set (the decoded form). */
export function methodArgsArbitrary(name: MethodName): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of METHODS[name].fields) shape[f.name] = fieldArbitrary(f.type);
  return fc.record(shape);
}
