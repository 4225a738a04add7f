import type { Destination } from '../binding';
import { Exchange, type ExchangeOptions } from '../exchange';
import type { Message } from '../message';
import type { Queue } from '../queue';

/**
 * The nameless default exchange: every queue is implicitly bound to it under its
 * own name, so routing is a lookup in the vhost's queue table. Explicit bindings
 * are refused by the vhost (403).
 */
export class DefaultExchange extends Exchange {
  constructor(
    options: ExchangeOptions,
    private readonly lookup: (name: string) => Queue | undefined,
  ) {
    super(options);
  }

  protected addBinding(): void {}

  protected removeBinding(): void {}

  route(_message: Message, routingKey: string, out: Destination[]): void {
    const queue = this.lookup(routingKey);
    if (queue !== undefined) out.push(queue);
  }
}
