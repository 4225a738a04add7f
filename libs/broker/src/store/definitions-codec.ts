import { crc32 } from 'node:zlib';
import type { DefinitionEntry } from './definitions-state';
import type { BindingDefinition, ExchangeDefinition, QueueDefinition } from './types';

/**
 * A definitions log line: `<crc32 of the JSON, 8 hex digits> <JSON>\n`. JSON keeps the
 * log readable by an operator; `arguments` (field-table bytes) are base64.
 */
export function encodeDefinitionLine(entry: DefinitionEntry): string {
  const json = JSON.stringify(entry, (_key, value: unknown) =>
    isSerializedBuffer(value) ? Buffer.from(value.data).toString('base64') : value,
  );
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

function isSerializedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}

/** Decodes one line (without its newline); throws an Error saying what is wrong. */
export function decodeDefinitionLine(line: string): DefinitionEntry {
  const match = /^([0-9a-f]{8}) (.*)$/s.exec(line);
  if (!match) throw new Error('not "<crc> <json>"');
  if (parseInt(match[1], 16) !== crc32(match[2])) throw new Error('checksum mismatch');
  const raw = JSON.parse(match[2]) as Record<string, unknown>;
  const op = raw.op;
  const kind = raw.kind;
  if (op !== 'put' && op !== 'del') throw new Error(`unknown op ${String(op)}`);
  if (kind === 'binding') return { op, kind, def: bindingFrom(raw.def) };
  if (kind !== 'exchange' && kind !== 'queue') throw new Error(`unknown kind ${String(kind)}`);
  if (op === 'del') return { op, kind, vhost: str(raw, 'vhost'), name: str(raw, 'name') };
  return kind === 'exchange'
    ? { op, kind, def: exchangeFrom(raw.def) }
    : { op, kind, def: queueFrom(raw.def) };
}

function exchangeFrom(value: unknown): ExchangeDefinition {
  const d = record(value);
  return {
    vhost: str(d, 'vhost'),
    name: str(d, 'name'),
    type: str(d, 'type'),
    durable: true,
    autoDelete: bool(d, 'autoDelete'),
    internal: bool(d, 'internal'),
    arguments: bytes(d, 'arguments'),
  };
}

function queueFrom(value: unknown): QueueDefinition {
  const d = record(value);
  return {
    vhost: str(d, 'vhost'),
    name: str(d, 'name'),
    durable: true,
    autoDelete: bool(d, 'autoDelete'),
    exclusive: false,
    arguments: bytes(d, 'arguments'),
  };
}

function bindingFrom(value: unknown): BindingDefinition {
  const d = record(value);
  const destinationKind = d.destinationKind;
  if (destinationKind !== 'queue' && destinationKind !== 'exchange') {
    throw new Error(`bad destinationKind ${String(destinationKind)}`);
  }
  return {
    vhost: str(d, 'vhost'),
    source: str(d, 'source'),
    destination: str(d, 'destination'),
    destinationKind,
    routingKey: str(d, 'routingKey'),
    arguments: bytes(d, 'arguments'),
  };
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error('definition is not an object');
  return value as Record<string, unknown>;
}

function str(d: Record<string, unknown>, key: string): string {
  if (typeof d[key] !== 'string') throw new Error(`${key} is not a string`);
  return d[key];
}

function bool(d: Record<string, unknown>, key: string): boolean {
  if (typeof d[key] !== 'boolean') throw new Error(`${key} is not a boolean`);
  return d[key];
}

function bytes(d: Record<string, unknown>, key: string): Buffer {
  return Buffer.from(str(d, key), 'base64');
}
