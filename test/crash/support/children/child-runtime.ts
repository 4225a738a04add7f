/**
 * What every crash-test child shares: line-oriented reporting on stdout (synchronous on
 * a Linux pipe, so a line written just before a kill -9 is not lost), a way to stop dead
 * at a crash point, and a watchdog that ends the child if the test process disappears.
 */

/** Reports one event to the parent test as one stdout line. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Stops this code path forever: the child sits at its crash point, holding whatever it
 * holds (an open claim transaction, an unacked delivery), until the parent kills it -9.
 */
export function hangForever(): Promise<never> {
  return new Promise<never>(() => undefined);
}

/**
 * A child whose test process died (a crashed jest worker) must not live on: the
 * original parent pid changes once we are re-parented. The timer also keeps the
 * event loop alive while the child hangs at a crash point.
 */
export function exitWhenOrphaned(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(70);
  }, 500);
}

/** Runs the child's main function; a start-up failure is printed and exits non-zero. */
export function runChild(role: string, main: () => Promise<void>): void {
  exitWhenOrphaned();
  main().catch((error: unknown) => {
    process.stderr.write(
      `${role} child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}

/** Runs `close` once on SIGTERM, then exits 0 (a graceful stop, unlike the kills). */
export function onSigterm(close: () => Promise<void>): void {
  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`graceful stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
