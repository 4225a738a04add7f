import type { Binding, Destination } from '../binding';
import { Exchange } from '../exchange';
import type { Message } from '../message';

/** Routes to bindings whose key equals the routing key: one map lookup per message. */
export class DirectExchange extends Exchange {
  private readonly byKey = new Map<string, Destination[]>();

  protected addBinding(binding: Binding): void {
    const list = this.byKey.get(binding.routingKey);
    if (list === undefined) this.byKey.set(binding.routingKey, [binding.destination]);
    else list.push(binding.destination);
  }

  protected removeBinding(binding: Binding): void {
    const list = this.byKey.get(binding.routingKey);
    if (list === undefined) return;
    const index = list.indexOf(binding.destination);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.byKey.delete(binding.routingKey);
  }

  route(_message: Message, routingKey: string, out: Destination[]): void {
    const list = this.byKey.get(routingKey);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) out.push(list[i]!);
  }
}
