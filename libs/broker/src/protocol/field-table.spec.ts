import fc from 'fast-check';
import { AmqpError } from './amqp-error';
import { MAX_TABLE_DEPTH, decodeTable, encodeTable } from './field-table';
import type { FieldTable } from './field-value';
import { ReplyCode } from './reply-code';
import { fieldTableArbitrary } from './testing/arbitraries';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function expectSyntaxError(bytes: Buffer, message: RegExp): void {
  let caught: unknown;
  try {
    decodeTable(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AmqpError);
  expect((caught as AmqpError).code).toBe(ReplyCode.SyntaxError);
  expect((caught as AmqpError).message).toMatch(message);
}

describe('field table codec', () => {
  const known: FieldTable = {
    a: { type: 'S', value: 'hi' },
    n: { type: 'I', value: -2 },
    t: { type: 't', value: true },
  };
  // length 20; "a" S len 2 "hi"; "n" I -2; "t" t 1
  const knownBytes = hex('00000014 0161 53 00000002 6869 016e 49 fffffffe 0174 74 01');

  it('encodes a table to the bytes the spec prescribes', () => {
    expect(encodeTable(known)).toEqual(knownBytes);
  });

  it('decodes those bytes back', () => {
    expect(decodeTable(knownBytes)).toEqual(known);
  });

  it('keeps every wire type, 64-bit values as bigint', () => {
    const table: FieldTable = {
      bool: { type: 't', value: false },
      i8: { type: 'b', value: -5 },
      u8: { type: 'B', value: 250 },
      i16: { type: 's', value: -300 },
      u16: { type: 'u', value: 60000 },
      i32: { type: 'I', value: -70000 },
      u32: { type: 'i', value: 4000000000 },
      i64: { type: 'l', value: -(2n ** 62n) },
      f32: { type: 'f', value: 1.5 },
      f64: { type: 'd', value: Math.PI },
      dec: { type: 'D', value: { scale: 2, value: 12345 } },
      str: { type: 'S', value: 'héllo' },
      raw: { type: 'x', value: Buffer.from([0, 1, 2]) },
      arr: {
        type: 'A',
        value: [
          { type: 'I', value: 1 },
          { type: 'S', value: 'x' },
        ],
      },
      ts: { type: 'T', value: 1_700_000_000n },
      nested: { type: 'F', value: { k: { type: 'l', value: 42n } } },
      none: { type: 'V', value: null },
    };
    const decoded = decodeTable(encodeTable(table));
    expect(decoded).toEqual(table);
    expect(typeof decoded.i64!.value).toBe('bigint');
    expect(typeof decoded.ts!.value).toBe('bigint');
  });

  it('round-trips any table (property)', () => {
    fc.assert(
      fc.property(fieldTableArbitrary, (table) => {
        expect(decodeTable(encodeTable(table))).toEqual(table);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets a "__proto__" key from the wire touch the prototype', () => {
    const bytes = encodeTable(
      JSON.parse('{"__proto__": {"type": "S", "value": "x"}}') as FieldTable,
    );
    const decoded = decodeTable(bytes);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  describe('hostile input fails with 502, never a RangeError or a huge allocation', () => {
    it('rejects an unknown type tag', () => {
      expectSyntaxError(hex('00000003 0161 5a'), /unknown type tag 0x5a/);
    });

    it('rejects a long string declaring 4 GB', () => {
      expectSyntaxError(hex('00000009 0161 53 ffffffff 0000'), /declares 4294967295 bytes/);
    });

    it('rejects a nested table and an array overrunning their parent', () => {
      expectSyntaxError(hex('00000007 0161 46 00000010'), /nested table declares 16 bytes/);
      expectSyntaxError(hex('00000007 0161 41 7fffffff'), /array declares/);
    });

    it('rejects a key longer than the table', () => {
      expectSyntaxError(hex('00000002 ff61'), /truncated in a key/);
    });

    it('rejects a length prefix that disagrees with the bytes', () => {
      expectSyntaxError(hex('00000005 0161 74 01'), /declares 5 bytes but 4 follow/);
      expectSyntaxError(hex('0000'), /shorter than its length prefix/);
    });

    it(`rejects nesting deeper than ${MAX_TABLE_DEPTH}`, () => {
      let table: FieldTable = {};
      for (let i = 0; i <= MAX_TABLE_DEPTH; i++) table = { k: { type: 'F', value: table } };
      expectSyntaxError(encodeTable(table), /nested deeper/);
      let array: FieldTable = { k: { type: 'V', value: null } };
      for (let i = 0; i < 200; i++) array = { k: { type: 'A', value: [array.k!] } };
      expectSyntaxError(encodeTable(array), /nested deeper/);
    });

    it('every truncation of a valid table fails cleanly (property)', () => {
      fc.assert(
        fc.property(fieldTableArbitrary, fc.nat(), (table, cut) => {
          const bytes = encodeTable(table);
          if (bytes.length <= 4) return;
          const at = 4 + (cut % (bytes.length - 4));
          const truncated = Buffer.from(bytes.subarray(0, at));
          truncated.writeUInt32BE(at - 4, 0); // the prefix agrees, the content is cut
          try {
            decodeTable(truncated);
          } catch (error) {
            expect(error).toBeInstanceOf(AmqpError);
            expect((error as AmqpError).code).toBe(ReplyCode.SyntaxError);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('random bytes either decode or fail with 502 (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
          const bytes = Buffer.alloc(4 + raw.length);
          bytes.writeUInt32BE(raw.length, 0);
          bytes.set(raw, 4);
          try {
            decodeTable(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(AmqpError);
            expect((error as AmqpError).code).toBe(ReplyCode.SyntaxError);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
