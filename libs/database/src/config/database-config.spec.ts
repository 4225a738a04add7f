import path from 'node:path';
import { DatabaseConfigError } from '../errors/database.errors';
import { resolveDatabaseConfig, resolveDatabaseUrl } from './database-config';

const cwd = path.resolve('/srv/app');

describe('resolveDatabaseConfig', () => {
  it('defaults to PGlite in .data/pglite under the working directory when DATABASE_URL is unset', () => {
    expect(resolveDatabaseConfig({}, cwd)).toEqual({
      kind: 'pglite',
      dataDir: path.join(cwd, '.data', 'pglite'),
      url: `pglite:${path.join(cwd, '.data', 'pglite')}`,
      source: 'DATABASE_URL',
    });
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(resolveDatabaseConfig({ DATABASE_URL: '  ' }, cwd)).toMatchObject({
      kind: 'pglite',
      dataDir: path.join(cwd, '.data', 'pglite'),
    });
  });

  it.each(['pglite:memory', 'memory://', 'memory://tests'])('%s is in-memory PGlite', (value) => {
    expect(resolveDatabaseConfig({ DATABASE_URL: value }, cwd)).toEqual({
      kind: 'pglite',
      dataDir: null,
      url: 'pglite:memory',
      source: 'DATABASE_URL',
    });
  });

  it('pglite:<dir> is PGlite on disk, relative to the working directory', () => {
    expect(resolveDatabaseConfig({ DATABASE_URL: 'pglite:var/db' }, cwd)).toMatchObject({
      kind: 'pglite',
      dataDir: path.join(cwd, 'var', 'db'),
    });
  });

  it.each(['postgres', 'postgresql'])(
    '%s:// is PostgreSQL, with the password masked in url',
    (scheme) => {
      const config = resolveDatabaseConfig({
        DATABASE_URL: `${scheme}://app:s3cret@db.internal:6543/orders`,
      });
      expect(config).toEqual({
        kind: 'postgres',
        connectionString: `${scheme}://app:s3cret@db.internal:6543/orders`,
        url: `${scheme}://app:***@db.internal:6543/orders`,
        host: 'db.internal',
        port: 6543,
        database: 'orders',
        source: 'DATABASE_URL',
      });
    },
  );

  it('defaults the PostgreSQL port to 5432', () => {
    expect(
      resolveDatabaseConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1/x' }),
    ).toMatchObject({ port: 5432 });
  });

  describe('rejects what it cannot use, naming DATABASE_URL, the value and what is accepted', () => {
    const rejected = (value: string): DatabaseConfigError => {
      try {
        resolveDatabaseConfig({ DATABASE_URL: value });
      } catch (error) {
        expect(error).toBeInstanceOf(DatabaseConfigError);
        return error as DatabaseConfigError;
      }
      throw new Error(`${value} was accepted`);
    };

    it('a wrong scheme', () => {
      const { message } = rejected('mysql://root:hunter2@localhost:3306/app');
      expect(message).toContain('DATABASE_URL="mysql://root:***@localhost:3306/app"');
      expect(message).toContain('unsupported scheme "mysql:"');
      expect(message).toMatch(/accepted: unset .*pglite:memory.*postgresql:\/\//);
      expect(message).not.toContain('hunter2');
    });

    it('garbage', () => {
      const { message } = rejected('not a url at all');
      expect(message).toContain('DATABASE_URL="not a url at all" is not usable (not a URL)');
      expect(message).toContain('accepted:');
    });

    it('a malformed PostgreSQL URL, still masking the password', () => {
      const { message } = rejected('postgresql://app:top secret@db:99999/x');
      expect(message).toContain('malformed PostgreSQL URL');
      expect(message).toContain('postgresql://app:***@db:99999/x');
      expect(message).not.toContain('top secret');
    });

    it('a PostgreSQL URL without a host', () => {
      expect(rejected('postgresql:///orders').message).toContain('(no host)');
    });

    it('pglite: without a directory', () => {
      expect(rejected('pglite:').message).toContain('pglite: needs a directory or "memory"');
    });
  });

  it('names another source when the URL came from elsewhere', () => {
    expect(() => resolveDatabaseUrl('redis://x', { source: 'DatabaseModule url' })).toThrow(
      'DatabaseModule url="redis://x" is not usable',
    );
  });
});
