import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CreateDatabaseOptions } from '../connection/create-database';

export interface DatabaseModuleOptions {
  /** Database URL; default: the DATABASE_URL environment variable (unset: embedded PGlite). */
  url?: string;
  /** Apply pending migrations while the module starts (default false). */
  migrate?: boolean;
  /** Migrations folder for `migrate`; default: the repository's prisma/migrations. */
  migrationsDir?: string;
  /** Pool size, timeouts, Prisma transaction limits. */
  database?: CreateDatabaseOptions;
}

export const {
  ConfigurableModuleClass: ConfigurableDatabaseModule,
  MODULE_OPTIONS_TOKEN: DATABASE_MODULE_OPTIONS,
  OPTIONS_TYPE: DATABASE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DATABASE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DatabaseModuleOptions>({ moduleName: 'SuretyDatabase' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
