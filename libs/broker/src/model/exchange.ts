import type { FieldTable } from '../protocol';
import { stringArgument } from './arguments';
import type { Binding, Destination } from './binding';
import type { Message } from './message';

export interface ExchangeOptions {
  readonly vhost: string;
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly args: FieldTable;
}

/**
 * The base every exchange type extends. It owns the binding set and the parts
 * of routing all types share (alternate exchange, bookkeeping); a subclass only
 * indexes bindings and answers "which destinations match this routing key".
 * Traversal across exchange-to-exchange bindings, CC/BCC and loop protection
 * live in the Router.
 */
export abstract class Exchange {
  readonly kind = 'exchange' as const;
  readonly vhost: string;
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly args: FieldTable;
  readonly alternateExchange: string | undefined;
  /** Outgoing bindings (this exchange is their source), by binding id. */
  readonly bindings = new Map<string, Binding>();
  /** Bindings that lead here from other exchanges. */
  readonly incoming = new Set<Binding>();
  /** Set by the router while a publish traverses this exchange (cheaper than a Set per message). */
  routeStamp = 0;
  deleted = false;

  constructor(options: ExchangeOptions) {
    this.vhost = options.vhost;
    this.name = options.name;
    this.type = options.type;
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.internal = options.internal;
    this.args = options.args;
    this.alternateExchange = stringArgument(
      options.args,
      'alternate-exchange',
      `exchange '${options.name}' in vhost '${options.vhost}'`,
    );
  }

  /** Adds the binding; false when an equal one already exists. */
  bind(binding: Binding): boolean {
    if (this.bindings.has(binding.id)) return false;
    this.validateBinding(binding);
    this.bindings.set(binding.id, binding);
    this.addBinding(binding);
    return true;
  }

  /** Removes an equal binding; returns the removed one, if there was one. */
  unbind(id: string): Binding | undefined {
    const binding = this.bindings.get(id);
    if (binding === undefined) return undefined;
    this.bindings.delete(id);
    this.removeBinding(binding);
    return binding;
  }

  /** Checks a new binding's key/arguments; throws AmqpError 406 when the type cannot use them. */
  protected validateBinding(_binding: Binding): void {}

  protected abstract addBinding(binding: Binding): void;
  protected abstract removeBinding(binding: Binding): void;

  /** Appends the destinations matching one routing key to `out` (duplicates allowed). */
  abstract route(message: Message, routingKey: string, out: Destination[]): void;

  /**
   * Lets an exchange take a message out of immediate routing (the delayed-message
   * exchange holds it until due). Returns true when it took the message.
   */
  intercept(_message: Message): boolean {
    return false;
  }

  /** Called when the exchange is deleted (timers etc.). */
  dispose(): void {}
}
