// Wall clock and CPU over one timed region: this process (process.cpuUsage), the
// broker's processes and this database's PostgreSQL backends (both from /proc).
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
}

/** Broker pids handed down by run.ts (`BENCH_OUTBOX_BROKER_PIDS=1,2`). */
function brokerPids(): number[] {
  return (process.env.BENCH_OUTBOX_BROKER_PIDS ?? '').split(',').filter(Boolean).map(Number);
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

export class Meter {
  private wall = 0n;
  private cpu: NodeJS.CpuUsage | undefined;
  private broker = new Map<number, number>();
  private postgres = new Map<number, number>();

  private constructor(private readonly backends: PostgresBackends | undefined) {}

  /** A meter for a region that uses the database at `databaseUrl` (if any). */
  static async create(databaseUrl?: string): Promise<Meter> {
    return new Meter(databaseUrl ? await PostgresBackends.open(databaseUrl) : undefined);
  }

  async start(): Promise<void> {
    this.broker = safeCpu(brokerPids());
    this.postgres = this.backends ? safeCpu(await this.backends.pids()) : new Map();
    this.cpu = process.cpuUsage();
    this.wall = process.hrtime.bigint();
  }

  /** Ends the region, which did `count` units of work. */
  async stop(count: number): Promise<Costs> {
    const seconds = Number(process.hrtime.bigint() - this.wall) / 1e9;
    const cpu = process.cpuUsage(this.cpu);
    const delta = (before: Map<number, number>, after: Map<number, number>) => {
      let total = 0;
      for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
      return total / count;
    };
    const pids = brokerPids();
    const brokerUs = pids.length > 0 ? delta(this.broker, safeCpu(pids)) : undefined;
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
    };
  }

  async close(): Promise<void> {
    await this.backends?.close();
  }
}
