// One workload in a fresh process, so that no side inherits another's heap, JIT or
// process-wide hooks (Node switches promise hooks on once any AsyncLocalStorage is
// entered, and Surety's consumer and the inbox enter one per message).
//
//   node -r @swc-node/register bench/outbox/workload.ts <kind> '<json args>'
//
// Prints one JSON line with the workload's costs. Also the driver for profiling: add
// --cpu-prof (see the header of run.ts).
import 'reflect-metadata';
import { businessTx } from './workloads/business-tx';
import { consume } from './workloads/consume';
import { rawPublish } from './workloads/raw-publish';
import { relayDrain } from './workloads/relay-drain';
import { relayStream } from './workloads/relay-stream';

export const WORKLOADS = {
  'raw-publish': rawPublish,
  'relay-drain': relayDrain,
  'relay-stream': relayStream,
  'business-tx': businessTx,
  consume,
} as const;

export type WorkloadKind = keyof typeof WORKLOADS;
export type WorkloadArgs<K extends WorkloadKind> = Parameters<(typeof WORKLOADS)[K]>[0];
export type WorkloadResult<K extends WorkloadKind> = Awaited<ReturnType<(typeof WORKLOADS)[K]>>;

async function main() {
  const [kind, json] = process.argv.slice(2);
  const workload = WORKLOADS[kind as WorkloadKind] as (args: unknown) => Promise<unknown>;
  if (!workload || !json) {
    throw new Error(`usage: workload.ts <${Object.keys(WORKLOADS).join('|')}> '<json args>'`);
  }
  const result = await workload(JSON.parse(json));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Nest, pg and ioredis are closed by now; a stray timer must not hold the result back.
  process.exit(0);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
