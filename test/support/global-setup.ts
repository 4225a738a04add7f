import { AVAILABLE_ENV, SERVICE_NAMES, probe, serviceUrl } from './services';

/**
 * Probes the real services once per run. In CI a missing service fails the run
 * loudly here; elsewhere the suites that need it report themselves as skipped.
 */
export default async function globalSetup(): Promise<void> {
  const results = await Promise.all(
    SERVICE_NAMES.map(async (name) => [name, await probe(name)] as const),
  );
  const up = results.filter(([, ok]) => ok).map(([name]) => name);
  const down = results.filter(([, ok]) => !ok).map(([name]) => name);
  process.env[AVAILABLE_ENV] = up.join(',');
  if (down.length > 0) {
    const list = down.map((name) => `${name} at ${serviceUrl(name)}`).join(', ');
    if (process.env.CI) {
      throw new Error(
        `[surety] required services are unreachable: ${list} (run scripts/services.sh up)`,
      );
    }
    console.warn(
      `\n!!! [surety] services unreachable, suites needing them will be SKIPPED: ${list}\n`,
    );
  }
}
