import {
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { resolveDatabaseConfig, resolveDatabaseUrl } from '../config/database-config';
import { createDatabase } from '../connection/create-database';
import type { DatabaseHandle } from '../connection/database-handle';
import { PrismaClient } from '../prisma-client';
import { DATABASE_HANDLE, PRISMA_CLIENT } from './database.constants';
import {
  ConfigurableDatabaseModule,
  DATABASE_MODULE_OPTIONS,
  type DatabaseModuleOptions,
} from './database-module-options';

async function openHandle(options: DatabaseModuleOptions): Promise<DatabaseHandle> {
  const config =
    options.url === undefined
      ? resolveDatabaseConfig(process.env)
      : resolveDatabaseUrl(options.url, { source: 'DatabaseModule url' });
  const handle = await createDatabase(config, options.database);
  if (options.migrate) {
    try {
      await handle.migrate({ migrationsDir: options.migrationsDir });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/**
 * Closes the database in the last shutdown phase, after other providers have
 * stopped their work in onModuleDestroy / beforeApplicationShutdown.
 */
@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle) {}

  onApplicationShutdown(): Promise<void> {
    return this.handle.close();
  }
}

const providers: Provider[] = [
  { provide: DATABASE_HANDLE, useFactory: openHandle, inject: [DATABASE_MODULE_OPTIONS] },
  {
    provide: PRISMA_CLIENT,
    useFactory: (handle: DatabaseHandle) => handle.prisma,
    inject: [DATABASE_HANDLE],
  },
  { provide: PrismaClient, useExisting: PRISMA_CLIENT },
  DatabaseShutdown,
];

/**
 * The database for a Nest application: `DatabaseModule.forRoot({ url?, migrate? })`
 * or `forRootAsync({ useFactory, inject })`. Global unless `isGlobal: false`.
 * Provides the DatabaseHandle (DATABASE_HANDLE) and its PrismaClient
 * (PRISMA_CLIENT, or inject PrismaClient by class).
 */
@Module({ providers, exports: [DATABASE_HANDLE, PRISMA_CLIENT, PrismaClient] })
export class DatabaseModule extends ConfigurableDatabaseModule {}
