// One workload in a fresh process, so no side inherits the other's state: heap,
// JIT, or the promise hooks Node 20 switches on process-wide once any
// AsyncLocalStorage is entered (Surety's consumer enters one per message).
//
//   node --expose-gc -r @swc-node/register bench/messaging/workload.ts <kind> <url> <queue> [count] [warmup]
//
// Prints one JSON line: { msgPerSec, cpuUsPerMsg }. Also the driver for profiling
// (add --cpu-prof; see docs/messaging/publishing.md).
import 'reflect-metadata';
import { countFor, WARMUP } from './config';
import type { Measurement } from './measure';
import { rawConsume, rawPublish } from './raw-workloads';
import { suretyConsume, suretyPublish } from './surety-workloads';

export const WORKLOADS = {
  'raw-publish': (url: string, queue: string, warmup: number, count: number) =>
    rawPublish(url, queue, warmup, count, false),
  'raw-publish-same': (url: string, queue: string, warmup: number, count: number) =>
    rawPublish(url, queue, warmup, count, true),
  'surety-publish': suretyPublish,
  'raw-consume': rawConsume,
  'surety-consume': suretyConsume,
} satisfies Record<
  string,
  (url: string, queue: string, warmup: number, count: number) => Promise<Measurement>
>;

export type WorkloadKind = keyof typeof WORKLOADS;

async function main() {
  const [kind, url, queue, count = String(countFor('rabbitmq')), warmup = String(WARMUP)] =
    process.argv.slice(2);
  const workload = WORKLOADS[kind as WorkloadKind];
  if (!workload || !url || !queue) {
    throw new Error(
      `usage: workload.ts <${Object.keys(WORKLOADS).join('|')}> <amqp-url> <queue> [count] [warmup]`,
    );
  }
  const result = await workload(url, queue, Number(warmup), Number(count));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
