import {
  AmqpError,
  ReplyCode,
  fieldValuesEquivalent,
  numericValue,
  type FieldTable,
  type FieldValue,
} from '../../protocol';
import type { Binding, Destination } from '../binding';
import { Exchange } from '../exchange';
import type { Message } from '../message';

type MatchKind = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface HeaderBinding {
  readonly destination: Destination;
  readonly kind: MatchKind;
  readonly pattern: [string, FieldValue][];
}

/**
 * Matches message headers against binding arguments. x-match all (default) needs
 * every pattern header equal, any needs one; keys starting `x-` are ignored unless
 * the `*-with-x` variants ask for them. A void pattern value matches mere presence.
 */
export class HeadersExchange extends Exchange {
  private readonly matchers: HeaderBinding[] = [];

  protected override validateBinding(binding: Binding): void {
    matchKind(binding.args);
  }

  protected addBinding(binding: Binding): void {
    const kind = matchKind(binding.args);
    const withX = kind === 'all-with-x' || kind === 'any-with-x';
    const pattern = Object.entries(binding.args).filter(
      ([key]) => key !== 'x-match' && (withX || !key.startsWith('x-')),
    );
    this.matchers.push({ destination: binding.destination, kind, pattern });
  }

  protected removeBinding(binding: Binding): void {
    const kind = matchKind(binding.args);
    const index = this.matchers.findIndex(
      (m) =>
        m.destination === binding.destination &&
        m.kind === kind &&
        m.pattern.length === countPattern(binding.args, kind) &&
        m.pattern.every(([key, value]) => {
          const other = binding.args[key];
          return other !== undefined && fieldValuesEquivalent(value, other);
        }),
    );
    if (index >= 0) this.matchers.splice(index, 1);
  }

  route(message: Message, _routingKey: string, out: Destination[]): void {
    if (this.matchers.length === 0) return;
    const headers = message.headers ?? {};
    for (const matcher of this.matchers) {
      if (matches(matcher, headers)) out.push(matcher.destination);
    }
  }
}

function matchKind(args: FieldTable): MatchKind {
  const fv = args['x-match'];
  if (fv === undefined) return 'all';
  const value = fv.type === 'S' ? fv.value : fv.type === 'x' ? fv.value.toString() : undefined;
  if (value === 'all' || value === 'any' || value === 'all-with-x' || value === 'any-with-x') {
    return value;
  }
  throw new AmqpError(
    ReplyCode.PreconditionFailed,
    `Invalid x-match field value ${JSON.stringify(value ?? fv.type)}; expected all, any, all-with-x, or any-with-x`,
  );
}

function countPattern(args: FieldTable, kind: MatchKind): number {
  const withX = kind === 'all-with-x' || kind === 'any-with-x';
  return Object.keys(args).filter((key) => key !== 'x-match' && (withX || !key.startsWith('x-')))
    .length;
}

function matches(matcher: HeaderBinding, headers: FieldTable): boolean {
  const all = matcher.kind === 'all' || matcher.kind === 'all-with-x';
  if (matcher.pattern.length === 0) return all;
  for (const [key, expected] of matcher.pattern) {
    const actual = headers[key];
    const ok = actual !== undefined && valueMatches(expected, actual);
    if (all && !ok) return false;
    if (!all && ok) return true;
  }
  return all;
}

function valueMatches(expected: FieldValue, actual: FieldValue): boolean {
  if (expected.type === 'V') return true;
  // Integers of different widths are one type class in RabbitMQ's comparison.
  if (numericValue(expected) !== undefined || numericValue(actual) !== undefined) {
    return fieldValuesEquivalent(expected, actual);
  }
  if (
    (expected.type === 'S' || expected.type === 'x') &&
    (actual.type === 'S' || actual.type === 'x')
  ) {
    return String(expected.value) === String(actual.value);
  }
  return fieldValuesEquivalent(expected, actual);
}
