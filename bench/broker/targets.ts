import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beamPids } from './proc-stats';

/** A broker under measurement: where to connect and which processes' CPU is its CPU. */
export interface BenchTarget {
  readonly name: 'RabbitMQ' | 'embedded';
  readonly url: string;
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export async function rabbitmqTarget(): Promise<BenchTarget | string> {
  const pids = beamPids();
  if (pids.length === 0) return 'no beam.smp process found (is RabbitMQ running?)';
  const url = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  return { name: 'RabbitMQ', url, pids, stop: async () => undefined };
}

/** Starts the embedded broker in a child process on an ephemeral port with a fresh data dir. */
export async function embeddedTarget(): Promise<BenchTarget | string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'surety-bench-broker-'));
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'embedded-child.ts'), dataDir],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../..') },
  );
  const line = await firstLine(child);
  const cleanup = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  if (!line.startsWith('READY ')) {
    await cleanup();
    return line.replace(/^UNAVAILABLE /, '') || 'the child exited without a word';
  }
  return { name: 'embedded', url: line.slice('READY '.length), pids: [child.pid!], stop: cleanup };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve('UNAVAILABLE did not start within 30 s'), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, end).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(text.trim() || `UNAVAILABLE exited with code ${code}`);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
