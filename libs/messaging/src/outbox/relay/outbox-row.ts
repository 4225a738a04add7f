/** One claimed outbox row, as the relay works with it. */
export interface OutboxRow {
  readonly id: bigint;
  readonly key: string | null;
  readonly sequence: bigint | null;
  readonly exchange: string;
  readonly routingKey: string;
  readonly type: string;
  /** The payload as JSON text: published as is, never parsed on the hot path. */
  readonly payload: string;
  readonly headers: Record<string, unknown>;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly messageId: string;
}

interface RawRow {
  id: bigint;
  key: string | null;
  sequence: bigint | null;
  exchange: string;
  routing_key: string;
  type: string;
  payload: string;
  headers: Record<string, unknown> | string | null;
  attempts: number;
  message_id: string;
}

export function toOutboxRow(raw: RawRow): OutboxRow {
  return {
    id: raw.id,
    key: raw.key,
    sequence: raw.sequence,
    exchange: raw.exchange,
    routingKey: raw.routing_key,
    type: raw.type,
    payload: raw.payload,
    // As text: most rows carry no headers, and '{}' needs no JSON parser.
    headers:
      typeof raw.headers !== 'string'
        ? (raw.headers ?? {})
        : raw.headers === '{}'
          ? {}
          : (JSON.parse(raw.headers) as Record<string, unknown>),
    attempts: raw.attempts,
    messageId: raw.message_id,
  };
}

export type { RawRow as RawOutboxRow };
