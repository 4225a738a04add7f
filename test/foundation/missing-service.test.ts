import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runFixture(env: NodeJS.ProcessEnv) {
  const result = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '-c', 'test/foundation/fixtures/jest.fixture.config.js'],
    { cwd: root, env, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('a test that needs an unreachable service', () => {
  let redisUrl: string;
  let baseEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    baseEnv = { ...process.env, SURETY_TEST_REDIS_URL: redisUrl };
    delete baseEnv.CI;
    delete baseEnv.SURETY_TEST_SERVICES_UP;
  });

  it('fails the run loudly in CI, naming the service and its URL', () => {
    const { status, output } = runFixture({ ...baseEnv, CI: 'true' });
    expect(status).not.toBe(0);
    expect(output).toContain(`required services are unreachable: redis at ${redisUrl}`);
  });

  it('is skipped outside CI with a loud line naming the service', () => {
    const { status, output } = runFixture(baseEnv);
    expect(status).toBe(0);
    expect(output).toContain(
      `SKIPPING "a suite that needs Redis": service(s) not reachable: redis (${redisUrl})`,
    );
    expect(output).toMatch(/1 skipped/);
  });
});
