import type { BasicProperties } from '../../protocol';
import { toFieldTable, type PlainFieldValue } from '../../protocol';
import type { QueueConsumer } from '../consumer';
import { Message } from '../message';
import type { Queue } from '../queue';
import type { QueueEntry } from '../queue-entry';

/** A message as a client would publish it (headers given as plain values). */
export function message(
  routingKey: string,
  options: Omit<BasicProperties, 'headers'> & {
    headers?: Record<string, PlainFieldValue>;
    body?: string;
    exchange?: string;
  } = {},
): Message {
  const { headers, body, exchange, ...props } = options;
  return Message.fromProperties(
    exchange ?? 'x',
    routingKey,
    { ...props, headers: toFieldTable(headers ?? {}) },
    Buffer.from(body ?? routingKey),
  );
}

/** A consumer that records deliveries and has `credit` slots (Infinity by default). */
export class RecordingConsumer implements QueueConsumer {
  readonly received: QueueEntry[] = [];
  cancelled = false;

  constructor(
    readonly tag: string,
    public credit = Infinity,
    readonly priority = 0,
    readonly noAck = false,
    readonly exclusive = false,
  ) {}

  hasCredit(): boolean {
    return this.credit > 0;
  }

  deliver(_queue: Queue, entry: QueueEntry): void {
    this.credit--;
    this.received.push(entry);
  }

  cancelByServer(): void {
    this.cancelled = true;
  }

  bodies(): string[] {
    return this.received.map((e) => e.message.body.toString());
  }
}

/** Lets process.nextTick-scheduled deliveries run. */
export function flushTicks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
