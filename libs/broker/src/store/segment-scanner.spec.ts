import { encodeRecord, recordSize } from './message-record';
import { SEGMENT_HEADER } from './segment-files';
import { scanSegment } from './segment-scanner';
import type { PersistedMessage } from './types';

function record(body: Buffer): Buffer {
  const key = Buffer.from('//q');
  const m: PersistedMessage = { exchange: '', routingKey: 'k', header: Buffer.alloc(0), body };
  const buf = Buffer.alloc(recordSize(key, m));
  encodeRecord(buf, 0, key, m);
  return buf;
}

describe('scanSegment', () => {
  it('does not take a record embedded in a damaged body for a real one', () => {
    const inner = record(Buffer.from('smuggled'));
    const outer = record(Buffer.concat([Buffer.from('prefix'), inner]));
    const last = record(Buffer.from('last'));
    outer[outer.length - 1] ^= 1; // damage the outer body after the embedded record
    const segment = Buffer.concat([SEGMENT_HEADER, outer, last]);

    const scan = scanSegment(segment);
    expect(scan.frames.map((f) => f.position)).toEqual([SEGMENT_HEADER.length + outer.length]);
    expect(scan.corruptions).toEqual([
      { position: SEGMENT_HEADER.length, length: outer.length, reason: 'bad-crc' },
    ]);
    expect(scan.validEnd).toBe(segment.length);
  });

  it('treats an empty file and a header prefix as an empty segment, anything else as foreign', () => {
    expect(scanSegment(Buffer.alloc(0)).header).toBe('empty');
    expect(scanSegment(SEGMENT_HEADER.subarray(0, 5)).header).toBe('empty');
    expect(scanSegment(Buffer.from('SRTYSEG2')).header).toBe('foreign');
    expect(scanSegment(SEGMENT_HEADER).frames).toEqual([]);
  });
});
