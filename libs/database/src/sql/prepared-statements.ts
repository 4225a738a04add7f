/** Statement text → the name PostgreSQL prepares it under. */
const names = new Map<string, string>();

/**
 * Marks a hot statement to be prepared once per connection on PostgreSQL: later calls
 * send only Bind/Execute, so the server skips parsing and planning. That is most of a
 * short statement's server cost (the outbox writer's keyed insert — a CTE with an
 * upsert and window functions — costs more to plan than to run). Returns the text
 * unchanged, so call sites keep passing plain strings:
 *
 *     const INSERT_ONE = prepared('surety_outbox_insert_one', `INSERT …`);
 *     await sql.query(INSERT_ONE, params);
 *
 * Applies to statements run through a DatabaseHandle (handle.sql and transactionSql).
 * Only for a fixed set of texts: each distinct text holds a prepared statement on every
 * connection for the connection's life. PGlite runs in-process and ignores it.
 * Behind PgBouncer in transaction pooling mode, named statements need PgBouncer 1.21+
 * with `max_prepared_statements` set (older versions lose them between transactions).
 */
export function prepared(name: string, text: string): string {
  const known = names.get(text);
  if (known !== undefined && known !== name) {
    throw new Error(`statement already prepared as "${known}", cannot also be "${name}"`);
  }
  for (const [otherText, otherName] of names) {
    if (otherName === name && otherText !== text) {
      throw new Error(`prepared statement name "${name}" is already used by another statement`);
    }
  }
  names.set(text, name);
  return text;
}

/** The prepared name of a statement text, if it was marked with {@link prepared}. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}
