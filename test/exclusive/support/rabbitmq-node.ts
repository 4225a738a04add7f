import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually } from '../../support/eventually';
import { probe } from '../../support/services';

const run = promisify(execFile);

/**
 * The machine's own RabbitMQ, restarted for real: `rabbitmqctl stop_app` stops the
 * broker inside its Erlang node (every connection is closed, the port stops
 * listening), `start_app` brings it back, recovering durable queues and persistent
 * messages from disk — what a rolling restart of a cluster node does to clients.
 *
 * Only suites of the `exclusive` jest project may call it: they run alone, after every
 * other suite, because every other user of the shared broker loses its connections too.
 */
export const RabbitmqNode = {
  /** Stops the broker application, keeps it down for `downMs`, starts it, waits for its port. */
  async restart(downMs: number): Promise<void> {
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
    await eventually(async () => expect(await probe('rabbitmq')).toBe(true), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
  },
};
