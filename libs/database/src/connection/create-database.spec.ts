import { createServer } from 'node:net';
import { resolveDatabaseConfig } from '../config/database-config';
import { DatabaseConnectionError } from '../errors/database.errors';
import { createDatabase } from './create-database';

/** A loopback port nobody listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('createDatabase start-up failures', () => {
  it('an unreachable PostgreSQL is one clear error naming DATABASE_URL and host:port, password masked', async () => {
    const port = await closedPort();
    const config = resolveDatabaseConfig({
      DATABASE_URL: `postgresql://app:s3cret@127.0.0.1:${port}/orders`,
    });
    const failure = await createDatabase(config, { connectTimeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DatabaseConnectionError);
    const { message } = failure as Error;
    expect(message).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port}`);
    expect(message).toContain(`DATABASE_URL=postgresql://app:***@127.0.0.1:${port}/orders`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('s3cret');
    expect(message.split('\n')).toHaveLength(1);
  });
});
