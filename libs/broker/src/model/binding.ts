import type { FieldTable } from '../protocol';
import { tableSignature } from './arguments';
import type { Exchange } from './exchange';
import type { Queue } from './queue';

/** What a binding points at: a queue, or another exchange (exchange-to-exchange binding). */
export type Destination = Queue | Exchange;

/** source --routingKey/arguments--> destination. Immutable; equal bindings share an id. */
export class Binding {
  readonly id: string;

  constructor(
    readonly source: Exchange,
    readonly destination: Destination,
    readonly routingKey: string,
    readonly args: FieldTable,
  ) {
    this.id = bindingId(destination, routingKey, args);
  }
}

/** RabbitMQ treats bindings with the same destination, key and arguments as one binding. */
export function bindingId(destination: Destination, routingKey: string, args: FieldTable): string {
  return `${destination.kind}\u0000${destination.name}\u0000${routingKey}\u0000${tableSignature(args)}`;
}
