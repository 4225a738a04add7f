import { randomBytes } from 'node:crypto';

/**
 * A name unique to this test run, for queues, exchanges, databases and Redis
 * key prefixes, so suites never see each other's leftovers.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}

/** Same, restricted to characters valid in a PostgreSQL identifier. */
export function uniqueIdentifier(prefix: string): string {
  return uniqueName(prefix)
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase();
}
