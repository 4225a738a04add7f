import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * A real child process running one of the crash-test programs, with its stdout read
 * line by line so a test can wait for "READY", "CONFIRMED …" or "COMMITTED …".
 */
export class Child {
  private readonly lines: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
  ) {
    let buffer = '';
    process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        this.onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
      if (globalThis.process.env.SURETY_TEST_LOGS) globalThis.process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
  }

  /** Starts `program` (a .ts file beside this one) with node + swc and `env` on top of ours. */
  static start(name: string, program: string, env: Record<string, string>): Child {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, program)],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new Child(name, child);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Resolves with the first line (seen or future) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.name}: no line matching ${pattern} within ${timeoutMs} ms; stderr: ${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void this.exited.then((code) =>
        reject(
          new Error(
            `${this.name} exited (${code}) before printing ${pattern}; stderr: ${this.stderr}`,
          ),
        ),
      );
    });
  }

  /** kill -9: no shutdown hook, no cleanup, nothing flushed. */
  async kill9(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful stop (SIGTERM), then kill -9 if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      if (!waiter.pattern.test(line)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }
}
