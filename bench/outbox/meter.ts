// Wall clock and CPU over one timed region: this process (process.cpuUsage), the
// broker's processes and this database's PostgreSQL backends (both from /proc).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { Client } from 'pg';
import { cpuMicros } from '../broker/proc-stats';

/** What one timed region cost, per unit of work (a message or a transaction). */
export interface Costs {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** This process, user + system, µs per unit. */
  readonly clientUs: number;
  /** The broker's processes, µs per unit (absent when none was measured). */
  readonly brokerUs?: number;
  /** Backends connected to the benchmark database, µs per unit (absent when none). */
  readonly postgresUs?: number;
  /** redis-server, µs per unit (only where the workload uses Redis). */
  readonly redisUs?: number;
}

/** Pids handed down by run.ts (`BENCH_OUTBOX_BROKER_PIDS=1,2`, `BENCH_OUTBOX_REDIS_PIDS`). */
function pidsOf(variable: string): number[] {
  return (process.env[variable] ?? '').split(',').filter(Boolean).map(Number);
}

function safeCpu(pids: readonly number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, cpuMicros([pid]));
    } catch {
      // exited in between: its CPU is lost either way
    }
  }
  return cpu;
}

/**
 * Reads backend pids of one database through its own small connection (one more idle
 * backend, whose CPU is negligible). Backends that start during the region count from
 * zero; ones that exit during it are lost (pools here keep their connections).
 */
class PostgresBackends {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PostgresBackends> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new PostgresBackends(client);
  }

  async pids(): Promise<number[]> {
    const { rows } = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
    );
    return rows.map((r) => r.pid);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * With BENCH_OUTBOX_PROFILE_DIR set, a CPU profile of the timed region only (set-up,
 * pre-fill and warm-up left out), written as `<dir>/<label>.<pid>.cpuprofile`.
 */
class RegionProfiler {
  private readonly session = new Session();

  constructor(private readonly file: string) {
    this.session.connect();
  }

  static for(label: string | undefined): RegionProfiler | undefined {
    const dir = process.env.BENCH_OUTBOX_PROFILE_DIR;
    if (!dir || !label) return undefined;
    return new RegionProfiler(path.join(dir, `${label}.${process.pid}.cpuprofile`));
  }

  async start(): Promise<void> {
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
  }

  async stop(): Promise<void> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    writeFileSync(this.file, JSON.stringify(profile));
    this.session.disconnect();
  }

  private post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
}

export class Meter {
  private wall = 0n;
  private cpu: NodeJS.CpuUsage | undefined;
  private broker = new Map<number, number>();
  private redis = new Map<number, number>();
  private postgres = new Map<number, number>();

  private constructor(
    private readonly backends: PostgresBackends | undefined,
    private readonly profiler: RegionProfiler | undefined,
  ) {}

  /**
   * A meter for a region that uses the database at `databaseUrl` (if any). `profile`
   * names the region's CPU profile (see RegionProfiler); regions timed in many pieces
   * leave it out.
   */
  static async create(databaseUrl?: string, profile?: string): Promise<Meter> {
    const backends = databaseUrl ? await PostgresBackends.open(databaseUrl) : undefined;
    return new Meter(backends, RegionProfiler.for(profile));
  }

  async start(): Promise<void> {
    await this.profiler?.start();
    this.broker = safeCpu(pidsOf('BENCH_OUTBOX_BROKER_PIDS'));
    this.redis = safeCpu(pidsOf('BENCH_OUTBOX_REDIS_PIDS'));
    this.postgres = this.backends ? safeCpu(await this.backends.pids()) : new Map();
    this.cpu = process.cpuUsage();
    this.wall = process.hrtime.bigint();
  }

  /** Ends the region, which did `count` units of work. */
  async stop(count: number): Promise<Costs> {
    const seconds = Number(process.hrtime.bigint() - this.wall) / 1e9;
    const cpu = process.cpuUsage(this.cpu);
    await this.profiler?.stop();
    const delta = (before: Map<number, number>, after: Map<number, number>) => {
      let total = 0;
      for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
      return total / count;
    };
    const other = (variable: string, before: Map<number, number>) => {
      const pids = pidsOf(variable);
      return pids.length > 0 ? delta(before, safeCpu(pids)) : undefined;
    };
    const brokerUs = other('BENCH_OUTBOX_BROKER_PIDS', this.broker);
    const redisUs = other('BENCH_OUTBOX_REDIS_PIDS', this.redis);
    const postgresUs = this.backends
      ? delta(this.postgres, safeCpu(await this.backends.pids()))
      : undefined;
    return {
      count,
      seconds,
      perSecond: count / seconds,
      clientUs: (cpu.user + cpu.system) / count,
      ...(brokerUs === undefined ? {} : { brokerUs }),
      ...(postgresUs === undefined ? {} : { postgresUs }),
      ...(redisUs === undefined ? {} : { redisUs }),
    };
  }

  async close(): Promise<void> {
    await this.backends?.close();
  }
}
