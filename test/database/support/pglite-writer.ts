// Child process for the PGlite-on-disk crash test.
//   write: commits one inbox row per transaction forever, printing "committed <n>" after each commit
//   count: prints "count <rows> <max>" and exits
// DATABASE_URL=pglite:<dir> chooses the database, as in the application.
import { createDatabase, resolveDatabaseConfig } from '@surety/database';

async function main(mode: string): Promise<void> {
  const db = await createDatabase(resolveDatabaseConfig(process.env));
  await db.migrate();
  if (mode === 'count') {
    const { rows } = await db.sql.query<{ n: bigint; max: number | null }>(
      "SELECT count(*) AS n, max(message_id::int) AS max FROM surety_inbox WHERE consumer = 'crash'",
    );
    process.stdout.write(`count ${rows[0].n} ${rows[0].max ?? -1}\n`);
    await db.close();
    return;
  }
  for (let n = 0; ; n++) {
    await db.prisma.$transaction((tx) =>
      tx.inboxMessage.create({ data: { consumer: 'crash', messageId: String(n) } }),
    );
    process.stdout.write(`committed ${n}\n`);
  }
}

main(process.argv[2] ?? 'write').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
