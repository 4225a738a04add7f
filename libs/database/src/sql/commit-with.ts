import type { ClientBase, QueryConfig } from 'pg';
import { pgQueryConfig } from './pg-query-config';

/** The pg internals commitWith uses where present: pipeline mode and the socket. */
interface PipelinedClient {
  pipeline?: boolean;
  connection?: { stream?: { cork(): void; uncork(): void } };
}

/** A statement waiting to be sent with its transaction's COMMIT. */
export interface StatementAtCommit {
  readonly config: QueryConfig;
  /** Called if the COMMIT does not go through after all (the transaction rolled back). */
  readonly onRollback?: () => void;
}

/**
 * A statement decided on only as the COMMIT goes out; undefined: none after all.
 * `onRollback` undoes what deciding on it took, should the COMMIT fail.
 */
export type DeferredStatement = () =>
  { sql: string; params: readonly unknown[]; onRollback?: () => void } | undefined;

/** The statements a transaction's `atCommit` queued, until its COMMIT goes out. */
export class CommitQueue {
  private readonly queued: (StatementAtCommit | DeferredStatement)[] = [];
  private closed = false;

  add(sql: string, params: readonly unknown[]): void {
    this.assertOpen();
    this.queued.push({ config: pgQueryConfig(sql, params) });
  }

  /** Queues `build`, called only if the transaction commits, just before its COMMIT. */
  addDeferred(build: DeferredStatement): void {
    this.assertOpen();
    this.queued.push(build);
  }

  /** The transaction rolls back: refuses any more, and nothing queued is built or sent. */
  close(): void {
    this.closed = true;
  }

  /** The transaction commits: refuses any more; returns what goes out with the COMMIT. */
  closeForCommit(): readonly StatementAtCommit[] {
    this.closed = true;
    const statements: StatementAtCommit[] = [];
    for (const entry of this.queued) {
      if (typeof entry !== 'function') {
        statements.push(entry);
        continue;
      }
      const built = entry();
      if (built !== undefined) {
        statements.push({
          config: pgQueryConfig(built.sql, built.params),
          onRollback: built.onRollback,
        });
      }
    }
    return statements;
  }

  private assertOpen(): void {
    // Queued after the COMMIT went out, a statement would be dropped without a word.
    if (this.closed) {
      throw new Error(
        'this transaction has already committed or rolled back: use the `tx` only inside its callback',
      );
    }
  }
}

/**
 * Commits the transaction open on `client`, sending `statements` in the same round
 * trip as the COMMIT: they are written one after another without waiting for answers
 * (pg's pipeline mode, switched on for just these messages) and PostgreSQL runs them
 * in order, so the transaction costs one round trip less per batch of them.
 *
 * If one of them fails, PostgreSQL has marked the transaction failed; the COMMIT that
 * follows then rolls it back (it answers "ROLLBACK"), and that statement's error is
 * thrown: nothing of the transaction is kept (and each statement's `onRollback` runs).
 * Any other failure sends a ROLLBACK of its own before throwing, so the connection
 * never goes back to a pool inside a transaction.
 */
export async function commitWith(
  client: ClientBase,
  statements: readonly StatementAtCommit[],
): Promise<void> {
  const pipelined = client as unknown as PipelinedClient;
  // A pg without pipeline mode sends them one by one instead: slower, same outcome.
  const canPipeline = typeof pipelined.pipeline === 'boolean' && !pipelined.pipeline;
  // pg writes each query as it is submitted (and submits synchronously in pipeline
  // mode): corked, the statements and the COMMIT leave in one write. On loopback a
  // socket write costs about as much CPU as all the rest of a small statement, so the
  // transaction makes as many writes as it would without them.
  const stream = canPipeline ? pipelined.connection?.stream : undefined;
  if (canPipeline) pipelined.pipeline = true;
  let results: PromiseSettledResult<unknown>[];
  try {
    let sent: Promise<unknown>[];
    stream?.cork();
    try {
      sent = statements.map((statement) => client.query(statement.config));
      sent.push(client.query('COMMIT'));
    } finally {
      stream?.uncork();
    }
    // Pipeline mode stays on until every answer is in: pg reads them by it.
    results = await Promise.allSettled(sent);
  } finally {
    if (canPipeline) pipelined.pipeline = false;
  }
  const failed = results.find((result) => result.status === 'rejected');
  if (failed === undefined) return;
  for (const statement of statements) statement.onRollback?.();
  await client.query('ROLLBACK').catch(() => undefined);
  throw failed.reason;
}
