import type { PersistedMessage } from '@surety/broker/store';

/** The crash test's queues; message `id` goes to QUEUES[id % QUEUES.length]. */
export const QUEUES = ['crash.a', 'crash.b', 'crash.c'];

export function queueOf(id: number): string {
  return QUEUES[id % QUEUES.length];
}

/** Deterministic content per id (varied sizes), so recovered bytes can be checked exactly. */
export function crashMessage(id: number): PersistedMessage {
  const size = 8 + ((id * 7919) % 700);
  const body = Buffer.alloc(size);
  body.writeDoubleBE(id, 0);
  for (let i = 8; i < size; i++) body[i] = (id + i * 13) & 0xff;
  return {
    exchange: 'crash.events',
    routingKey: `crash.${id % 17}`,
    header: Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, size, 0x10, 0, 2]),
    body,
  };
}

export function idOf(message: PersistedMessage): number {
  return message.body.readDoubleBE(0);
}
