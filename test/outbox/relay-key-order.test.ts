import { Outbox, OutboxRelay, type OutboxEvent } from '@surety/messaging/outbox';
import { eventually } from '../support/eventually';
import { declareGateQueue, type GateQueue } from './support/gate-queue';
import { RecordingPublisher } from './support/recording-publisher';
import { describeRelayMatrix } from './support/relay-matrix';

jest.setTimeout(90_000);

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describeRelayMatrix('OutboxRelay per-key order across retries', (env) => {
  let gate: GateQueue;
  let recorder: RecordingPublisher;
  const outbox = new Outbox();

  beforeEach(async () => {
    gate = await declareGateQueue(env.broker.url);
    recorder = new RecordingPublisher(env.started.publisher);
  });
  afterEach(() => gate.dispose());

  const event = (key: string | null, n: number, exchange = env.topology.exchange) =>
    ({ type: 'step', exchange, key: key ?? undefined, payload: { key, n } }) as OutboxEvent;
  const write = (events: OutboxEvent[]) =>
    env.db.prisma.$transaction((tx) => outbox.addMany(tx, events));
  /** The sequence numbers of a key, in the order its messages reached the consumer. */
  const arrivals = (key: string) =>
    env.collector.messages
      .filter((m) => m.properties.headers?.['x-surety-key'] === key)
      .map((m) => m.properties.headers?.['x-surety-seq'] as number);
  const rowsOf = async (key: string) =>
    (
      await env.db.sql.query<{ sequence: string; status: string; attempts: number }>(
        'SELECT sequence::text, status::text, attempts FROM surety_outbox WHERE key = $1 ORDER BY sequence',
        [key],
      )
    ).rows.map((r) => ({ ...r, sequence: Number(r.sequence) }));

  it('publishes nothing after a nacked row of a key until that row is confirmed, while other keys flow', async () => {
    env.relay = new OutboxRelay(env.db, recorder, {
      batchSize: 10,
      pollIntervalMs: 100,
      backoff: { initialMs: 50, factor: 2, maxMs: 200 },
      maxAttempts: 1000, // never a final failure here: only retries
    });
    await env.relay.start();
    // A3 goes to the gate, which nacks it until the test opens it.
    await write([
      event('A', 1),
      event('A', 2),
      event('A', 3, gate.exchange),
      event('A', 4),
      event('A', 5),
      event('A', 6),
      ...range(1, 3).map((n) => event('B', n)),
    ]);
    const nacksOfA3 = () =>
      recorder.ofKey('A').filter((a) => a.sequence === 3 && a.status === 'nacked').length;
    await eventually(() => expect(nacksOfA3()).toBeGreaterThanOrEqual(2), {
      timeoutMs: 30_000,
    });

    // While A3 backs off, another key and keyless events written now still go out.
    await write([...range(4, 6).map((n) => event('B', n)), event(null, 1), event(null, 2)]);
    await eventually(() => expect(arrivals('B')).toEqual(range(1, 6)), { timeoutMs: 30_000 });
    await eventually(() =>
      expect(
        env.collector.messages.filter((m) => !m.properties.headers?.['x-surety-key']),
      ).toHaveLength(2),
    );
    expect(arrivals('A')).toEqual([1, 2]);
    // Not merely unconfirmed: A4–A6 were never handed to the broker.
    expect(recorder.ofKey('A').filter((a) => a.sequence! > 3)).toEqual([]);
    const blocked = await rowsOf('A');
    expect(blocked.map((r) => r.status)).toEqual(['sent', 'sent', ...Array(4).fill('pending')]);
    // (The mark of the latest nack may still be on its way.)
    expect(blocked[2].attempts).toBeGreaterThanOrEqual(1);
    expect(blocked.slice(3).map((r) => r.attempts)).toEqual([0, 0, 0]);

    // Draining the gate lets A3 through; the rest of A follows, in order.
    await env.collector.alsoConsume(gate.queue);
    await eventually(() => expect(arrivals('A')).toEqual(range(1, 6)), { timeoutMs: 30_000 });
    const a = recorder.ofKey('A');
    const a3Confirmed = a.find((x) => x.sequence === 3 && x.status === 'confirmed')!;
    const firstAfterA3 = Math.min(...a.filter((x) => x.sequence! > 3).map((x) => x.handedAt));
    expect(firstAfterA3).toBeGreaterThan(a3Confirmed.settledAt!);
    // The broker delivers before the relay has marked the last batch: wait for the mark.
    await eventually(async () =>
      expect((await rowsOf('A')).map((r) => r.status)).toEqual(Array(6).fill('sent')),
    );
  });

  it('publishes the nacked row again when its backoff ends, not at the next poll', async () => {
    env.relay = new OutboxRelay(env.db, recorder, {
      // Polling cannot be what brings the row back within the test's wait.
      pollIntervalMs: 60_000,
      // 500–1000 ms: past the 200 ms the relay lingers after work.
      backoff: { initialMs: 1000, factor: 1, maxMs: 1000 },
      maxAttempts: 1000,
    });
    await env.relay.start();
    // A2 waits behind A1 (pending, long due): the row that was due first is not the
    // one the relay has to wake up for.
    await env.db.prisma.$transaction((tx) =>
      outbox.addMany(tx, [
        { type: 'step', exchange: gate.exchange, key: 'A', payload: 1 },
        { type: 'step', exchange: env.topology.exchange, key: 'A', payload: 2 },
      ]),
    );
    await eventually(() =>
      expect(recorder.ofKey('A').filter((a) => a.status === 'nacked')).toHaveLength(1),
    );
    await env.collector.alsoConsume(gate.queue);
    await eventually(() => expect(arrivals('A')).toEqual([1, 2]), { timeoutMs: 5_000 });
  });
});
