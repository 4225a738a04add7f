import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMicros } from '../broker/proc-stats';

const SAMPLE_MS = 100;
/** Below this share of one core over a sample, the broker counts as settled. */
const IDLE_SHARE = 0.1;
const MAX_WAIT_MS = 10_000;

/**
 * Waits until the broker's processes have gone quiet after a fill (at most 10 s), so
 * that a consumer measured next does not share the machine with the broker still
 * writing the fill to disk: on RabbitMQ that swung one consumer's rate between 13k and
 * 40k msg/s from round to round, whichever side it was. Returns the ms waited.
 */
export async function waitForBrokerToSettle(pids: readonly number[]): Promise<number> {
  if (pids.length === 0) return 0;
  const started = Date.now();
  let before = cpuMicros(pids);
  while (Date.now() - started < MAX_WAIT_MS) {
    await sleep(SAMPLE_MS);
    const now = cpuMicros(pids);
    if (now - before < SAMPLE_MS * 1000 * IDLE_SHARE) break;
    before = now;
  }
  return Date.now() - started;
}
