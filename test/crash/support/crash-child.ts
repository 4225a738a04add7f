import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One real Node process of a crash test (a relay, a consumer, a producer, a broker),
 * its stdout collected line by line so the test can wait for what it reports.
 * kill -9 is `kill('SIGKILL')`: no handler in the child runs, no buffer is flushed.
 */
export class CrashChild {
  readonly lines: string[] = [];
  readonly exited: Promise<ChildExit>;
  private stderr = '';
  private waiters: (() => void)[] = [];
  private exitInfo: ChildExit | undefined;

  constructor(
    readonly role: string,
    private readonly child: ChildProcess,
  ) {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      if (parts.length === 0) return;
      this.lines.push(...parts);
      this.wakeWaiters();
    });
    // Bounded: a chatty child must not grow the test process without limit.
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.wakeWaiters();
        resolve(this.exitInfo);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Exit code once exited on its own (null while alive or when killed by a signal). */
  get exitCode(): number | null {
    return this.exitInfo?.code ?? null;
  }

  /** The last stderr output (for failure messages). */
  get errors(): string {
    return this.stderr;
  }

  /** Lines starting with `prefix` (e.g. 'EFFECT '), prefix removed. */
  reported(prefix: string): string[] {
    return this.lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  }

  /**
   * Resolves with the first line matching `pattern` (seen before or after the call).
   * Rejects when the child exits first or after `timeoutMs`, with its stderr.
   */
  waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      // Only lines not looked at yet: a chatty child prints tens of thousands.
      let scanned = 0;
      const check = (): boolean => {
        for (; scanned < this.lines.length; scanned++) {
          if (pattern.test(this.lines[scanned])) {
            resolve(this.lines[scanned]);
            return true;
          }
        }
        if (!this.alive) {
          reject(new Error(this.describeFailure(`exited (${JSON.stringify(this.exitInfo)})`)));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(this.describeFailure(`printed no line matching ${pattern} in time`)));
      }, timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** kill -9, and wait until the process is really gone. */
  async kill9(): Promise<ChildExit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (graceful: the Nest apps drain and ack), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ChildExit> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private describeFailure(what: string): string {
    const tail = this.lines.slice(-5).join('\n  ');
    return `${this.role} (pid ${this.pid}) ${what}\n stdout tail:\n  ${tail}\n stderr:\n${this.stderr.slice(-3_000)}`;
  }
}

/**
 * Starts children and remembers every one, so that `killAll()` in afterAll leaves no
 * orphan behind whatever the test did (or failed to do).
 */
export class ChildProcesses {
  private readonly all = new Set<CrashChild>();

  /** Runs test/crash/support/children/<script>.ts with `env` added to this process's. */
  start(script: string, env: Record<string, string>, role = script): CrashChild {
    return this.spawn(
      role,
      ['-r', '@swc-node/register', path.join(ROOT, 'test/crash/support/children', `${script}.ts`)],
      env,
    );
  }

  /** Runs a TypeScript file of the repository (e.g. the broker CLI) with arguments. */
  startFile(file: string, args: string[], role: string): CrashChild {
    return this.spawn(role, ['-r', '@swc-node/register', path.join(ROOT, file), ...args], {});
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.all].map((child) => child.kill9()));
    this.all.clear();
  }

  private spawn(role: string, args: string[], env: Record<string, string>): CrashChild {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const crashChild = new CrashChild(role, child);
    this.all.add(crashChild);
    void crashChild.exited.then(() => this.all.delete(crashChild));
    return crashChild;
  }
}
