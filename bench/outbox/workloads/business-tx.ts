import { randomUUID } from 'node:crypto';
import { createDatabase, resolveDatabaseUrl, type DatabaseHandle } from '@surety/database';
import { Outbox, type OutboxEvent, type OutboxTransaction } from '@surety/messaging/outbox';
import { CONNECTIONS, EVENT_TYPE, QUOTES, payload } from '../config';
import { Meter, type Costs } from '../meter';

export interface BusinessTxArgs {
  readonly databaseUrl: string;
  /** 'prisma': an interactive transaction (the documented way); 'sql': handle.sql.transaction. */
  readonly api: 'prisma' | 'sql';
  /**
   * 'one-row': the business writes one row, the worst case for the event's share.
   * 'underwriting': a quote is read, a policy and its two coverages inserted, the quote
   * closed — the shape of the example pipeline's policy issue (Prisma only). Its event is
   * keyed by the policy, as per-policy order needs.
   */
  readonly shape?: BusinessShape;
  /** 'add': the event in a round trip of its own; 'addWithCommit': sent with the COMMIT. */
  readonly writer?: 'add' | 'addWithCommit';
  readonly lanes: number;
  readonly count: number;
  readonly warmup: number;
}

export type BusinessShape = 'one-row' | 'underwriting';

export interface BusinessTxCosts {
  readonly without: Costs;
  readonly with: Costs;
}

const INSERT_POLICY = 'INSERT INTO bench_policy (id, holder, premium) VALUES ($1::uuid, $2, $3)';
const BLOCK = 250;

type Transaction = (withEvent: boolean) => Promise<void>;
type AddEvent = (tx: OutboxTransaction, event: OutboxEvent) => Promise<unknown>;

/**
 * (b) One business transaction inserts a policy row; the `with` variant also adds its
 * event to the outbox. The two variants alternate in blocks of BLOCK transactions
 * (order flipping per block) so that both see the same machine; the times of each
 * variant's blocks are summed.
 */
export async function businessTx(args: BusinessTxArgs): Promise<BusinessTxCosts> {
  const db = await createDatabase(resolveDatabaseUrl(args.databaseUrl), {
    poolSize: CONNECTIONS,
  });
  const meter = await Meter.create(args.databaseUrl);
  const outbox = new Outbox();
  const addEvent: AddEvent =
    args.writer === 'addWithCommit'
      ? (tx, event) => outbox.addWithCommit(tx, event)
      : (tx, event) => outbox.add(tx, event);
  const transaction =
    args.shape === 'underwriting'
      ? underwriting(db, addEvent)
      : args.api === 'prisma'
        ? viaPrisma(db, addEvent)
        : viaSql(db, addEvent);
  const totals = { without: new Totals(), with: new Totals() };
  try {
    await run(transaction, false, args.lanes, args.warmup);
    await run(transaction, true, args.lanes, args.warmup);
    for (let block = 0; block * BLOCK < args.count; block++) {
      const size = Math.min(BLOCK, args.count - block * BLOCK);
      const order = block % 2 === 0 ? [false, true] : [true, false];
      for (const withEvent of order) {
        await meter.start();
        await run(transaction, withEvent, args.lanes, size);
        totals[withEvent ? 'with' : 'without'].add(await meter.stop(size));
      }
    }
    return { without: totals.without.costs(), with: totals.with.costs() };
  } finally {
    await meter.close();
    await db.close();
  }
}

function viaPrisma(db: DatabaseHandle, addEvent: AddEvent): Transaction {
  return (withEvent) =>
    db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(INSERT_POLICY, randomUUID(), 'holder-1', '1234.50');
      if (withEvent) await addEvent(tx, { type: EVENT_TYPE, exchange: 'policy', payload });
    });
}

function viaSql(db: DatabaseHandle, addEvent: AddEvent): Transaction {
  return (withEvent) =>
    db.sql.transaction(async (tx) => {
      await tx.query(INSERT_POLICY, [randomUUID(), 'holder-1', '1234.50']);
      if (withEvent) await addEvent(tx, { type: EVENT_TYPE, exchange: 'policy', payload });
    });
}

const READ_QUOTE = 'SELECT id, holder, premium FROM bench_quote WHERE id = $1';
const INSERT_COVERAGES =
  'INSERT INTO bench_coverage (policy_id, kind, amount) VALUES ($1::uuid, $2, $3), ($1::uuid, $4, $5)';
const CLOSE_QUOTE = "UPDATE bench_quote SET status = 'issued' WHERE id = $1";

function underwriting(db: DatabaseHandle, addEvent: AddEvent): Transaction {
  let next = 0;
  return (withEvent) =>
    db.prisma.$transaction(async (tx) => {
      const quoteId = (next++ % QUOTES) + 1;
      const [quote] = await tx.$queryRawUnsafe<{ holder: string; premium: string }[]>(
        READ_QUOTE,
        quoteId,
      );
      const policyId = randomUUID();
      await tx.$executeRawUnsafe(INSERT_POLICY, policyId, quote!.holder, quote!.premium);
      await tx.$executeRawUnsafe(INSERT_COVERAGES, policyId, 'fire', '100000', 'theft', '25000');
      await tx.$executeRawUnsafe(CLOSE_QUOTE, quoteId);
      if (withEvent) {
        await addEvent(tx, { type: EVENT_TYPE, exchange: 'policy', key: policyId, payload });
      }
    });
}

/** `count` transactions over `lanes` concurrent lanes. */
async function run(transaction: Transaction, withEvent: boolean, lanes: number, count: number) {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await transaction(withEvent);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** Sums the blocks of one variant into one figure. */
class Totals {
  private count = 0;
  private seconds = 0;
  private client = 0;
  private postgres = 0;

  add(block: Costs): void {
    this.count += block.count;
    this.seconds += block.seconds;
    this.client += block.clientUs * block.count;
    this.postgres += (block.postgresUs ?? 0) * block.count;
  }

  costs(): Costs {
    return {
      count: this.count,
      seconds: this.seconds,
      perSecond: this.count / this.seconds,
      clientUs: this.client / this.count,
      postgresUs: this.postgres / this.count,
    };
  }
}
