import { OutboxSerializationError } from './outbox.errors';

/**
 * Checks that `value` survives JSON.stringify → JSON.parse as the same data, and says
 * where it does not. JSON.stringify itself throws for BigInt and cycles, but silently
 * drops functions and symbols and turns NaN into null — a stored event would quietly
 * differ from what the code meant, so those are refused too. Nested `undefined`
 * properties are allowed (the usual optional field); a top-level `undefined` is not.
 */
export function assertSerializable(value: unknown, eventType: string, root = '$'): void {
  if (value === undefined) {
    throw new OutboxSerializationError(eventType, root, 'undefined is not JSON');
  }
  walk(value, root, eventType, new Set());
}

function walk(value: unknown, path: string, eventType: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new OutboxSerializationError(
          eventType,
          path,
          `${value} is not representable in JSON`,
        );
      }
      return;
    case 'bigint':
      throw new OutboxSerializationError(
        eventType,
        path,
        'BigInt is not JSON (convert it to a string or number)',
      );
    case 'function':
      throw new OutboxSerializationError(eventType, path, 'a function is not JSON');
    case 'symbol':
      throw new OutboxSerializationError(eventType, path, 'a symbol is not JSON');
  }
  if (value === null) return;
  const object = value as object;
  // toJSON (Date, Decimal, …) decides its own representation; check what it yields.
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    walk((object as { toJSON(): unknown }).toJSON(), path, eventType, ancestors);
    return;
  }
  if (object instanceof Map || object instanceof Set) {
    throw new OutboxSerializationError(
      eventType,
      path,
      `a ${object.constructor.name} becomes {} in JSON (use an object or an array)`,
    );
  }
  if (ancestors.has(object)) {
    throw new OutboxSerializationError(eventType, path, 'circular reference');
  }
  ancestors.add(object);
  if (Array.isArray(object)) {
    object.forEach((item, index) => {
      // JSON turns undefined array items into null: a different array, so refuse it.
      if (item === undefined) {
        throw new OutboxSerializationError(eventType, `${path}[${index}]`, 'undefined is not JSON');
      }
      walk(item, `${path}[${index}]`, eventType, ancestors);
    });
  } else {
    for (const [key, item] of Object.entries(object))
      walk(item, `${path}.${key}`, eventType, ancestors);
  }
  ancestors.delete(object);
}
