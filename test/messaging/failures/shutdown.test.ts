import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { ChildApp } from '../support/child-app';
import { RawAmqp } from '../support/raw-amqp';

// The Nest app runs in a real child process (fixtures/slow-handler-app.ts):
// prefetch 2, concurrency 2, each handler takes 1.5 s.
describeEachBroker('failure: shutdown during a slow handler', (broker) => {
  let raw: RawAmqp;
  let queue: string;
  let child: ChildApp | undefined;

  beforeEach(async () => {
    raw = await RawAmqp.open(broker().url);
    queue = uniqueName('shutdown.slow');
    await raw.run((c) => c.assertQueue(queue, { durable: true }));
  });
  afterEach(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null)
      child.kill('SIGKILL');
    await raw.run((c) => c.deleteQueue(queue)).catch(() => undefined);
    await raw.run((c) => c.deleteQueue(`${queue}.dlq`)).catch(() => undefined);
    await raw.close();
  });

  async function startWithBacklog(): Promise<ChildApp> {
    await raw.run(async (c) => {
      for (let n = 0; n < 5; n++)
        c.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), { persistent: true });
    });
    const app = ChildApp.start('slow-handler-app', {
      SURETY_FIXTURE_URL: broker().url,
      SURETY_FIXTURE_QUEUE: queue,
      SURETY_FIXTURE_WORK_MS: '1500',
    });
    await eventually(
      () => expect(app.lines.filter((l) => l.startsWith('started'))).toHaveLength(2),
      {
        timeoutMs: 30_000,
      },
    );
    return app;
  }

  it('on SIGTERM stops taking messages, lets running handlers finish and ack, then exits', async () => {
    child = await startWithBacklog();
    child.kill('SIGTERM');
    const exit = await child.exited;

    // Nest closes the app on SIGTERM, then re-raises the signal to end the process.
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.errors).toBe('');
    const started = child.lines.filter((l) => l.startsWith('started'));
    const finished = child.lines.filter((l) => l.startsWith('finished'));
    expect(started).toHaveLength(2); // nothing new started after SIGTERM
    expect(finished.map((l) => l.replace('finished', 'started')).sort()).toEqual(
      [...started].sort(),
    );
    // The two handled ones were acked; the three never started are back in the queue, none lost.
    await eventually(async () => expect(await raw.messageCount(queue)).toBe(3));
    const left = (await raw.drain(queue)).map((m) => JSON.parse(m.content.toString()).n as number);
    const handled = started.map((l) => Number(l.split(' ')[1]));
    expect([...left, ...handled].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('on kill -9 in the middle of handlers, every message is redelivered, none lost', async () => {
    child = await startWithBacklog();
    child.kill('SIGKILL');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(child.lines.filter((l) => l.startsWith('finished'))).toHaveLength(0);
    // Unacked deliveries return to the queue when the broker sees the connection die.
    await eventually(async () => expect(await raw.messageCount(queue)).toBe(5), {
      timeoutMs: 15_000,
    });
    const left = await raw.drain(queue);
    expect(left.map((m) => JSON.parse(m.content.toString()).n).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(left.filter((m) => m.fields.redelivered).length).toBe(2);
  });
});
