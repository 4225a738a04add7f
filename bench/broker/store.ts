/**
 * Durable store throughput: appends persistent messages with a fixed number in flight
 * (each one "confirmed" when the sync() covering it resolves, then replaced by a new
 * one), and reports messages/s, fdatasyncs/s, messages per fsync and CPU µs per message.
 *
 *   node -r @swc-node/register bench/broker/store.ts [--seconds 5] [--size 256]
 *        [--inflight 1000] [--segment-mib 16] [--remove]
 *
 * --remove also removes each message once confirmed (the ack path: ack records and
 * segment deletion), as a broker with a fast consumer does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openFileStore, queueKeyOf, type PersistedMessage } from '@surety/broker/store';

interface Result {
  scenario: string;
  messages: number;
  seconds: number;
  syncs: number;
  cpuMicros: number;
  segmentsLeft: number;
}

async function run(
  options: { seconds: number; size: number; inflight: number; segmentSize: number },
  remove: boolean,
): Promise<Result> {
  const dataDir = await mkdtemp(join(tmpdir(), 'surety-store-bench-'));
  const store = openFileStore({ dataDir, segmentSize: options.segmentSize });
  await store.open();
  const args = Buffer.alloc(0);
  await store.putQueue({
    vhost: '/',
    name: 'bench',
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: args,
  });
  const key = queueKeyOf('/', 'bench');
  // A realistic content header (class 60, body size, a few properties) and body.
  const message: PersistedMessage = {
    exchange: 'bench.events',
    routingKey: 'policy.issued',
    header: Buffer.alloc(40, 1),
    body: Buffer.alloc(options.size, 7),
  };

  let confirmed = 0;
  let running = true;
  const syncsBefore = store.stats().syncs;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const publishOne = (): void => {
    const ref = store.append(key, message);
    store.sync().then(() => {
      confirmed++;
      if (remove) store.remove(key, ref);
      if (running) publishOne();
    }, fail);
  };
  for (let i = 0; i < options.inflight; i++) publishOne();
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const counted = confirmed;
  const syncs = store.stats().syncs - syncsBefore;
  await store.sync();
  const segmentsLeft = store.stats().segments;
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  return {
    scenario: remove ? 'append+sync+remove' : 'append+sync',
    messages: counted,
    seconds: elapsed,
    syncs,
    cpuMicros: cpu.user + cpu.system,
    segmentsLeft,
  };
}

function fail(err: unknown): never {
  console.error(err);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      size: { type: 'string', default: '256' },
      inflight: { type: 'string', default: '1000' },
      'segment-mib': { type: 'string', default: '16' },
      remove: { type: 'boolean', default: false },
    },
  });
  const options = {
    seconds: Number(values.seconds),
    size: Number(values.size),
    inflight: Number(values.inflight),
    segmentSize: Number(values['segment-mib']) * 1024 * 1024,
  };
  const r = await run(options, values.remove);
  const rate = (n: number) => Math.round(n / r.seconds).toLocaleString('en-US');
  console.log(
    [
      `store ${r.scenario}: ${options.size} B bodies, ${options.inflight} in flight, ${r.seconds.toFixed(1)} s`,
      `  messages/s        ${rate(r.messages)}`,
      `  fdatasyncs/s      ${rate(r.syncs)}`,
      `  messages/fsync    ${(r.messages / Math.max(1, r.syncs)).toFixed(0)}`,
      `  CPU µs/message    ${(r.cpuMicros / Math.max(1, r.messages)).toFixed(2)} (user+system, whole process)`,
      ...(values.remove ? [`  segments left     ${r.segmentsLeft}`] : []),
    ].join('\n'),
  );
}

main().catch(fail);
