import { Logger } from '@nestjs/common';
import type { Channel, GetMessage } from 'amqplib';
import type { ConnectionManager } from '../connection/connection-manager';
import { Headers } from '../messaging.constants';
import type { Publisher } from '../publishing/publisher';
import { cleanHeaders, copyOf } from './message-settler';

/** One message in a dead-letter queue, as list() and inspect() show it. @publicApi */
export interface DeadLetterEntry {
  readonly messageId: string;
  readonly type?: string;
  readonly reason?: string;
  readonly errorName?: string;
  readonly errorMessage?: string;
  readonly attempts?: number;
  readonly originalExchange?: string;
  readonly originalRoutingKey?: string;
  readonly failedAt?: string;
  /** Decoded JSON, or the raw text when it is not JSON. */
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** Outcome of a replay. @publicApi */
export interface ReplayReport {
  readonly replayed: string[];
  readonly failed: { messageId: string; error: string }[];
}

/** `<queue>.dlq`, the dead-letter queue Surety declares for a consumed queue. @publicApi */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dlq`;
}

const ERROR_HEADERS = [
  Headers.deadLetterReason,
  Headers.errorMessage,
  Headers.errorName,
  Headers.attempts,
  Headers.failedAt,
  Headers.deadLetterQueue,
  Headers.headersDropped,
  Headers.attempt,
];

/**
 * Looks into and repairs dead-letter queues. Browsing takes messages with
 * basic.get WITHOUT ack and closes the channel afterwards, so the broker puts
 * every one back where it was; replay publishes a clean copy to the original
 * exchange and routing key, waits for the confirm, and only then acks the
 * dead-letter copy (a crash in between duplicates, never loses).
 *
 * @publicApi
 */
export class DeadLetterService {
  private readonly logger = new Logger('Surety.DeadLetters');

  constructor(
    private readonly connections: ConnectionManager,
    private readonly publisher: Publisher,
    private readonly connectionWaitMs = 10_000,
  ) {}

  /** Up to `limit` messages from the head of the queue; none are removed. */
  async list(
    deadLetterQueue: string,
    { limit = 100 }: { limit?: number } = {},
  ): Promise<DeadLetterEntry[]> {
    return this.withChannel(async (channel) => {
      const taken = await take(channel, deadLetterQueue, limit);
      return taken.map(toEntry);
    });
  }

  /** The message with this id, if it is in the queue; it stays there. */
  async inspect(deadLetterQueue: string, messageId: string): Promise<DeadLetterEntry | undefined> {
    return this.withChannel(async (channel) => {
      const count = (await channel.checkQueue(deadLetterQueue)).messageCount;
      for (let i = 0; i < count; i++) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) return undefined;
        if (message.properties.messageId === messageId) return toEntry(message);
      }
      return undefined;
    });
  }

  /** Republishes the message with this id to where it was first published; false if not found. */
  async replay(deadLetterQueue: string, messageId: string): Promise<ReplayReport> {
    return this.replayWhere(
      deadLetterQueue,
      (message) => message.properties.messageId === messageId,
      1,
    );
  }

  /** Republishes every message currently in the queue (not ones dead-lettered meanwhile). */
  async replayAll(deadLetterQueue: string): Promise<ReplayReport> {
    return this.replayWhere(deadLetterQueue, () => true, Infinity);
  }

  /** Deletes every message in the queue; returns how many. */
  async purge(deadLetterQueue: string): Promise<number> {
    return this.withChannel(
      async (channel) => (await channel.purgeQueue(deadLetterQueue)).messageCount,
    );
  }

  private async replayWhere(
    deadLetterQueue: string,
    matches: (message: GetMessage) => boolean,
    limit: number,
  ): Promise<ReplayReport> {
    const report: ReplayReport = { replayed: [], failed: [] };
    await this.withChannel(async (channel) => {
      const count = (await channel.checkQueue(deadLetterQueue)).messageCount;
      for (let i = 0; i < count && report.replayed.length + report.failed.length < limit; i++) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        if (!matches(message)) continue; // stays unacked; requeued in place when the channel closes
        const messageId = String(message.properties.messageId ?? '');
        const target = replayTarget(message);
        if (!target) {
          // Published to the DLQ by hand: "back" would be the DLQ itself. It stays put.
          report.failed.push({ messageId, error: NO_TARGET });
          this.logger.error(
            `replay of ${messageId} from '${deadLetterQueue}' failed: ${NO_TARGET}`,
          );
          continue;
        }
        const headers = cleanHeaders(message);
        for (const name of ERROR_HEADERS) delete headers[name];
        const result = await this.publisher.send(
          copyOf(message, target.exchange, target.routingKey, headers),
        );
        if (result.status === 'confirmed') {
          channel.ack(message);
          report.replayed.push(messageId);
        } else {
          report.failed.push({ messageId, error: result.error?.message ?? result.status });
          this.logger.error(
            `replay of ${messageId} from '${deadLetterQueue}' failed: ${result.error?.message}`,
          );
        }
      }
    });
    return report;
  }

  /** A private channel: closing it returns every unacked message to the queue, in place. */
  private async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const connection = await this.connections.waitForConnection(this.connectionWaitMs);
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) =>
      this.logger.warn(`dead-letter channel: ${error.message}`),
    );
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

const NO_TARGET =
  'no record of where it came from (no x-surety-original-exchange header, no broker death record)';

/**
 * Where a dead letter goes back to: where it was first published, as Surety's
 * dead-letter copy records it; or, for a message the broker dead-lettered into this
 * queue (expired, rejected, over the length limit), the queue it died in.
 */
function replayTarget(message: GetMessage): { exchange: string; routingKey: string } | undefined {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const exchange = headers[Headers.originalExchange];
  if (exchange !== undefined) {
    return {
      exchange: String(exchange),
      routingKey: String(headers[Headers.originalRoutingKey] ?? message.fields.routingKey),
    };
  }
  const diedIn = headers['x-first-death-queue'];
  if (diedIn !== undefined && String(diedIn) !== '') {
    return { exchange: '', routingKey: String(diedIn) };
  }
  return undefined;
}

async function take(channel: Channel, queue: string, limit: number): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  while (taken.length < limit) {
    const message = await channel.get(queue, { noAck: false });
    if (!message) break;
    taken.push(message);
  }
  return taken;
}

function toEntry(message: GetMessage): DeadLetterEntry {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const text = message.content.toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // Not JSON (that may be why it is here): show the text.
  }
  const str = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
  return {
    messageId: String(message.properties.messageId ?? ''),
    type: message.properties.type as string | undefined,
    reason: str(Headers.deadLetterReason),
    errorName: str(Headers.errorName),
    errorMessage: str(Headers.errorMessage),
    attempts:
      headers[Headers.attempts] === undefined ? undefined : Number(headers[Headers.attempts]),
    originalExchange: str(Headers.originalExchange),
    originalRoutingKey: str(Headers.originalRoutingKey),
    failedAt: str(Headers.failedAt),
    payload,
    headers,
  };
}
