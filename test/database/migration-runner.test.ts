import { execFile } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  type DatabaseHandle,
  FailedMigrationBlocksError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  type MigrationRecord,
  type SqlQueryable,
  createDatabase,
  markMigrationApplied,
  markMigrationRolledBack,
  migrationChecksum,
  resolveDatabaseUrl,
  runMigrations,
} from '@surety/database';
import { type TestDatabase, databaseTargets, postgresUrl } from '../support/database';
import { describeWithServices } from '../support/services';
import { type MigrationsCopy, copyMigrations } from './support/migrations-copy';

jest.setTimeout(60_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BAD = '99990101000000_bad';
const NEXT = '99990101000001_next';

async function records(sql: SqlQueryable): Promise<MigrationRecord[]> {
  const { rows } = await sql.query<MigrationRecord>(
    'SELECT * FROM "_prisma_migrations" ORDER BY started_at, id',
  );
  return rows;
}

async function tableExists(sql: SqlQueryable, table: string): Promise<boolean> {
  const { rows } = await sql.query<{ found: string | null }>(
    'SELECT to_regclass($1)::text AS found',
    [table],
  );
  return rows[0].found !== null;
}

for (const target of databaseTargets()) {
  describeWithServices(target.needs, `migration runner on ${target.name}`, () => {
    let db: TestDatabase;
    let migrations: MigrationsCopy;
    const run = (handle: DatabaseHandle = db) =>
      runMigrations(handle.sql, { migrationsDir: migrations.dir });

    beforeEach(async () => {
      db = await target.fresh({ migrate: false });
      migrations = await copyMigrations();
    });
    afterEach(async () => {
      await db.drop();
      await migrations.remove();
    });

    it('applies every migration in order and records each one the way Prisma does', async () => {
      const names = await migrations.names();
      expect(names.length).toBeGreaterThan(0);

      const result = await run();

      expect(result).toEqual({ applied: names, alreadyApplied: [], notInFolder: [] });
      expect(await tableExists(db.sql, 'surety_outbox')).toBe(true);
      const rows = await records(db.sql);
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      for (const row of rows) {
        const bytes = await readFile(
          path.join(migrations.dir, row.migration_name, 'migration.sql'),
        );
        expect(row.id).toMatch(UUID);
        expect(row.checksum).toBe(migrationChecksum(bytes));
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        expect(row.logs).toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    });

    it("creates _prisma_migrations with exactly Prisma's columns, types, defaults and key", async () => {
      await run();
      const { rows } = await db.sql.query(
        `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
      expect(rows).toEqual([
        {
          column_name: 'id',
          data_type: 'character varying',
          length: 36,
          is_nullable: 'NO',
          column_default: null,
        },
        {
          column_name: 'checksum',
          data_type: 'character varying',
          length: 64,
          is_nullable: 'NO',
          column_default: null,
        },
        {
          column_name: 'finished_at',
          data_type: 'timestamp with time zone',
          length: null,
          is_nullable: 'YES',
          column_default: null,
        },
        {
          column_name: 'migration_name',
          data_type: 'character varying',
          length: 255,
          is_nullable: 'NO',
          column_default: null,
        },
        {
          column_name: 'logs',
          data_type: 'text',
          length: null,
          is_nullable: 'YES',
          column_default: null,
        },
        {
          column_name: 'rolled_back_at',
          data_type: 'timestamp with time zone',
          length: null,
          is_nullable: 'YES',
          column_default: null,
        },
        {
          column_name: 'started_at',
          data_type: 'timestamp with time zone',
          length: null,
          is_nullable: 'NO',
          column_default: 'now()',
        },
        {
          column_name: 'applied_steps_count',
          data_type: 'integer',
          length: null,
          is_nullable: 'NO',
          column_default: '0',
        },
      ]);
      const key = await db.sql.query(
        `SELECT kcu.column_name FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
          WHERE tc.table_name = '_prisma_migrations' AND tc.constraint_type = 'PRIMARY KEY'`,
      );
      expect(key.rows).toEqual([{ column_name: 'id' }]);
    });

    it('re-running is a no-op', async () => {
      const names = await migrations.names();
      await run();
      const before = await records(db.sql);

      const again = await run();

      expect(again).toEqual({ applied: [], alreadyApplied: names, notInFolder: [] });
      expect(await records(db.sql)).toEqual(before);
    });

    it('refuses an applied migration whose file changed, naming it, and applies nothing else', async () => {
      const [first] = await migrations.names();
      await run();
      await appendFile(
        path.join(migrations.dir, first, 'migration.sql'),
        '\n-- edited afterwards\n',
      );
      await migrations.add(NEXT, 'CREATE TABLE next_one (id int);');

      const failure = await run().catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(MigrationChecksumMismatchError);
      expect((failure as Error).message).toContain(
        `migration ${first} was modified after it was applied`,
      );
      expect(await tableExists(db.sql, 'next_one')).toBe(false);
    });

    describe('a failing migration', () => {
      beforeEach(async () => {
        await migrations.add(BAD, 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n');
        await migrations.add(NEXT, 'CREATE TABLE next_one (id int);\n');
      });

      it('is rolled back and recorded as failed (finished_at null, logs = error); the next one is not applied', async () => {
        const failure = await run().catch((e: unknown) => e);

        expect(failure).toBeInstanceOf(MigrationFailedError);
        expect((failure as Error).message).toMatch(
          new RegExp(`^migration ${BAD} failed.*division by zero`),
        );
        const bad = (await records(db.sql)).filter((r) => r.migration_name === BAD);
        expect(bad).toHaveLength(1);
        expect(bad[0]).toMatchObject({
          finished_at: null,
          rolled_back_at: null,
          applied_steps_count: 0,
        });
        expect(bad[0].logs).toContain('division by zero');
        expect(await tableExists(db.sql, 'half_done')).toBe(false);
        expect((await records(db.sql)).some((r) => r.migration_name === NEXT)).toBe(false);
        expect(await tableExists(db.sql, 'next_one')).toBe(false);
      });

      it('blocks later runs with an error naming it until it is resolved', async () => {
        await run().catch(() => undefined);

        const blocked = await run().catch((e: unknown) => e);

        expect(blocked).toBeInstanceOf(FailedMigrationBlocksError);
        expect((blocked as Error).message).toContain(`migration ${BAD}`);
        expect((blocked as Error).message).toContain(`--resolve-rolled-back ${BAD}`);
        expect(await tableExists(db.sql, 'next_one')).toBe(false);
      });

      it('runs again after it is fixed and marked rolled back', async () => {
        await run().catch(() => undefined);
        await writeFile(
          path.join(migrations.dir, BAD, 'migration.sql'),
          'CREATE TABLE half_done (id int);\n',
        );
        await markMigrationRolledBack(db.sql, BAD);

        const result = await run();

        expect(result.applied).toEqual([BAD, NEXT]);
        const bad = (await records(db.sql)).filter((r) => r.migration_name === BAD);
        expect(bad.map((r) => [r.rolled_back_at !== null, r.finished_at !== null])).toEqual([
          [true, false],
          [false, true],
        ]);
        expect(await tableExists(db.sql, 'half_done')).toBe(true);
      });

      it('is skipped after being marked applied by hand', async () => {
        await run().catch(() => undefined);
        await markMigrationApplied(db.sql, BAD, migrations.dir);

        const result = await run();

        expect(result.applied).toEqual([NEXT]);
        expect(await tableExists(db.sql, 'half_done')).toBe(false);
      });
    });

    it('two runners at once apply each migration exactly once', async () => {
      // A slow migration keeps the first runner inside the lock while the second arrives.
      await migrations.add(NEXT, 'SELECT pg_sleep(0.3);\nCREATE TABLE next_one (id int);\n');
      const names = await migrations.names();
      const second =
        target.name === 'postgres'
          ? await createDatabase(resolveDatabaseUrl(postgresUrl(db.name)))
          : db;
      try {
        const [a, b] = await Promise.all([run(db), run(second)]);

        expect([...a.applied, ...b.applied].sort()).toEqual(names);
        expect([a.applied.length, b.applied.length].sort()).toEqual([0, names.length]);
        const rows = await records(db.sql);
        expect(rows.map((r) => r.migration_name).sort()).toEqual(names);
      } finally {
        if (second !== db) await second.close();
      }
    });
  });
}

describeWithServices(
  ['postgres'],
  "Prisma's own schema engine on a database our runner migrated",
  () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await databaseTargets()
        .find((t) => t.name === 'postgres')!
        .fresh();
    });
    afterAll(() => db.drop());

    it('reports the history in sync: nothing edited, failed or unapplied', async () => {
      const script = path.resolve(__dirname, '../../prisma/scripts/check-history.ts');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', '@swc-node/register', script],
        {
          env: { ...process.env, DATABASE_URL: postgresUrl(db.name) },
        },
      );
      expect(JSON.parse(stdout)).toEqual({
        editedMigrationNames: [],
        failedMigrationNames: [],
        hasMigrationsTable: true,
        history: null,
      });
    });
  },
);
