import type { Compensation } from '../interfaces/failed-outbox-event.interface';

/** Event type → the compensation that runs when the relay gives up on such an event. */
export class CompensationRegistry {
  private readonly byType = new Map<string, Compensation>();

  /** Registers `compensation` for `type` ('*' = every type without its own). */
  register<T, Tx>(type: string, compensation: Compensation<T, Tx>): void {
    if (this.byType.has(type)) {
      throw new Error(`a compensation for outbox event type "${type}" is already registered`);
    }
    this.byType.set(type, compensation as Compensation);
  }

  find(type: string): Compensation | undefined {
    return this.byType.get(type) ?? this.byType.get('*');
  }

  get types(): string[] {
    return [...this.byType.keys()];
  }
}
