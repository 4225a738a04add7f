import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

const WRITER = path.join(__dirname, 'support', 'pglite-writer.ts');

function start(mode: 'write' | 'count', dataDir: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', '@swc-node/register', WRITER, mode], {
    env: { ...process.env, DATABASE_URL: `pglite:${dataDir}` },
  });
}

/** Collects stdout lines; resolves `until` when a line satisfies it. */
function lines(child: ChildProcessWithoutNullStreams): {
  all: string[];
  until(test: (line: string) => boolean): Promise<void>;
} {
  const all: string[] = [];
  const waiters: Array<{ test: (line: string) => boolean; resolve: () => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      all.push(line);
      for (const w of waiters.filter((w) => w.test(line))) w.resolve();
    }
  });
  return {
    all,
    until: (test) =>
      new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        child.once('exit', (code) =>
          reject(new Error(`child exited (${code}) before the expected line: ${stderr}`)),
        );
      }),
  };
}

describe('embedded PGlite on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'surety-pglite-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps every acknowledged commit when its process is killed with SIGKILL, and the next process takes over the stale lock', async () => {
    // Nested: the parents are created by createDatabase.
    const dataDir = path.join(dir, 'nested', 'pglite');
    const writer = start('write', dataDir);
    const out = lines(writer);
    await out.until((line) => line === 'committed 40');
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(String(writer.pid));

    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('exit', resolve));
    const acknowledged = out.all.filter((l) => l.startsWith('committed ')).length;

    const reader = start('count', dataDir);
    const result = lines(reader);
    await result.until((line) => line.startsWith('count '));
    const [, rows, max] = result.all
      .find((l) => l.startsWith('count '))!
      .split(' ')
      .map(Number);

    // Every commit the writer reported is there; at most the one in flight when it died is extra.
    expect(rows).toBeGreaterThanOrEqual(acknowledged);
    expect(rows).toBeLessThanOrEqual(acknowledged + 1);
    expect(max).toBe(rows - 1);
  });
});
