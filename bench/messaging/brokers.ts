import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beamPids } from '../broker/proc-stats';

/** A broker the benchmark runs every workload against. */
export interface BenchBroker {
  readonly name: 'rabbitmq' | 'embedded';
  readonly url: string;
  /** The broker's processes, for its CPU. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export function rabbitmq(): BenchBroker {
  const url = process.env.SURETY_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  return { name: 'rabbitmq', url, pids: beamPids(), stop: async () => undefined };
}

/**
 * The embedded broker in its own process (port 0 resolved from its banner), so
 * broker and client do not share one event loop, as with RabbitMQ.
 */
export async function embedded(): Promise<BenchBroker | undefined> {
  const root = path.resolve(__dirname, '../..');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'surety-bench-messaging-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      path.join(root, 'libs/broker/src/cli.ts'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise<string | undefined>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (amqp:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => resolve(undefined));
    setTimeout(() => resolve(undefined), 30_000).unref();
  });
  if (!url) {
    child.kill('SIGKILL');
    return undefined;
  }
  return {
    name: 'embedded',
    url,
    pids: [child.pid!],
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
