import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A Nest app fixture running in its own Node process, with its stdout lines collected. */
export class ChildApp {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  private constructor(readonly process: ChildProcess) {
    let buffer = '';
    process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      this.lines.push(...parts);
    });
    process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      process.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts test/messaging/fixtures/<name>.ts with the given environment. */
  static start(fixture: string, env: Record<string, string>): ChildApp {
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(root, 'test/messaging/fixtures', `${fixture}.ts`)],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new ChildApp(child);
  }

  get errors(): string {
    return this.stderr;
  }

  kill(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }
}
