import { Module, type DynamicModule } from '@nestjs/common';
import {
  DATABASE_HANDLE,
  PRISMA_CLIENT,
  PrismaClient,
  type DatabaseHandle,
} from '@surety/database';

@Module({})
class GlobalTestDatabase {}

/**
 * An already open test database, provided globally the way DatabaseModule provides
 * its own (DATABASE_HANDLE, PRISMA_CLIENT, PrismaClient), so that modules that inject
 * them resolve as in an application.
 */
export function globalDatabase(handle: DatabaseHandle): DynamicModule {
  const providers = [
    { provide: DATABASE_HANDLE, useValue: handle },
    { provide: PRISMA_CLIENT, useValue: handle.prisma },
    { provide: PrismaClient, useValue: handle.prisma },
  ];
  return {
    module: GlobalTestDatabase,
    global: true,
    providers,
    exports: providers.map((p) => p.provide),
  };
}
