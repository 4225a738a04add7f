import fc from 'fast-check';
import { checkRecord, decodeRecord, encodeRecord, recordSize } from './message-record';
import type { PersistedMessage } from './types';

const shortString = fc
  .string({ unit: 'grapheme', maxLength: 60 })
  .filter((s) => Buffer.byteLength(s) <= 255);
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const persisted: fc.Arbitrary<PersistedMessage> = fc.record({
  exchange: shortString,
  routingKey: shortString,
  header: bytes(200),
  body: bytes(2000),
});
const queueKey = fc.string({ maxLength: 100 }).map((s) => Buffer.from(s));

function encode(key: Buffer, m: PersistedMessage, at = 0): Buffer {
  const buf = Buffer.alloc(at + recordSize(key, m));
  expect(encodeRecord(buf, at, key, m)).toBe(recordSize(key, m));
  return buf;
}

describe('message record', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(queueKey, persisted, fc.nat(50), (key, m, at) => {
        const buf = encode(key, m, at);
        expect(checkRecord(buf, at)).toEqual({ ok: true, length: buf.length - at });
        const decoded = decodeRecord(buf, at, true);
        expect(decoded.queueKey).toBe(key.toString());
        expect(decoded.message).toEqual(m);
      }),
    );
  });

  it('rejects a record with any single damaged byte', () => {
    fc.assert(
      fc.property(
        queueKey,
        persisted,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (key, m, n, x) => {
          const buf = encode(key, m);
          buf[n % buf.length] ^= x;
          expect(checkRecord(buf, 0).ok).toBe(false);
        },
      ),
    );
  });

  it('reports a record cut short as truncated', () => {
    const buf = encode(Buffer.from('//q'), {
      exchange: 'e',
      routingKey: 'k',
      header: Buffer.alloc(3),
      body: Buffer.alloc(30),
    });
    for (let cut = 0; cut < buf.length; cut++) {
      expect(checkRecord(buf.subarray(0, cut), 0)).toEqual({ ok: false, reason: 'truncated' });
    }
  });
});
