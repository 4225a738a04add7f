// generated — do not edit.
// Produced by libs/broker/src/protocol/generator from amqp-rabbitmq-0.9.1.json (AMQP 0-9-1);
// regenerate with `npm run broker:generate`.
/* eslint-disable */

import { syntaxError } from '../amqp-error';
import { readTableBody, writeTable } from '../field-table';
import type { FieldTable } from '../field-value';
import { WireWriter } from '../wire-writer';

function truncated(): never {
  throw syntaxError('basic content header: properties truncated or a declared length overruns them');
}

/** Properties of a basic content header; absent ones are left out. */
export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  timestamp?: bigint;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

/** The flag bit of each property. */
export const BASIC_PROPERTY_FLAGS: { readonly [K in keyof BasicProperties]-?: number } = {
  contentType: 0x8000,
  contentEncoding: 0x4000,
  headers: 0x2000,
  deliveryMode: 0x1000,
  priority: 0x800,
  correlationId: 0x400,
  replyTo: 0x200,
  expiration: 0x100,
  messageId: 0x80,
  timestamp: 0x40,
  type: 0x20,
  userId: 0x10,
  appId: 0x8,
  clusterId: 0x4,
};

/** Decodes the flag word(s) at `start` and the properties after them. */
export function readBasicProperties($b: Buffer, start: number): BasicProperties {
  const $end = $b.length;
  let $p = start;
  let $n = 0;
  if ($p + 2 > $end) truncated();
  const $flags = $b.readUInt16BE($p);
  $p += 2;
  // further flag words announce properties this class does not define: skip them
  for (let more = $flags; (more & 1) !== 0; $p += 2) {
    if ($p + 2 > $end) truncated();
    more = $b.readUInt16BE($p);
  }
  const props: BasicProperties = {};
  if (($flags & 0x8000) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _contentType = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.contentType = _contentType;
  }
  if (($flags & 0x4000) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _contentEncoding = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.contentEncoding = _contentEncoding;
  }
  if (($flags & 0x2000) !== 0) {
    if ($p + 4 > $end) truncated();
    $n = $b.readUInt32BE($p);
    $p += 4;
    if ($n > $end - $p) truncated();
    const _headers = readTableBody($b, $p, $p + $n, 0);
    $p += $n;
    props.headers = _headers;
  }
  if (($flags & 0x1000) !== 0) {
    if ($p + 1 > $end) truncated();
    const _deliveryMode = $b[$p];
    $p += 1;
    props.deliveryMode = _deliveryMode;
  }
  if (($flags & 0x800) !== 0) {
    if ($p + 1 > $end) truncated();
    const _priority = $b[$p];
    $p += 1;
    props.priority = _priority;
  }
  if (($flags & 0x400) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _correlationId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.correlationId = _correlationId;
  }
  if (($flags & 0x200) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _replyTo = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.replyTo = _replyTo;
  }
  if (($flags & 0x100) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _expiration = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.expiration = _expiration;
  }
  if (($flags & 0x80) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _messageId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.messageId = _messageId;
  }
  if (($flags & 0x40) !== 0) {
    if ($p + 8 > $end) truncated();
    const _timestamp = $b.readBigUInt64BE($p);
    $p += 8;
    props.timestamp = _timestamp;
  }
  if (($flags & 0x20) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _type = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.type = _type;
  }
  if (($flags & 0x10) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _userId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.userId = _userId;
  }
  if (($flags & 0x8) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _appId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.appId = _appId;
  }
  if (($flags & 0x4) !== 0) {
    if ($p + 1 > $end) truncated();
    $n = $b[$p];
    $p += 1;
    if ($p + $n > $end) truncated();
    const _clusterId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
    $p += $n;
    props.clusterId = _clusterId;
  }
  void $n;
  return props;
}

/** Writes the flag word and the present properties. */
export function writeBasicProperties(w: WireWriter, a: BasicProperties): void {
  w.ensure(2);
  const at = w.pos;
  w.pos += 2;
  let flags = 0;
  if (a.contentType !== undefined) {
    flags |= 0x8000;
    w.shortstr(a.contentType, 'basic property content-type');
  }
  if (a.contentEncoding !== undefined) {
    flags |= 0x4000;
    w.shortstr(a.contentEncoding, 'basic property content-encoding');
  }
  if (a.headers !== undefined) {
    flags |= 0x2000;
    writeTable(w, a.headers);
  }
  if (a.deliveryMode !== undefined) {
    flags |= 0x1000;
    w.octet(a.deliveryMode);
  }
  if (a.priority !== undefined) {
    flags |= 0x800;
    w.octet(a.priority);
  }
  if (a.correlationId !== undefined) {
    flags |= 0x400;
    w.shortstr(a.correlationId, 'basic property correlation-id');
  }
  if (a.replyTo !== undefined) {
    flags |= 0x200;
    w.shortstr(a.replyTo, 'basic property reply-to');
  }
  if (a.expiration !== undefined) {
    flags |= 0x100;
    w.shortstr(a.expiration, 'basic property expiration');
  }
  if (a.messageId !== undefined) {
    flags |= 0x80;
    w.shortstr(a.messageId, 'basic property message-id');
  }
  if (a.timestamp !== undefined) {
    flags |= 0x40;
    w.timestamp(a.timestamp);
  }
  if (a.type !== undefined) {
    flags |= 0x20;
    w.shortstr(a.type, 'basic property type');
  }
  if (a.userId !== undefined) {
    flags |= 0x10;
    w.shortstr(a.userId, 'basic property user-id');
  }
  if (a.appId !== undefined) {
    flags |= 0x8;
    w.shortstr(a.appId, 'basic property app-id');
  }
  if (a.clusterId !== undefined) {
    flags |= 0x4;
    w.shortstr(a.clusterId, 'basic property cluster-id');
  }
  w.buf.writeUInt16BE(flags, at);
}
