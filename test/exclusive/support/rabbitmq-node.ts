import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually } from '../../support/eventually';
import { describeWithServices, probe, type ServiceName } from '../../support/services';

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

  /**
   * Sets the memory high watermark to 0, which raises RabbitMQ's memory alarm at once:
   * every connection that publishes is blocked. Returns what puts the watermark back.
   */
  async raiseMemoryAlarm(): Promise<() => Promise<void>> {
    const { stdout } = await run(
      'rabbitmqctl',
      ['eval', 'vm_memory_monitor:get_vm_memory_high_watermark().'],
      { timeout: 30_000 },
    );
    const previous = watermarkArgs(stdout);
    await run('rabbitmqctl', ['set_vm_memory_high_watermark', '0'], { timeout: 30_000 });
    return async () => {
      await run('rabbitmqctl', ['set_vm_memory_high_watermark', ...previous], {
        timeout: 30_000,
      });
    };
  },
};

/** `0.4` or `{absolute,1073741824}` as printed by rabbitmqctl eval, as set_… arguments. */
function watermarkArgs(printed: string): string[] {
  const text = printed.trim();
  const absolute = /^\{absolute,\s*(\d+)\}$/.exec(text);
  if (absolute) return ['absolute', absolute[1]];
  if (/^\d+(\.\d+)?$/.test(text)) return [text];
  throw new Error(`unexpected memory high watermark from rabbitmqctl: ${text}`);
}

/**
 * A describe that needs `rabbitmqctl` to reach the local node: it fails loudly in CI,
 * and skips loudly elsewhere, when it cannot.
 */
export function describeWithRabbitmqctl(
  needs: ServiceName[],
  title: string,
  body: () => void,
): void {
  let problem: string | undefined;
  try {
    execFileSync('rabbitmqctl', ['status'], { stdio: 'ignore', timeout: 30_000 });
  } catch (error) {
    problem = `rabbitmqctl cannot reach the local RabbitMQ node: ${(error as Error).message.split('\n')[0]}`;
  }
  if (problem === undefined) return describeWithServices(needs, title, body);
  if (process.env.CI) throw new Error(`[surety] ${title}: ${problem}`);
  console.warn(`\n!!! [surety] SKIPPING "${title}": ${problem}\n`);
  describe.skip(title, body);
}
