/**
 * The broker CLI as a real child process on a data directory and an ephemeral loopback
 * port, for tests that kill -9 it, stop it cleanly or start a second one beside it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'libs', 'broker', 'src', 'cli.ts');

export interface BrokerChildOptions {
  /** Broker config, written to `<dataDir>.broker.json` (remove it with the directory's parent). */
  config?: Record<string, unknown>;
  /** Also start the management API (ephemeral port). */
  management?: boolean;
}

export interface BrokerChild {
  readonly url: string;
  readonly pid: number;
  /** http://host:port of the management API once it logged it (when asked for one). */
  managementUrl(): string | undefined;
  /** Everything it wrote to stderr so far (its log). */
  log(): string;
  /** SIGKILL: no shutdown, no final flush. */
  kill9(): Promise<void>;
  /** SIGTERM: the clean stop; resolves with the exit code. */
  stop(): Promise<number | null>;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function spawnCli(
  dataDir: string,
  options: BrokerChildOptions = {},
): { child: ChildProcess; exited: Promise<Exit> } {
  const args = ['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  if (options.config !== undefined) {
    const file = `${dataDir}.broker.json`;
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  if (options.management) args.push('--management-port', '0');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, exited };
}

/** Starts the broker; resolves once it printed the URL it listens on. */
export function startBrokerChild(
  dataDir: string,
  options: BrokerChildOptions = {},
): Promise<BrokerChild> {
  const { child, exited } = spawnCli(dataDir, options);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /amqp:\/\/\S+/.exec(stdout)?.[0];
      if (url === undefined) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining
      resolve({
        url,
        pid: child.pid!,
        managementUrl: () => /management API on (\S+)/.exec(stderr)?.[1],
        log: () => stderr,
        kill9: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return (await exited).code;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    void exited.then(({ code, signal }) =>
      reject(new Error(`broker exited before listening (${code ?? signal}): ${stderr}`)),
    );
  });
}

/** Starts the broker expecting it to refuse to start; resolves with its exit code and stderr. */
export async function startBrokerChildExpectingFailure(
  dataDir: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const { child, exited } = spawnCli(dataDir);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('listening')) child.kill('SIGKILL'); // it started after all: fail fast
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code } = await exited;
  clearTimeout(timer);
  return { code, stderr, stdout };
}
