import type { Binding, Destination } from '../binding';
import { Exchange } from '../exchange';
import type { Message } from '../message';

/** Routes to every bound destination, whatever the routing key. */
export class FanoutExchange extends Exchange {
  private readonly destinations: Destination[] = [];

  protected addBinding(binding: Binding): void {
    this.destinations.push(binding.destination);
  }

  protected removeBinding(binding: Binding): void {
    const index = this.destinations.indexOf(binding.destination);
    if (index >= 0) this.destinations.splice(index, 1);
  }

  route(_message: Message, _routingKey: string, out: Destination[]): void {
    for (let i = 0; i < this.destinations.length; i++) out.push(this.destinations[i]!);
  }
}
