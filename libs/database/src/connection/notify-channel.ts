/**
 * NOTIFY channels are identifiers; PGlite sends them to LISTEN unquoted and
 * PostgreSQL folds unquoted names to lower case. Allowing only plain lower-case
 * names makes both databases agree on which channel a name means.
 */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertChannelName(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new TypeError(
      `invalid NOTIFY channel "${channel}": use 1-63 lower-case letters, digits and _ (not starting with a digit)`,
    );
  }
}
