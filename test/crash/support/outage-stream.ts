import { eventually } from '../../support/eventually';
import { ChildProcesses } from './crash-child';
import { CrashEnv, crashEvents } from './crash-env';
import { CrashRig } from './crash-rig';
import { crashSummary, expectEndState, waitUntilSettled } from './end-state';

/** A broker the test can take away from the clients mid-stream, and give back. */
export interface Outage {
  readonly name: string;
  /** Where the children connect. */
  readonly clientUrl: string;
  /** Where the test itself connects (counts, cleanup). */
  readonly adminUrl: string;
  /** Takes the broker away for a moment and brings it back; resolves once it is back. */
  strike(): Promise<void>;
  dispose(): Promise<void>;
}

/** Events of one outage stream (SURETY_CRASH_EVENTS for the large run). */
export const OUTAGE_EVENTS = crashEvents(200);

/**
 * A relay, a consumer and a producer process streaming events while `outage` strikes
 * twice (at a quarter and at 60% of the effects); then the end state is counted: every
 * business row took effect exactly once, nothing is left pending, failed or queued.
 */
export async function streamThroughOutages(
  store: 'db' | 'redis',
  makeOutage: (children: ChildProcesses) => Promise<Outage>,
  cleanup: { outage?: Outage; rig?: CrashRig; children: ChildProcesses },
): Promise<string> {
  const events = OUTAGE_EVENTS;
  const outage = await makeOutage(cleanup.children);
  cleanup.outage = outage;
  const rig = await CrashRig.create(store, outage.clientUrl, outage.adminUrl);
  cleanup.rig = rig;
  // 50 ms handlers: deliveries are in flight (transaction open, ack pending) when it hits.
  await rig.startConsumer({ [CrashEnv.handlerMs]: '50' });
  await rig.startRelay();
  // Paced so that the stream lasts a few seconds (200 events: 20 ms apart) and the
  // outages hit it; the large run writes as fast as it can.
  const producer = await rig.startProducer(events, Math.floor(4_000 / events));

  for (const fraction of [0.25, 0.6]) {
    await eventually(
      async () => expect(await rig.count('effects')).toBeGreaterThanOrEqual(events * fraction),
      { timeoutMs: 30_000 + events * 10, intervalMs: 50 },
    );
    await outage.strike();
  }
  await producer.waitForLine(/^DONE /, 30_000 + events * 20);

  await waitUntilSettled(rig, events, 40_000 + events * 10);
  const summary = crashSummary(rig, events, { broker: 2 });
  await expectEndState(rig, events);
  return `broker outage (${outage.name}): ${summary}`;
}

/** Disposes what streamThroughOutages left behind, whatever point it reached. */
export async function disposeOutageStream(cleanup: {
  outage?: Outage;
  rig?: CrashRig;
  children: ChildProcesses;
}): Promise<void> {
  await cleanup.rig?.dispose();
  await cleanup.outage?.dispose();
  await cleanup.children.killAll();
}
