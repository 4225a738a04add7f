import { MessagingConfigurationError } from '../errors';

/** The environment variable that names the broker (a comma-separated list for a cluster). */
export const RABBITMQ_URL_ENV = 'RABBITMQ_URL';

/** Replaces the password of an AMQP URL with `***` so it can be logged. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    // Not parseable: hide anything between "//user:" and "@" by hand.
    return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * Parses a broker URL setting: one URL or a comma-separated list (a cluster;
 * tried in order on every (re)connect). Throws one error that names the source
 * (e.g. RABBITMQ_URL) and every rejected entry, with passwords masked.
 */
export function parseBrokerUrls(
  value: string | readonly string[] | undefined,
  source: string = RABBITMQ_URL_ENV,
): string[] {
  const entries = (typeof value === 'string' ? value.split(',') : (value ?? []))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new MessagingConfigurationError(
      `${source} is not set: expected an AMQP URL such as amqp://user:password@host:5672/vhost, ` +
        `or a comma-separated list of them (got ${JSON.stringify(value ?? null)})`,
    );
  }
  const problems: string[] = [];
  for (const entry of entries) {
    const problem = checkUrl(entry);
    if (problem) problems.push(`'${maskUrl(entry)}': ${problem}`);
  }
  if (problems.length > 0) {
    throw new MessagingConfigurationError(
      `${source} is malformed: ${problems.join('; ')} (tried ${entries.length} entr${
        entries.length === 1 ? 'y' : 'ies'
      }: ${entries.map(maskUrl).join(', ')})`,
    );
  }
  return entries;
}

function checkUrl(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    return `protocol must be amqp: or amqps:, not ${url.protocol}`;
  }
  if (!url.hostname) return 'no host';
  if (url.port && !(Number(url.port) > 0 && Number(url.port) < 65536)) {
    return `bad port ${url.port}`;
  }
  return undefined;
}
