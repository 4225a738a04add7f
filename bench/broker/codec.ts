/**
 * Micro-benchmark of the protocol hot paths (no sockets):
 *   node -r @swc-node/register bench/broker/codec.ts
 * BENCH_CODEC_MS sets the time per case (default 1000 ms).
 */
import {
  FrameParser,
  decodeContentHeader,
  decodeMethod,
  encodeContentFrames,
  encodeContentHeaderPayload,
  encodeHeaderFrame,
  encodeMethodFrame,
} from '@surety/broker/protocol';

const CASE_MS = Number(process.env.BENCH_CODEC_MS ?? 1000);

interface Result {
  name: string;
  opsPerSecond: number;
  nsPerOp: number;
}

/** Runs `op` in batches of 1000 until CASE_MS has passed. */
function measure(name: string, op: () => void, opsPerCall = 1): Result {
  for (let i = 0; i < 20_000; i++) op(); // warm up the JIT
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(CASE_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) op();
    calls += 1000;
    now = process.hrtime.bigint();
  }
  const ops = calls * opsPerCall;
  const seconds = Number(now - start) / 1e9;
  return {
    name,
    opsPerSecond: Math.round(ops / seconds),
    nsPerOp: Math.round((seconds * 1e9) / ops),
  };
}

const body = Buffer.alloc(256, 0x61);
const header = encodeContentHeaderPayload(60, body.length, {
  deliveryMode: 2,
  contentType: 'application/json',
});
const publishFrame = encodeMethodFrame(1, 'basic.publish', {
  exchange: 'orders',
  routingKey: 'order.created',
});
const publishPayload = publishFrame.subarray(7, -1);
const headerFrame = encodeHeaderFrame(1, header);
const bodyFrame = Buffer.concat([Buffer.from([3, 0, 1, 0, 0, 1, 0]), body, Buffer.from([0xce])]);

// a stream of 1000 publishes (method + header + body), cut into 64 KiB reads as a socket delivers them
const oneMessage = Buffer.concat([publishFrame, headerFrame, bodyFrame]);
const stream = Buffer.concat(Array.from({ length: 1000 }, () => oneMessage));
const reads: Buffer[] = [];
for (let offset = 0; offset < stream.length; offset += 65536)
  reads.push(stream.subarray(offset, offset + 65536));

let sink = 0;
const deliverArgs = {
  consumerTag: 'amq.ctag-abc',
  deliveryTag: 1,
  exchange: 'orders',
  routingKey: 'order.created',
};

const results = [
  measure('decode basic.publish', () => {
    sink += decodeMethod(publishPayload).classId;
  }),
  measure('decode content header (fixed part)', () => {
    sink += decodeContentHeader(header).bodySize;
  }),
  measure('encode basic.deliver method frame', () => {
    deliverArgs.deliveryTag++;
    sink += encodeMethodFrame(1, 'basic.deliver', deliverArgs).length;
  }),
  measure('encode basic.deliver + header + 256 B body', () => {
    deliverArgs.deliveryTag++;
    sink += encodeContentFrames(1, 'basic.deliver', deliverArgs, header, body, 131072).length;
  }),
  measure('encode basic.ack', () => {
    sink += encodeMethodFrame(1, 'basic.ack', { deliveryTag: 12345, multiple: false }).length;
  }),
  measure(
    'parse publish stream (per message: 3 frames + decode publish)',
    () => {
      const parser = new FrameParser(131072);
      for (const read of reads) {
        parser.push(read, (type, _channel, payload) => {
          if (type === 1) sink += decodeMethod(payload).methodId;
          else sink += payload.length;
        });
      }
    },
    1000,
  ),
];

console.log(`codec micro-benchmark (node ${process.version}, ${CASE_MS} ms per case)`);
console.table(
  results.map((r) => ({
    case: r.name,
    'ops/s': r.opsPerSecond.toLocaleString('en-US'),
    'ns/op': r.nsPerOp,
  })),
);
if (sink === 42) console.log('');
