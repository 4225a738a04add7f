import { Socket } from 'node:net';

/** The real services integration tests talk to, and where they are by default. */
export const SERVICES = {
  rabbitmq: { env: 'RABBITMQ_URL', url: 'amqp://guest:guest@127.0.0.1:5672', port: 5672 },
  postgres: {
    env: 'DATABASE_URL',
    url: 'postgresql://postgres@127.0.0.1:5432/postgres',
    port: 5432,
  },
  redis: { env: 'REDIS_URL', url: 'redis://127.0.0.1:6379', port: 6379 },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Environment variable in which global setup records which services answered. */
export const AVAILABLE_ENV = 'SURETY_TEST_SERVICES_UP';

/** URL of a service for tests: the test-specific override, else the loopback default. */
export function serviceUrl(name: ServiceName): string {
  return process.env[`SURETY_TEST_${SERVICES[name].env}`] ?? SERVICES[name].url;
}

export function hostPort(name: ServiceName): { host: string; port: number } {
  const url = new URL(serviceUrl(name));
  return { host: url.hostname, port: Number(url.port) || SERVICES[name].port };
}

/** Resolves true when a TCP connection to the service opens within the timeout. */
export function probe(name: ServiceName, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = hostPort(name);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

export function availableServices(): Set<ServiceName> {
  const raw = process.env[AVAILABLE_ENV];
  if (raw === undefined) {
    throw new Error(
      `${AVAILABLE_ENV} is not set: integration tests must run through jest's global setup`,
    );
  }
  return new Set(raw.split(',').filter(Boolean) as ServiceName[]);
}

/**
 * `describe` for a suite that needs real services. In CI a missing service has
 * already failed global setup; outside CI the suite is skipped with a loud line.
 */
export function describeWithServices(needs: ServiceName[], title: string, body: () => void): void {
  const up = availableServices();
  const missing = needs.filter((name) => !up.has(name));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  if (process.env.CI) {
    throw new Error(
      `[surety] ${title}: required service(s) unreachable in CI: ${missing.join(', ')}`,
    );
  }
  console.warn(
    `\n!!! [surety] SKIPPING "${title}": service(s) not reachable: ${missing
      .map((m) => `${m} (${serviceUrl(m)})`)
      .join(', ')} — run scripts/services.sh up\n`,
  );
  describe.skip(title, body);
}
