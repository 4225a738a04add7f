import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  DATABASE_HANDLE,
  DatabaseModule,
  type DatabaseHandle,
  PRISMA_CLIENT,
  PrismaClient,
} from '@surety/database';

jest.setTimeout(60_000);

@Injectable()
class InboxCounter {
  constructor(private readonly prisma: PrismaClient) {}
  count(): Promise<number> {
    return this.prisma.inboxMessage.count();
  }
}

@Module({ providers: [InboxCounter], exports: [InboxCounter] })
class FeatureModule {}

@Injectable()
class UrlFromConfig {
  readonly url = 'pglite:memory';
}

@Module({ providers: [UrlFromConfig], exports: [UrlFromConfig] })
class ConfigLikeModule {}

describe('DatabaseModule', () => {
  it('forRoot opens, migrates, provides the handle and PrismaClient globally, and closes on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: 'pglite:memory', migrate: true }), FeatureModule],
    }).compile();
    const app = await moduleRef.init();

    const handle = app.get<DatabaseHandle>(DATABASE_HANDLE);
    expect(handle.kind).toBe('pglite');
    expect(app.get(PRISMA_CLIENT)).toBe(handle.prisma);
    expect(app.get(PrismaClient)).toBe(handle.prisma);
    // A feature module's provider got the same client by class, and the schema is there.
    await handle.prisma.inboxMessage.create({ data: { consumer: 'c', messageId: 'm' } });
    expect(await app.get(InboxCounter).count()).toBe(1);

    await app.close();
    await expect(handle.sql.query('SELECT 1')).rejects.toThrow();
  });

  it('forRootAsync takes its options from a factory with injected dependencies', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRootAsync({
          imports: [ConfigLikeModule],
          inject: [UrlFromConfig],
          useFactory: (config: UrlFromConfig) => ({ url: config.url, migrate: true }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const handle = app.get<DatabaseHandle>(DATABASE_HANDLE);
      expect(handle.url).toBe('pglite:memory');
      const { rows } = await handle.sql.query('SELECT count(*) AS n FROM "_prisma_migrations"');
      expect(rows[0]).toEqual({ n: expect.any(BigInt) });
      expect(Number((rows[0] as { n: bigint }).n)).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('fails to start with the configuration error when the url is unusable', async () => {
    const compiling = Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: 'mysql://root:pw@localhost/app' })],
    }).compile();
    await expect(compiling).rejects.toThrow(
      'DatabaseModule url="mysql://root:***@localhost/app" is not usable',
    );
  });
});
