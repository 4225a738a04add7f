/**
 * "A confirmed message survives a crash", proven with a real process: a child appends
 * to the store and reports each id once its sync() resolved; we kill -9 it at a random
 * moment, reopen the store here and check every confirmed (and not since removed)
 * message is back, in order, byte for byte, and nothing is duplicated.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore, queueKeyOf, type StoreLogger } from '@surety/broker/store';
import { crashMessage, idOf, QUEUES, queueOf } from './support/store-crash-messages';

const ROUNDS = Number(process.env.SURETY_STORE_CRASH_ROUNDS ?? 5);
const ID_SPACE = 100_000_000; // ids of round r start at r * ID_SPACE: unique across rounds
const WRITER = join(__dirname, 'support', 'store-writer.ts');

interface RoundOutput {
  confirmed: number[];
  removed: Set<number>;
}

/** Runs the writer until `minConfirmed` ids are confirmed, then kills it after a random delay. */
function runAndKill(dataDir: string, firstId: number, minConfirmed: number): Promise<RoundOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', WRITER, dataDir, String(firstId)],
      {
        cwd: join(__dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const confirmed: number[] = [];
    const removed = new Set<number>();
    let pending = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!; // a line cut by the kill is not a confirmation
      for (const line of lines) {
        const id = Number(line.slice(2));
        if (line.startsWith('c ')) confirmed.push(id);
        else if (line.startsWith('r ')) removed.add(id);
      }
      if (!killing && confirmed.length >= minConfirmed) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 200);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ confirmed, removed });
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}

describe('durable store under kill -9', () => {
  let dataDir: string;
  beforeAll(async () => (dataDir = await mkdtemp(join(tmpdir(), 'surety-store-crash-'))));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it(`recovers every confirmed message after ${ROUNDS} random kills`, async () => {
    const required = new Map<number, boolean>(); // confirmed id -> still required (not removed)
    const problems: string[] = [];
    const logger: StoreLogger = { warn: () => undefined, error: (m) => problems.push(m) };
    let everDeletedSegments = false;

    for (let round = 1; round <= ROUNDS; round++) {
      const minConfirmed = 2000 + Math.floor(Math.random() * 20_000);
      const out = await runAndKill(dataDir, round * ID_SPACE, minConfirmed);
      expect(out.confirmed.length).toBeGreaterThanOrEqual(minConfirmed);
      for (const id of out.confirmed) required.set(id, true);
      for (const id of out.removed) required.set(id, false);
      // Earlier rounds' confirmed ids are removed by later writers too (they re-read them).

      const store = openFileStore({ dataDir, segmentSize: 64 * 1024, logger });
      const state = await store.open();
      const present = new Set<number>();
      for (const name of QUEUES) {
        const ids = (state.messages.get(queueKeyOf('/', name)) ?? []).map((m) => idOf(m.message));
        for (let i = 1; i < ids.length; i++) {
          if (ids[i] <= ids[i - 1])
            problems.push(`${name}: ${ids[i]} after ${ids[i - 1]} (order/duplicate)`);
        }
        for (const { message } of state.messages.get(queueKeyOf('/', name)) ?? []) {
          const id = idOf(message);
          if (queueOf(id) !== name) problems.push(`${id} recovered in ${name}`);
          if (
            !message.body.equals(crashMessage(id).body) ||
            !message.header.equals(crashMessage(id).header)
          ) {
            problems.push(`${id}: bytes differ`);
          }
          present.add(id);
        }
      }
      const missing = [...required].filter(([id, needed]) => needed && !present.has(id));
      expect(missing.map(([id]) => id).slice(0, 10)).toEqual([]);
      expect(problems).toEqual([]);
      // Recovered ids that the writer later removes are no longer required.
      for (const id of present) if (!required.has(id)) required.set(id, false);
      await store.close();

      const segmentFiles = (await readdir(join(dataDir, 'messages'))).filter((f) =>
        f.endsWith('.seg'),
      );
      const firstSegment = Math.min(...segmentFiles.map((f) => Number(f.slice(0, 10))));
      if (firstSegment > 1) everDeletedSegments = true;
    }
    // The writer keeps only the newest messages live: fully acked segments must be gone.
    expect(everDeletedSegments).toBe(true);
  }, 180_000);
});
