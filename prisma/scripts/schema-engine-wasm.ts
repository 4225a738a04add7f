// Prisma's schema engine compiled to WebAssembly, driven through a driver
// adapter instead of the native binary the CLI would download. Used only to
// author migrations (a diff against an in-memory PGlite shadow database) and
// to check a migrated database's history; never to apply migrations.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as Engine from '@prisma/schema-engine-wasm';
import { loadMigrations } from '@surety/database';

type WasmExports = Record<string, unknown>;
type EngineModule = typeof Engine & { __wbg_set_wasm(exports: WasmExports): void };

// The project's TypeScript lib has no DOM/WebAssembly typings; Node provides the global.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: WasmExports } }>;
};

export type SchemaEngine = Engine.SchemaEngine;
export type MigrationList = Engine.MigrationList;
export type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

export const NO_FILTERS: Engine.SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * The package's entry imports its .wasm as an ES module (not supported on
 * Node 20), so the bindings module is loaded and handed the instance by hand.
 */
async function loadEngineModule(): Promise<EngineModule> {
  const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  // A real import(): the bindings are an ES module, which require() cannot load everywhere.
  const importModule = new Function('specifier', 'return import(specifier)') as (
    s: string,
  ) => Promise<EngineModule>;
  const bindings = await importModule(bindingsPath);
  const wasmBytes = await readFile(bindingsPath.replace(/\.js$/, '.wasm'));
  const { instance } = await WebAssembly.instantiate(wasmBytes, {
    './schema_engine_bg.js': bindings,
  });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bindings;
}

/** A schema engine for `schema` whose databases come from the adapter factory. */
export async function startSchemaEngine(
  schemaPath: string,
  adapterFactory: import('@prisma/driver-adapter-utils').SqlMigrationAwareDriverAdapterFactory,
): Promise<SchemaEngine> {
  const engine = await loadEngineModule();
  const schema = await readFile(schemaPath, 'utf8');
  const log = (line: string) => {
    if (process.env.SURETY_SCHEMA_ENGINE_DEBUG) console.error(line);
  };
  return engine.SchemaEngine.new(
    { datamodels: [[path.basename(schemaPath), schema]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

/** The migrations folder in the engine's input shape (read and checked by our own loader). */
export async function migrationList(migrationsDir: string): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const migrations = await loadMigrations(migrationsDir);
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: await readFile(lockPath, 'utf8').catch(() => null),
    },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
    })),
  };
}
