// generated — do not edit.
// Produced by libs/broker/src/protocol/generator from amqp-rabbitmq-0.9.1.json (AMQP 0-9-1);
// regenerate with `npm run broker:generate`.
/* eslint-disable */

import { AmqpError, syntaxError } from '../amqp-error';
import { readTableBody, writeTable } from '../field-table';
import type { FieldTable } from '../field-value';
import { ReplyCode } from '../reply-code';
import { WireWriter } from '../wire-writer';

function truncated(method: string): never {
  throw syntaxError(`${method}: payload truncated or a declared length overruns it`);
}

/** Arguments of connection.start (10/10) as decoded. */
export interface ConnectionStartArgs {
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly serverProperties: FieldTable;
  readonly mechanisms: Buffer;
  readonly locales: Buffer;
}
/** Arguments of connection.start for encoding; fields with a spec default may be left out. */
export interface ConnectionStartInput {
  readonly versionMajor?: number;
  readonly versionMinor?: number;
  readonly serverProperties: FieldTable;
  readonly mechanisms?: Buffer | string;
  readonly locales?: Buffer | string;
}

/** Arguments of connection.start-ok (10/11) as decoded. */
export interface ConnectionStartOkArgs {
  readonly clientProperties: FieldTable;
  readonly mechanism: string;
  readonly response: Buffer;
  readonly locale: string;
}
/** Arguments of connection.start-ok for encoding; fields with a spec default may be left out. */
export interface ConnectionStartOkInput {
  readonly clientProperties: FieldTable;
  readonly mechanism?: string;
  readonly response: Buffer | string;
  readonly locale?: string;
}

/** Arguments of connection.secure (10/20) as decoded. */
export interface ConnectionSecureArgs {
  readonly challenge: Buffer;
}
/** Arguments of connection.secure for encoding; fields with a spec default may be left out. */
export interface ConnectionSecureInput {
  readonly challenge: Buffer | string;
}

/** Arguments of connection.secure-ok (10/21) as decoded. */
export interface ConnectionSecureOkArgs {
  readonly response: Buffer;
}
/** Arguments of connection.secure-ok for encoding; fields with a spec default may be left out. */
export interface ConnectionSecureOkInput {
  readonly response: Buffer | string;
}

/** Arguments of connection.tune (10/30) as decoded. */
export interface ConnectionTuneArgs {
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
}
/** Arguments of connection.tune for encoding; fields with a spec default may be left out. */
export interface ConnectionTuneInput {
  readonly channelMax?: number;
  readonly frameMax?: number;
  readonly heartbeat?: number;
}

/** Arguments of connection.tune-ok (10/31) as decoded. */
export interface ConnectionTuneOkArgs {
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
}
/** Arguments of connection.tune-ok for encoding; fields with a spec default may be left out. */
export interface ConnectionTuneOkInput {
  readonly channelMax?: number;
  readonly frameMax?: number;
  readonly heartbeat?: number;
}

/** Arguments of connection.open (10/40) as decoded. */
export interface ConnectionOpenArgs {
  readonly virtualHost: string;
  readonly capabilities: string;
  readonly insist: boolean;
}
/** Arguments of connection.open for encoding; fields with a spec default may be left out. */
export interface ConnectionOpenInput {
  readonly virtualHost?: string;
  readonly capabilities?: string;
  readonly insist?: boolean;
}

/** Arguments of connection.open-ok (10/41) as decoded. */
export interface ConnectionOpenOkArgs {
  readonly knownHosts: string;
}
/** Arguments of connection.open-ok for encoding; fields with a spec default may be left out. */
export interface ConnectionOpenOkInput {
  readonly knownHosts?: string;
}

/** Arguments of connection.close (10/50) as decoded. */
export interface ConnectionCloseArgs {
  readonly replyCode: number;
  readonly replyText: string;
  readonly classId: number;
  readonly methodId: number;
}
/** Arguments of connection.close for encoding; fields with a spec default may be left out. */
export interface ConnectionCloseInput {
  readonly replyCode: number;
  readonly replyText?: string;
  readonly classId: number;
  readonly methodId: number;
}

export type ConnectionCloseOkArgs = Record<string, never>;
export type ConnectionCloseOkInput = Record<string, never>;

/** Arguments of connection.blocked (10/60) as decoded. */
export interface ConnectionBlockedArgs {
  readonly reason: string;
}
/** Arguments of connection.blocked for encoding; fields with a spec default may be left out. */
export interface ConnectionBlockedInput {
  readonly reason?: string;
}

export type ConnectionUnblockedArgs = Record<string, never>;
export type ConnectionUnblockedInput = Record<string, never>;

/** Arguments of connection.update-secret (10/70) as decoded. */
export interface ConnectionUpdateSecretArgs {
  readonly newSecret: Buffer;
  readonly reason: string;
}
/** Arguments of connection.update-secret for encoding; fields with a spec default may be left out. */
export interface ConnectionUpdateSecretInput {
  readonly newSecret: Buffer | string;
  readonly reason: string;
}

export type ConnectionUpdateSecretOkArgs = Record<string, never>;
export type ConnectionUpdateSecretOkInput = Record<string, never>;

/** Arguments of channel.open (20/10) as decoded. */
export interface ChannelOpenArgs {
  readonly outOfBand: string;
}
/** Arguments of channel.open for encoding; fields with a spec default may be left out. */
export interface ChannelOpenInput {
  readonly outOfBand?: string;
}

/** Arguments of channel.open-ok (20/11) as decoded. */
export interface ChannelOpenOkArgs {
  readonly channelId: Buffer;
}
/** Arguments of channel.open-ok for encoding; fields with a spec default may be left out. */
export interface ChannelOpenOkInput {
  readonly channelId?: Buffer | string;
}

/** Arguments of channel.flow (20/20) as decoded. */
export interface ChannelFlowArgs {
  readonly active: boolean;
}
/** Arguments of channel.flow for encoding; fields with a spec default may be left out. */
export interface ChannelFlowInput {
  readonly active: boolean;
}

/** Arguments of channel.flow-ok (20/21) as decoded. */
export interface ChannelFlowOkArgs {
  readonly active: boolean;
}
/** Arguments of channel.flow-ok for encoding; fields with a spec default may be left out. */
export interface ChannelFlowOkInput {
  readonly active: boolean;
}

/** Arguments of channel.close (20/40) as decoded. */
export interface ChannelCloseArgs {
  readonly replyCode: number;
  readonly replyText: string;
  readonly classId: number;
  readonly methodId: number;
}
/** Arguments of channel.close for encoding; fields with a spec default may be left out. */
export interface ChannelCloseInput {
  readonly replyCode: number;
  readonly replyText?: string;
  readonly classId: number;
  readonly methodId: number;
}

export type ChannelCloseOkArgs = Record<string, never>;
export type ChannelCloseOkInput = Record<string, never>;

/** Arguments of access.request (30/10) as decoded. */
export interface AccessRequestArgs {
  readonly realm: string;
  readonly exclusive: boolean;
  readonly passive: boolean;
  readonly active: boolean;
  readonly write: boolean;
  readonly read: boolean;
}
/** Arguments of access.request for encoding; fields with a spec default may be left out. */
export interface AccessRequestInput {
  readonly realm?: string;
  readonly exclusive?: boolean;
  readonly passive?: boolean;
  readonly active?: boolean;
  readonly write?: boolean;
  readonly read?: boolean;
}

/** Arguments of access.request-ok (30/11) as decoded. */
export interface AccessRequestOkArgs {
  readonly ticket: number;
}
/** Arguments of access.request-ok for encoding; fields with a spec default may be left out. */
export interface AccessRequestOkInput {
  readonly ticket?: number;
}

/** Arguments of exchange.declare (40/10) as decoded. */
export interface ExchangeDeclareArgs {
  readonly ticket: number;
  readonly exchange: string;
  readonly type: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of exchange.declare for encoding; fields with a spec default may be left out. */
export interface ExchangeDeclareInput {
  readonly ticket?: number;
  readonly exchange: string;
  readonly type?: string;
  readonly passive?: boolean;
  readonly durable?: boolean;
  readonly autoDelete?: boolean;
  readonly internal?: boolean;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

export type ExchangeDeclareOkArgs = Record<string, never>;
export type ExchangeDeclareOkInput = Record<string, never>;

/** Arguments of exchange.delete (40/20) as decoded. */
export interface ExchangeDeleteArgs {
  readonly ticket: number;
  readonly exchange: string;
  readonly ifUnused: boolean;
  readonly nowait: boolean;
}
/** Arguments of exchange.delete for encoding; fields with a spec default may be left out. */
export interface ExchangeDeleteInput {
  readonly ticket?: number;
  readonly exchange: string;
  readonly ifUnused?: boolean;
  readonly nowait?: boolean;
}

export type ExchangeDeleteOkArgs = Record<string, never>;
export type ExchangeDeleteOkInput = Record<string, never>;

/** Arguments of exchange.bind (40/30) as decoded. */
export interface ExchangeBindArgs {
  readonly ticket: number;
  readonly destination: string;
  readonly source: string;
  readonly routingKey: string;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of exchange.bind for encoding; fields with a spec default may be left out. */
export interface ExchangeBindInput {
  readonly ticket?: number;
  readonly destination: string;
  readonly source: string;
  readonly routingKey?: string;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

export type ExchangeBindOkArgs = Record<string, never>;
export type ExchangeBindOkInput = Record<string, never>;

/** Arguments of exchange.unbind (40/40) as decoded. */
export interface ExchangeUnbindArgs {
  readonly ticket: number;
  readonly destination: string;
  readonly source: string;
  readonly routingKey: string;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of exchange.unbind for encoding; fields with a spec default may be left out. */
export interface ExchangeUnbindInput {
  readonly ticket?: number;
  readonly destination: string;
  readonly source: string;
  readonly routingKey?: string;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

export type ExchangeUnbindOkArgs = Record<string, never>;
export type ExchangeUnbindOkInput = Record<string, never>;

/** Arguments of queue.declare (50/10) as decoded. */
export interface QueueDeclareArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of queue.declare for encoding; fields with a spec default may be left out. */
export interface QueueDeclareInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly passive?: boolean;
  readonly durable?: boolean;
  readonly exclusive?: boolean;
  readonly autoDelete?: boolean;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

/** Arguments of queue.declare-ok (50/11) as decoded. */
export interface QueueDeclareOkArgs {
  readonly queue: string;
  readonly messageCount: number;
  readonly consumerCount: number;
}
/** Arguments of queue.declare-ok for encoding; fields with a spec default may be left out. */
export interface QueueDeclareOkInput {
  readonly queue: string;
  readonly messageCount: number;
  readonly consumerCount: number;
}

/** Arguments of queue.bind (50/20) as decoded. */
export interface QueueBindArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of queue.bind for encoding; fields with a spec default may be left out. */
export interface QueueBindInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly exchange: string;
  readonly routingKey?: string;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

export type QueueBindOkArgs = Record<string, never>;
export type QueueBindOkInput = Record<string, never>;

/** Arguments of queue.purge (50/30) as decoded. */
export interface QueuePurgeArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly nowait: boolean;
}
/** Arguments of queue.purge for encoding; fields with a spec default may be left out. */
export interface QueuePurgeInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly nowait?: boolean;
}

/** Arguments of queue.purge-ok (50/31) as decoded. */
export interface QueuePurgeOkArgs {
  readonly messageCount: number;
}
/** Arguments of queue.purge-ok for encoding; fields with a spec default may be left out. */
export interface QueuePurgeOkInput {
  readonly messageCount: number;
}

/** Arguments of queue.delete (50/40) as decoded. */
export interface QueueDeleteArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly ifUnused: boolean;
  readonly ifEmpty: boolean;
  readonly nowait: boolean;
}
/** Arguments of queue.delete for encoding; fields with a spec default may be left out. */
export interface QueueDeleteInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly ifUnused?: boolean;
  readonly ifEmpty?: boolean;
  readonly nowait?: boolean;
}

/** Arguments of queue.delete-ok (50/41) as decoded. */
export interface QueueDeleteOkArgs {
  readonly messageCount: number;
}
/** Arguments of queue.delete-ok for encoding; fields with a spec default may be left out. */
export interface QueueDeleteOkInput {
  readonly messageCount: number;
}

/** Arguments of queue.unbind (50/50) as decoded. */
export interface QueueUnbindArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}
/** Arguments of queue.unbind for encoding; fields with a spec default may be left out. */
export interface QueueUnbindInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly exchange: string;
  readonly routingKey?: string;
  readonly arguments?: FieldTable;
}

export type QueueUnbindOkArgs = Record<string, never>;
export type QueueUnbindOkInput = Record<string, never>;

/** Arguments of basic.qos (60/10) as decoded. */
export interface BasicQosArgs {
  readonly prefetchSize: number;
  readonly prefetchCount: number;
  readonly global: boolean;
}
/** Arguments of basic.qos for encoding; fields with a spec default may be left out. */
export interface BasicQosInput {
  readonly prefetchSize?: number;
  readonly prefetchCount?: number;
  readonly global?: boolean;
}

export type BasicQosOkArgs = Record<string, never>;
export type BasicQosOkInput = Record<string, never>;

/** Arguments of basic.consume (60/20) as decoded. */
export interface BasicConsumeArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly consumerTag: string;
  readonly noLocal: boolean;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly nowait: boolean;
  readonly arguments: FieldTable;
}
/** Arguments of basic.consume for encoding; fields with a spec default may be left out. */
export interface BasicConsumeInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly consumerTag?: string;
  readonly noLocal?: boolean;
  readonly noAck?: boolean;
  readonly exclusive?: boolean;
  readonly nowait?: boolean;
  readonly arguments?: FieldTable;
}

/** Arguments of basic.consume-ok (60/21) as decoded. */
export interface BasicConsumeOkArgs {
  readonly consumerTag: string;
}
/** Arguments of basic.consume-ok for encoding; fields with a spec default may be left out. */
export interface BasicConsumeOkInput {
  readonly consumerTag: string;
}

/** Arguments of basic.cancel (60/30) as decoded. */
export interface BasicCancelArgs {
  readonly consumerTag: string;
  readonly nowait: boolean;
}
/** Arguments of basic.cancel for encoding; fields with a spec default may be left out. */
export interface BasicCancelInput {
  readonly consumerTag: string;
  readonly nowait?: boolean;
}

/** Arguments of basic.cancel-ok (60/31) as decoded. */
export interface BasicCancelOkArgs {
  readonly consumerTag: string;
}
/** Arguments of basic.cancel-ok for encoding; fields with a spec default may be left out. */
export interface BasicCancelOkInput {
  readonly consumerTag: string;
}

/** Arguments of basic.publish (60/40) as decoded. */
export interface BasicPublishArgs {
  readonly ticket: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly mandatory: boolean;
  readonly immediate: boolean;
}
/** Arguments of basic.publish for encoding; fields with a spec default may be left out. */
export interface BasicPublishInput {
  readonly ticket?: number;
  readonly exchange?: string;
  readonly routingKey?: string;
  readonly mandatory?: boolean;
  readonly immediate?: boolean;
}

/** Arguments of basic.return (60/50) as decoded. */
export interface BasicReturnArgs {
  readonly replyCode: number;
  readonly replyText: string;
  readonly exchange: string;
  readonly routingKey: string;
}
/** Arguments of basic.return for encoding; fields with a spec default may be left out. */
export interface BasicReturnInput {
  readonly replyCode: number;
  readonly replyText?: string;
  readonly exchange: string;
  readonly routingKey: string;
}

/** Arguments of basic.deliver (60/60) as decoded. */
export interface BasicDeliverArgs {
  readonly consumerTag: string;
  readonly deliveryTag: number;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
}
/** Arguments of basic.deliver for encoding; fields with a spec default may be left out. */
export interface BasicDeliverInput {
  readonly consumerTag: string;
  readonly deliveryTag: number;
  readonly redelivered?: boolean;
  readonly exchange: string;
  readonly routingKey: string;
}

/** Arguments of basic.get (60/70) as decoded. */
export interface BasicGetArgs {
  readonly ticket: number;
  readonly queue: string;
  readonly noAck: boolean;
}
/** Arguments of basic.get for encoding; fields with a spec default may be left out. */
export interface BasicGetInput {
  readonly ticket?: number;
  readonly queue?: string;
  readonly noAck?: boolean;
}

/** Arguments of basic.get-ok (60/71) as decoded. */
export interface BasicGetOkArgs {
  readonly deliveryTag: number;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageCount: number;
}
/** Arguments of basic.get-ok for encoding; fields with a spec default may be left out. */
export interface BasicGetOkInput {
  readonly deliveryTag: number;
  readonly redelivered?: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageCount: number;
}

/** Arguments of basic.get-empty (60/72) as decoded. */
export interface BasicGetEmptyArgs {
  readonly clusterId: string;
}
/** Arguments of basic.get-empty for encoding; fields with a spec default may be left out. */
export interface BasicGetEmptyInput {
  readonly clusterId?: string;
}

/** Arguments of basic.ack (60/80) as decoded. */
export interface BasicAckArgs {
  readonly deliveryTag: number;
  readonly multiple: boolean;
}
/** Arguments of basic.ack for encoding; fields with a spec default may be left out. */
export interface BasicAckInput {
  readonly deliveryTag?: number;
  readonly multiple?: boolean;
}

/** Arguments of basic.reject (60/90) as decoded. */
export interface BasicRejectArgs {
  readonly deliveryTag: number;
  readonly requeue: boolean;
}
/** Arguments of basic.reject for encoding; fields with a spec default may be left out. */
export interface BasicRejectInput {
  readonly deliveryTag: number;
  readonly requeue?: boolean;
}

/** Arguments of basic.recover-async (60/100) as decoded. */
export interface BasicRecoverAsyncArgs {
  readonly requeue: boolean;
}
/** Arguments of basic.recover-async for encoding; fields with a spec default may be left out. */
export interface BasicRecoverAsyncInput {
  readonly requeue?: boolean;
}

/** Arguments of basic.recover (60/110) as decoded. */
export interface BasicRecoverArgs {
  readonly requeue: boolean;
}
/** Arguments of basic.recover for encoding; fields with a spec default may be left out. */
export interface BasicRecoverInput {
  readonly requeue?: boolean;
}

export type BasicRecoverOkArgs = Record<string, never>;
export type BasicRecoverOkInput = Record<string, never>;

/** Arguments of basic.nack (60/120) as decoded. */
export interface BasicNackArgs {
  readonly deliveryTag: number;
  readonly multiple: boolean;
  readonly requeue: boolean;
}
/** Arguments of basic.nack for encoding; fields with a spec default may be left out. */
export interface BasicNackInput {
  readonly deliveryTag?: number;
  readonly multiple?: boolean;
  readonly requeue?: boolean;
}

/** Arguments of confirm.select (85/10) as decoded. */
export interface ConfirmSelectArgs {
  readonly nowait: boolean;
}
/** Arguments of confirm.select for encoding; fields with a spec default may be left out. */
export interface ConfirmSelectInput {
  readonly nowait?: boolean;
}

export type ConfirmSelectOkArgs = Record<string, never>;
export type ConfirmSelectOkInput = Record<string, never>;

export type TxSelectArgs = Record<string, never>;
export type TxSelectInput = Record<string, never>;

export type TxSelectOkArgs = Record<string, never>;
export type TxSelectOkInput = Record<string, never>;

export type TxCommitArgs = Record<string, never>;
export type TxCommitInput = Record<string, never>;

export type TxCommitOkArgs = Record<string, never>;
export type TxCommitOkInput = Record<string, never>;

export type TxRollbackArgs = Record<string, never>;
export type TxRollbackInput = Record<string, never>;

export type TxRollbackOkArgs = Record<string, never>;
export type TxRollbackOkInput = Record<string, never>;

/** Decoded arguments by method name. */
export interface MethodArgs {
  'connection.start': ConnectionStartArgs;
  'connection.start-ok': ConnectionStartOkArgs;
  'connection.secure': ConnectionSecureArgs;
  'connection.secure-ok': ConnectionSecureOkArgs;
  'connection.tune': ConnectionTuneArgs;
  'connection.tune-ok': ConnectionTuneOkArgs;
  'connection.open': ConnectionOpenArgs;
  'connection.open-ok': ConnectionOpenOkArgs;
  'connection.close': ConnectionCloseArgs;
  'connection.close-ok': ConnectionCloseOkArgs;
  'connection.blocked': ConnectionBlockedArgs;
  'connection.unblocked': ConnectionUnblockedArgs;
  'connection.update-secret': ConnectionUpdateSecretArgs;
  'connection.update-secret-ok': ConnectionUpdateSecretOkArgs;
  'channel.open': ChannelOpenArgs;
  'channel.open-ok': ChannelOpenOkArgs;
  'channel.flow': ChannelFlowArgs;
  'channel.flow-ok': ChannelFlowOkArgs;
  'channel.close': ChannelCloseArgs;
  'channel.close-ok': ChannelCloseOkArgs;
  'access.request': AccessRequestArgs;
  'access.request-ok': AccessRequestOkArgs;
  'exchange.declare': ExchangeDeclareArgs;
  'exchange.declare-ok': ExchangeDeclareOkArgs;
  'exchange.delete': ExchangeDeleteArgs;
  'exchange.delete-ok': ExchangeDeleteOkArgs;
  'exchange.bind': ExchangeBindArgs;
  'exchange.bind-ok': ExchangeBindOkArgs;
  'exchange.unbind': ExchangeUnbindArgs;
  'exchange.unbind-ok': ExchangeUnbindOkArgs;
  'queue.declare': QueueDeclareArgs;
  'queue.declare-ok': QueueDeclareOkArgs;
  'queue.bind': QueueBindArgs;
  'queue.bind-ok': QueueBindOkArgs;
  'queue.purge': QueuePurgeArgs;
  'queue.purge-ok': QueuePurgeOkArgs;
  'queue.delete': QueueDeleteArgs;
  'queue.delete-ok': QueueDeleteOkArgs;
  'queue.unbind': QueueUnbindArgs;
  'queue.unbind-ok': QueueUnbindOkArgs;
  'basic.qos': BasicQosArgs;
  'basic.qos-ok': BasicQosOkArgs;
  'basic.consume': BasicConsumeArgs;
  'basic.consume-ok': BasicConsumeOkArgs;
  'basic.cancel': BasicCancelArgs;
  'basic.cancel-ok': BasicCancelOkArgs;
  'basic.publish': BasicPublishArgs;
  'basic.return': BasicReturnArgs;
  'basic.deliver': BasicDeliverArgs;
  'basic.get': BasicGetArgs;
  'basic.get-ok': BasicGetOkArgs;
  'basic.get-empty': BasicGetEmptyArgs;
  'basic.ack': BasicAckArgs;
  'basic.reject': BasicRejectArgs;
  'basic.recover-async': BasicRecoverAsyncArgs;
  'basic.recover': BasicRecoverArgs;
  'basic.recover-ok': BasicRecoverOkArgs;
  'basic.nack': BasicNackArgs;
  'confirm.select': ConfirmSelectArgs;
  'confirm.select-ok': ConfirmSelectOkArgs;
  'tx.select': TxSelectArgs;
  'tx.select-ok': TxSelectOkArgs;
  'tx.commit': TxCommitArgs;
  'tx.commit-ok': TxCommitOkArgs;
  'tx.rollback': TxRollbackArgs;
  'tx.rollback-ok': TxRollbackOkArgs;
}

/** Encoding input by method name. */
export interface MethodInput {
  'connection.start': ConnectionStartInput;
  'connection.start-ok': ConnectionStartOkInput;
  'connection.secure': ConnectionSecureInput;
  'connection.secure-ok': ConnectionSecureOkInput;
  'connection.tune': ConnectionTuneInput;
  'connection.tune-ok': ConnectionTuneOkInput;
  'connection.open': ConnectionOpenInput;
  'connection.open-ok': ConnectionOpenOkInput;
  'connection.close': ConnectionCloseInput;
  'connection.close-ok': ConnectionCloseOkInput;
  'connection.blocked': ConnectionBlockedInput;
  'connection.unblocked': ConnectionUnblockedInput;
  'connection.update-secret': ConnectionUpdateSecretInput;
  'connection.update-secret-ok': ConnectionUpdateSecretOkInput;
  'channel.open': ChannelOpenInput;
  'channel.open-ok': ChannelOpenOkInput;
  'channel.flow': ChannelFlowInput;
  'channel.flow-ok': ChannelFlowOkInput;
  'channel.close': ChannelCloseInput;
  'channel.close-ok': ChannelCloseOkInput;
  'access.request': AccessRequestInput;
  'access.request-ok': AccessRequestOkInput;
  'exchange.declare': ExchangeDeclareInput;
  'exchange.declare-ok': ExchangeDeclareOkInput;
  'exchange.delete': ExchangeDeleteInput;
  'exchange.delete-ok': ExchangeDeleteOkInput;
  'exchange.bind': ExchangeBindInput;
  'exchange.bind-ok': ExchangeBindOkInput;
  'exchange.unbind': ExchangeUnbindInput;
  'exchange.unbind-ok': ExchangeUnbindOkInput;
  'queue.declare': QueueDeclareInput;
  'queue.declare-ok': QueueDeclareOkInput;
  'queue.bind': QueueBindInput;
  'queue.bind-ok': QueueBindOkInput;
  'queue.purge': QueuePurgeInput;
  'queue.purge-ok': QueuePurgeOkInput;
  'queue.delete': QueueDeleteInput;
  'queue.delete-ok': QueueDeleteOkInput;
  'queue.unbind': QueueUnbindInput;
  'queue.unbind-ok': QueueUnbindOkInput;
  'basic.qos': BasicQosInput;
  'basic.qos-ok': BasicQosOkInput;
  'basic.consume': BasicConsumeInput;
  'basic.consume-ok': BasicConsumeOkInput;
  'basic.cancel': BasicCancelInput;
  'basic.cancel-ok': BasicCancelOkInput;
  'basic.publish': BasicPublishInput;
  'basic.return': BasicReturnInput;
  'basic.deliver': BasicDeliverInput;
  'basic.get': BasicGetInput;
  'basic.get-ok': BasicGetOkInput;
  'basic.get-empty': BasicGetEmptyInput;
  'basic.ack': BasicAckInput;
  'basic.reject': BasicRejectInput;
  'basic.recover-async': BasicRecoverAsyncInput;
  'basic.recover': BasicRecoverInput;
  'basic.recover-ok': BasicRecoverOkInput;
  'basic.nack': BasicNackInput;
  'confirm.select': ConfirmSelectInput;
  'confirm.select-ok': ConfirmSelectOkInput;
  'tx.select': TxSelectInput;
  'tx.select-ok': TxSelectOkInput;
  'tx.commit': TxCommitInput;
  'tx.commit-ok': TxCommitOkInput;
  'tx.rollback': TxRollbackInput;
  'tx.rollback-ok': TxRollbackOkInput;
}

export type MethodName = keyof MethodArgs;

/** A decoded method frame payload, discriminated on `name`. */
export type AmqpMethod =
  | { readonly name: 'connection.start'; readonly classId: 10; readonly methodId: 10; readonly args: ConnectionStartArgs }
  | { readonly name: 'connection.start-ok'; readonly classId: 10; readonly methodId: 11; readonly args: ConnectionStartOkArgs }
  | { readonly name: 'connection.secure'; readonly classId: 10; readonly methodId: 20; readonly args: ConnectionSecureArgs }
  | { readonly name: 'connection.secure-ok'; readonly classId: 10; readonly methodId: 21; readonly args: ConnectionSecureOkArgs }
  | { readonly name: 'connection.tune'; readonly classId: 10; readonly methodId: 30; readonly args: ConnectionTuneArgs }
  | { readonly name: 'connection.tune-ok'; readonly classId: 10; readonly methodId: 31; readonly args: ConnectionTuneOkArgs }
  | { readonly name: 'connection.open'; readonly classId: 10; readonly methodId: 40; readonly args: ConnectionOpenArgs }
  | { readonly name: 'connection.open-ok'; readonly classId: 10; readonly methodId: 41; readonly args: ConnectionOpenOkArgs }
  | { readonly name: 'connection.close'; readonly classId: 10; readonly methodId: 50; readonly args: ConnectionCloseArgs }
  | { readonly name: 'connection.close-ok'; readonly classId: 10; readonly methodId: 51; readonly args: ConnectionCloseOkArgs }
  | { readonly name: 'connection.blocked'; readonly classId: 10; readonly methodId: 60; readonly args: ConnectionBlockedArgs }
  | { readonly name: 'connection.unblocked'; readonly classId: 10; readonly methodId: 61; readonly args: ConnectionUnblockedArgs }
  | { readonly name: 'connection.update-secret'; readonly classId: 10; readonly methodId: 70; readonly args: ConnectionUpdateSecretArgs }
  | { readonly name: 'connection.update-secret-ok'; readonly classId: 10; readonly methodId: 71; readonly args: ConnectionUpdateSecretOkArgs }
  | { readonly name: 'channel.open'; readonly classId: 20; readonly methodId: 10; readonly args: ChannelOpenArgs }
  | { readonly name: 'channel.open-ok'; readonly classId: 20; readonly methodId: 11; readonly args: ChannelOpenOkArgs }
  | { readonly name: 'channel.flow'; readonly classId: 20; readonly methodId: 20; readonly args: ChannelFlowArgs }
  | { readonly name: 'channel.flow-ok'; readonly classId: 20; readonly methodId: 21; readonly args: ChannelFlowOkArgs }
  | { readonly name: 'channel.close'; readonly classId: 20; readonly methodId: 40; readonly args: ChannelCloseArgs }
  | { readonly name: 'channel.close-ok'; readonly classId: 20; readonly methodId: 41; readonly args: ChannelCloseOkArgs }
  | { readonly name: 'access.request'; readonly classId: 30; readonly methodId: 10; readonly args: AccessRequestArgs }
  | { readonly name: 'access.request-ok'; readonly classId: 30; readonly methodId: 11; readonly args: AccessRequestOkArgs }
  | { readonly name: 'exchange.declare'; readonly classId: 40; readonly methodId: 10; readonly args: ExchangeDeclareArgs }
  | { readonly name: 'exchange.declare-ok'; readonly classId: 40; readonly methodId: 11; readonly args: ExchangeDeclareOkArgs }
  | { readonly name: 'exchange.delete'; readonly classId: 40; readonly methodId: 20; readonly args: ExchangeDeleteArgs }
  | { readonly name: 'exchange.delete-ok'; readonly classId: 40; readonly methodId: 21; readonly args: ExchangeDeleteOkArgs }
  | { readonly name: 'exchange.bind'; readonly classId: 40; readonly methodId: 30; readonly args: ExchangeBindArgs }
  | { readonly name: 'exchange.bind-ok'; readonly classId: 40; readonly methodId: 31; readonly args: ExchangeBindOkArgs }
  | { readonly name: 'exchange.unbind'; readonly classId: 40; readonly methodId: 40; readonly args: ExchangeUnbindArgs }
  | { readonly name: 'exchange.unbind-ok'; readonly classId: 40; readonly methodId: 51; readonly args: ExchangeUnbindOkArgs }
  | { readonly name: 'queue.declare'; readonly classId: 50; readonly methodId: 10; readonly args: QueueDeclareArgs }
  | { readonly name: 'queue.declare-ok'; readonly classId: 50; readonly methodId: 11; readonly args: QueueDeclareOkArgs }
  | { readonly name: 'queue.bind'; readonly classId: 50; readonly methodId: 20; readonly args: QueueBindArgs }
  | { readonly name: 'queue.bind-ok'; readonly classId: 50; readonly methodId: 21; readonly args: QueueBindOkArgs }
  | { readonly name: 'queue.purge'; readonly classId: 50; readonly methodId: 30; readonly args: QueuePurgeArgs }
  | { readonly name: 'queue.purge-ok'; readonly classId: 50; readonly methodId: 31; readonly args: QueuePurgeOkArgs }
  | { readonly name: 'queue.delete'; readonly classId: 50; readonly methodId: 40; readonly args: QueueDeleteArgs }
  | { readonly name: 'queue.delete-ok'; readonly classId: 50; readonly methodId: 41; readonly args: QueueDeleteOkArgs }
  | { readonly name: 'queue.unbind'; readonly classId: 50; readonly methodId: 50; readonly args: QueueUnbindArgs }
  | { readonly name: 'queue.unbind-ok'; readonly classId: 50; readonly methodId: 51; readonly args: QueueUnbindOkArgs }
  | { readonly name: 'basic.qos'; readonly classId: 60; readonly methodId: 10; readonly args: BasicQosArgs }
  | { readonly name: 'basic.qos-ok'; readonly classId: 60; readonly methodId: 11; readonly args: BasicQosOkArgs }
  | { readonly name: 'basic.consume'; readonly classId: 60; readonly methodId: 20; readonly args: BasicConsumeArgs }
  | { readonly name: 'basic.consume-ok'; readonly classId: 60; readonly methodId: 21; readonly args: BasicConsumeOkArgs }
  | { readonly name: 'basic.cancel'; readonly classId: 60; readonly methodId: 30; readonly args: BasicCancelArgs }
  | { readonly name: 'basic.cancel-ok'; readonly classId: 60; readonly methodId: 31; readonly args: BasicCancelOkArgs }
  | { readonly name: 'basic.publish'; readonly classId: 60; readonly methodId: 40; readonly args: BasicPublishArgs }
  | { readonly name: 'basic.return'; readonly classId: 60; readonly methodId: 50; readonly args: BasicReturnArgs }
  | { readonly name: 'basic.deliver'; readonly classId: 60; readonly methodId: 60; readonly args: BasicDeliverArgs }
  | { readonly name: 'basic.get'; readonly classId: 60; readonly methodId: 70; readonly args: BasicGetArgs }
  | { readonly name: 'basic.get-ok'; readonly classId: 60; readonly methodId: 71; readonly args: BasicGetOkArgs }
  | { readonly name: 'basic.get-empty'; readonly classId: 60; readonly methodId: 72; readonly args: BasicGetEmptyArgs }
  | { readonly name: 'basic.ack'; readonly classId: 60; readonly methodId: 80; readonly args: BasicAckArgs }
  | { readonly name: 'basic.reject'; readonly classId: 60; readonly methodId: 90; readonly args: BasicRejectArgs }
  | { readonly name: 'basic.recover-async'; readonly classId: 60; readonly methodId: 100; readonly args: BasicRecoverAsyncArgs }
  | { readonly name: 'basic.recover'; readonly classId: 60; readonly methodId: 110; readonly args: BasicRecoverArgs }
  | { readonly name: 'basic.recover-ok'; readonly classId: 60; readonly methodId: 111; readonly args: BasicRecoverOkArgs }
  | { readonly name: 'basic.nack'; readonly classId: 60; readonly methodId: 120; readonly args: BasicNackArgs }
  | { readonly name: 'confirm.select'; readonly classId: 85; readonly methodId: 10; readonly args: ConfirmSelectArgs }
  | { readonly name: 'confirm.select-ok'; readonly classId: 85; readonly methodId: 11; readonly args: ConfirmSelectOkArgs }
  | { readonly name: 'tx.select'; readonly classId: 90; readonly methodId: 10; readonly args: TxSelectArgs }
  | { readonly name: 'tx.select-ok'; readonly classId: 90; readonly methodId: 11; readonly args: TxSelectOkArgs }
  | { readonly name: 'tx.commit'; readonly classId: 90; readonly methodId: 20; readonly args: TxCommitArgs }
  | { readonly name: 'tx.commit-ok'; readonly classId: 90; readonly methodId: 21; readonly args: TxCommitOkArgs }
  | { readonly name: 'tx.rollback'; readonly classId: 90; readonly methodId: 30; readonly args: TxRollbackArgs }
  | { readonly name: 'tx.rollback-ok'; readonly classId: 90; readonly methodId: 31; readonly args: TxRollbackOkArgs }
;

/** Static facts about a method from the spec. */
export interface MethodInfo {
  readonly name: MethodName;
  readonly classId: number;
  readonly methodId: number;
  /** the spec marks it synchronous (it expects a reply method) */
  readonly synchronous: boolean;
  /** a content header and body frames follow it */
  readonly hasContent: boolean;
  readonly fields: readonly { readonly name: string; readonly wireName: string; readonly type: 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp' }[];
}

export const METHODS: { readonly [N in MethodName]: MethodInfo } = {
  'connection.start': { name: 'connection.start', classId: 10, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'versionMajor', wireName: 'version-major', type: 'octet' }, { name: 'versionMinor', wireName: 'version-minor', type: 'octet' }, { name: 'serverProperties', wireName: 'server-properties', type: 'table' }, { name: 'mechanisms', wireName: 'mechanisms', type: 'longstr' }, { name: 'locales', wireName: 'locales', type: 'longstr' }] },
  'connection.start-ok': { name: 'connection.start-ok', classId: 10, methodId: 11, synchronous: false, hasContent: false, fields: [{ name: 'clientProperties', wireName: 'client-properties', type: 'table' }, { name: 'mechanism', wireName: 'mechanism', type: 'shortstr' }, { name: 'response', wireName: 'response', type: 'longstr' }, { name: 'locale', wireName: 'locale', type: 'shortstr' }] },
  'connection.secure': { name: 'connection.secure', classId: 10, methodId: 20, synchronous: true, hasContent: false, fields: [{ name: 'challenge', wireName: 'challenge', type: 'longstr' }] },
  'connection.secure-ok': { name: 'connection.secure-ok', classId: 10, methodId: 21, synchronous: false, hasContent: false, fields: [{ name: 'response', wireName: 'response', type: 'longstr' }] },
  'connection.tune': { name: 'connection.tune', classId: 10, methodId: 30, synchronous: true, hasContent: false, fields: [{ name: 'channelMax', wireName: 'channel-max', type: 'short' }, { name: 'frameMax', wireName: 'frame-max', type: 'long' }, { name: 'heartbeat', wireName: 'heartbeat', type: 'short' }] },
  'connection.tune-ok': { name: 'connection.tune-ok', classId: 10, methodId: 31, synchronous: false, hasContent: false, fields: [{ name: 'channelMax', wireName: 'channel-max', type: 'short' }, { name: 'frameMax', wireName: 'frame-max', type: 'long' }, { name: 'heartbeat', wireName: 'heartbeat', type: 'short' }] },
  'connection.open': { name: 'connection.open', classId: 10, methodId: 40, synchronous: true, hasContent: false, fields: [{ name: 'virtualHost', wireName: 'virtual-host', type: 'shortstr' }, { name: 'capabilities', wireName: 'capabilities', type: 'shortstr' }, { name: 'insist', wireName: 'insist', type: 'bit' }] },
  'connection.open-ok': { name: 'connection.open-ok', classId: 10, methodId: 41, synchronous: false, hasContent: false, fields: [{ name: 'knownHosts', wireName: 'known-hosts', type: 'shortstr' }] },
  'connection.close': { name: 'connection.close', classId: 10, methodId: 50, synchronous: true, hasContent: false, fields: [{ name: 'replyCode', wireName: 'reply-code', type: 'short' }, { name: 'replyText', wireName: 'reply-text', type: 'shortstr' }, { name: 'classId', wireName: 'class-id', type: 'short' }, { name: 'methodId', wireName: 'method-id', type: 'short' }] },
  'connection.close-ok': { name: 'connection.close-ok', classId: 10, methodId: 51, synchronous: false, hasContent: false, fields: [] },
  'connection.blocked': { name: 'connection.blocked', classId: 10, methodId: 60, synchronous: false, hasContent: false, fields: [{ name: 'reason', wireName: 'reason', type: 'shortstr' }] },
  'connection.unblocked': { name: 'connection.unblocked', classId: 10, methodId: 61, synchronous: false, hasContent: false, fields: [] },
  'connection.update-secret': { name: 'connection.update-secret', classId: 10, methodId: 70, synchronous: true, hasContent: false, fields: [{ name: 'newSecret', wireName: 'new-secret', type: 'longstr' }, { name: 'reason', wireName: 'reason', type: 'shortstr' }] },
  'connection.update-secret-ok': { name: 'connection.update-secret-ok', classId: 10, methodId: 71, synchronous: false, hasContent: false, fields: [] },
  'channel.open': { name: 'channel.open', classId: 20, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'outOfBand', wireName: 'out-of-band', type: 'shortstr' }] },
  'channel.open-ok': { name: 'channel.open-ok', classId: 20, methodId: 11, synchronous: false, hasContent: false, fields: [{ name: 'channelId', wireName: 'channel-id', type: 'longstr' }] },
  'channel.flow': { name: 'channel.flow', classId: 20, methodId: 20, synchronous: true, hasContent: false, fields: [{ name: 'active', wireName: 'active', type: 'bit' }] },
  'channel.flow-ok': { name: 'channel.flow-ok', classId: 20, methodId: 21, synchronous: false, hasContent: false, fields: [{ name: 'active', wireName: 'active', type: 'bit' }] },
  'channel.close': { name: 'channel.close', classId: 20, methodId: 40, synchronous: true, hasContent: false, fields: [{ name: 'replyCode', wireName: 'reply-code', type: 'short' }, { name: 'replyText', wireName: 'reply-text', type: 'shortstr' }, { name: 'classId', wireName: 'class-id', type: 'short' }, { name: 'methodId', wireName: 'method-id', type: 'short' }] },
  'channel.close-ok': { name: 'channel.close-ok', classId: 20, methodId: 41, synchronous: false, hasContent: false, fields: [] },
  'access.request': { name: 'access.request', classId: 30, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'realm', wireName: 'realm', type: 'shortstr' }, { name: 'exclusive', wireName: 'exclusive', type: 'bit' }, { name: 'passive', wireName: 'passive', type: 'bit' }, { name: 'active', wireName: 'active', type: 'bit' }, { name: 'write', wireName: 'write', type: 'bit' }, { name: 'read', wireName: 'read', type: 'bit' }] },
  'access.request-ok': { name: 'access.request-ok', classId: 30, methodId: 11, synchronous: false, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }] },
  'exchange.declare': { name: 'exchange.declare', classId: 40, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'type', wireName: 'type', type: 'shortstr' }, { name: 'passive', wireName: 'passive', type: 'bit' }, { name: 'durable', wireName: 'durable', type: 'bit' }, { name: 'autoDelete', wireName: 'auto-delete', type: 'bit' }, { name: 'internal', wireName: 'internal', type: 'bit' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'exchange.declare-ok': { name: 'exchange.declare-ok', classId: 40, methodId: 11, synchronous: false, hasContent: false, fields: [] },
  'exchange.delete': { name: 'exchange.delete', classId: 40, methodId: 20, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'ifUnused', wireName: 'if-unused', type: 'bit' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }] },
  'exchange.delete-ok': { name: 'exchange.delete-ok', classId: 40, methodId: 21, synchronous: false, hasContent: false, fields: [] },
  'exchange.bind': { name: 'exchange.bind', classId: 40, methodId: 30, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'destination', wireName: 'destination', type: 'shortstr' }, { name: 'source', wireName: 'source', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'exchange.bind-ok': { name: 'exchange.bind-ok', classId: 40, methodId: 31, synchronous: false, hasContent: false, fields: [] },
  'exchange.unbind': { name: 'exchange.unbind', classId: 40, methodId: 40, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'destination', wireName: 'destination', type: 'shortstr' }, { name: 'source', wireName: 'source', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'exchange.unbind-ok': { name: 'exchange.unbind-ok', classId: 40, methodId: 51, synchronous: false, hasContent: false, fields: [] },
  'queue.declare': { name: 'queue.declare', classId: 50, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'passive', wireName: 'passive', type: 'bit' }, { name: 'durable', wireName: 'durable', type: 'bit' }, { name: 'exclusive', wireName: 'exclusive', type: 'bit' }, { name: 'autoDelete', wireName: 'auto-delete', type: 'bit' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'queue.declare-ok': { name: 'queue.declare-ok', classId: 50, methodId: 11, synchronous: false, hasContent: false, fields: [{ name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'messageCount', wireName: 'message-count', type: 'long' }, { name: 'consumerCount', wireName: 'consumer-count', type: 'long' }] },
  'queue.bind': { name: 'queue.bind', classId: 50, methodId: 20, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'queue.bind-ok': { name: 'queue.bind-ok', classId: 50, methodId: 21, synchronous: false, hasContent: false, fields: [] },
  'queue.purge': { name: 'queue.purge', classId: 50, methodId: 30, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }] },
  'queue.purge-ok': { name: 'queue.purge-ok', classId: 50, methodId: 31, synchronous: false, hasContent: false, fields: [{ name: 'messageCount', wireName: 'message-count', type: 'long' }] },
  'queue.delete': { name: 'queue.delete', classId: 50, methodId: 40, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'ifUnused', wireName: 'if-unused', type: 'bit' }, { name: 'ifEmpty', wireName: 'if-empty', type: 'bit' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }] },
  'queue.delete-ok': { name: 'queue.delete-ok', classId: 50, methodId: 41, synchronous: false, hasContent: false, fields: [{ name: 'messageCount', wireName: 'message-count', type: 'long' }] },
  'queue.unbind': { name: 'queue.unbind', classId: 50, methodId: 50, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'queue.unbind-ok': { name: 'queue.unbind-ok', classId: 50, methodId: 51, synchronous: false, hasContent: false, fields: [] },
  'basic.qos': { name: 'basic.qos', classId: 60, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'prefetchSize', wireName: 'prefetch-size', type: 'long' }, { name: 'prefetchCount', wireName: 'prefetch-count', type: 'short' }, { name: 'global', wireName: 'global', type: 'bit' }] },
  'basic.qos-ok': { name: 'basic.qos-ok', classId: 60, methodId: 11, synchronous: false, hasContent: false, fields: [] },
  'basic.consume': { name: 'basic.consume', classId: 60, methodId: 20, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'consumerTag', wireName: 'consumer-tag', type: 'shortstr' }, { name: 'noLocal', wireName: 'no-local', type: 'bit' }, { name: 'noAck', wireName: 'no-ack', type: 'bit' }, { name: 'exclusive', wireName: 'exclusive', type: 'bit' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }, { name: 'arguments', wireName: 'arguments', type: 'table' }] },
  'basic.consume-ok': { name: 'basic.consume-ok', classId: 60, methodId: 21, synchronous: false, hasContent: false, fields: [{ name: 'consumerTag', wireName: 'consumer-tag', type: 'shortstr' }] },
  'basic.cancel': { name: 'basic.cancel', classId: 60, methodId: 30, synchronous: true, hasContent: false, fields: [{ name: 'consumerTag', wireName: 'consumer-tag', type: 'shortstr' }, { name: 'nowait', wireName: 'nowait', type: 'bit' }] },
  'basic.cancel-ok': { name: 'basic.cancel-ok', classId: 60, methodId: 31, synchronous: false, hasContent: false, fields: [{ name: 'consumerTag', wireName: 'consumer-tag', type: 'shortstr' }] },
  'basic.publish': { name: 'basic.publish', classId: 60, methodId: 40, synchronous: false, hasContent: true, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'mandatory', wireName: 'mandatory', type: 'bit' }, { name: 'immediate', wireName: 'immediate', type: 'bit' }] },
  'basic.return': { name: 'basic.return', classId: 60, methodId: 50, synchronous: false, hasContent: true, fields: [{ name: 'replyCode', wireName: 'reply-code', type: 'short' }, { name: 'replyText', wireName: 'reply-text', type: 'shortstr' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }] },
  'basic.deliver': { name: 'basic.deliver', classId: 60, methodId: 60, synchronous: false, hasContent: true, fields: [{ name: 'consumerTag', wireName: 'consumer-tag', type: 'shortstr' }, { name: 'deliveryTag', wireName: 'delivery-tag', type: 'longlong' }, { name: 'redelivered', wireName: 'redelivered', type: 'bit' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }] },
  'basic.get': { name: 'basic.get', classId: 60, methodId: 70, synchronous: true, hasContent: false, fields: [{ name: 'ticket', wireName: 'ticket', type: 'short' }, { name: 'queue', wireName: 'queue', type: 'shortstr' }, { name: 'noAck', wireName: 'no-ack', type: 'bit' }] },
  'basic.get-ok': { name: 'basic.get-ok', classId: 60, methodId: 71, synchronous: false, hasContent: true, fields: [{ name: 'deliveryTag', wireName: 'delivery-tag', type: 'longlong' }, { name: 'redelivered', wireName: 'redelivered', type: 'bit' }, { name: 'exchange', wireName: 'exchange', type: 'shortstr' }, { name: 'routingKey', wireName: 'routing-key', type: 'shortstr' }, { name: 'messageCount', wireName: 'message-count', type: 'long' }] },
  'basic.get-empty': { name: 'basic.get-empty', classId: 60, methodId: 72, synchronous: false, hasContent: false, fields: [{ name: 'clusterId', wireName: 'cluster-id', type: 'shortstr' }] },
  'basic.ack': { name: 'basic.ack', classId: 60, methodId: 80, synchronous: false, hasContent: false, fields: [{ name: 'deliveryTag', wireName: 'delivery-tag', type: 'longlong' }, { name: 'multiple', wireName: 'multiple', type: 'bit' }] },
  'basic.reject': { name: 'basic.reject', classId: 60, methodId: 90, synchronous: false, hasContent: false, fields: [{ name: 'deliveryTag', wireName: 'delivery-tag', type: 'longlong' }, { name: 'requeue', wireName: 'requeue', type: 'bit' }] },
  'basic.recover-async': { name: 'basic.recover-async', classId: 60, methodId: 100, synchronous: false, hasContent: false, fields: [{ name: 'requeue', wireName: 'requeue', type: 'bit' }] },
  'basic.recover': { name: 'basic.recover', classId: 60, methodId: 110, synchronous: true, hasContent: false, fields: [{ name: 'requeue', wireName: 'requeue', type: 'bit' }] },
  'basic.recover-ok': { name: 'basic.recover-ok', classId: 60, methodId: 111, synchronous: false, hasContent: false, fields: [] },
  'basic.nack': { name: 'basic.nack', classId: 60, methodId: 120, synchronous: false, hasContent: false, fields: [{ name: 'deliveryTag', wireName: 'delivery-tag', type: 'longlong' }, { name: 'multiple', wireName: 'multiple', type: 'bit' }, { name: 'requeue', wireName: 'requeue', type: 'bit' }] },
  'confirm.select': { name: 'confirm.select', classId: 85, methodId: 10, synchronous: true, hasContent: false, fields: [{ name: 'nowait', wireName: 'nowait', type: 'bit' }] },
  'confirm.select-ok': { name: 'confirm.select-ok', classId: 85, methodId: 11, synchronous: false, hasContent: false, fields: [] },
  'tx.select': { name: 'tx.select', classId: 90, methodId: 10, synchronous: true, hasContent: false, fields: [] },
  'tx.select-ok': { name: 'tx.select-ok', classId: 90, methodId: 11, synchronous: false, hasContent: false, fields: [] },
  'tx.commit': { name: 'tx.commit', classId: 90, methodId: 20, synchronous: true, hasContent: false, fields: [] },
  'tx.commit-ok': { name: 'tx.commit-ok', classId: 90, methodId: 21, synchronous: false, hasContent: false, fields: [] },
  'tx.rollback': { name: 'tx.rollback', classId: 90, methodId: 30, synchronous: true, hasContent: false, fields: [] },
  'tx.rollback-ok': { name: 'tx.rollback-ok', classId: 90, methodId: 31, synchronous: false, hasContent: false, fields: [] },
};

/** The method with these ids, or undefined. */
export function methodInfo(classId: number, methodId: number): MethodInfo | undefined {
  return METHOD_BY_ID.get(classId * 0x10000 + methodId);
}

const METHOD_BY_ID = new Map<number, MethodInfo>(
  Object.values(METHODS).map((m) => [m.classId * 0x10000 + m.methodId, m]),
);

/** Class ids the spec defines (an unknown class is a different error from an unknown method). */
export const CLASS_IDS: ReadonlySet<number> = new Set([10, 20, 30, 40, 50, 60, 85, 90]);

function decodeConnectionStart($b: Buffer): ConnectionStartArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 6 > $end) truncated('connection.start');
  const _versionMajor = $b[$p];
  $p += 1;
  const _versionMinor = $b[$p];
  $p += 1;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.start');
  const _serverProperties = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p + 4 > $end) truncated('connection.start');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.start');
  const _mechanisms = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p + 4 > $end) truncated('connection.start');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.start');
  const _locales = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.start: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { versionMajor: _versionMajor, versionMinor: _versionMinor, serverProperties: _serverProperties, mechanisms: _mechanisms, locales: _locales };
}

function decodeConnectionStartOk($b: Buffer): ConnectionStartOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('connection.start-ok');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.start-ok');
  const _clientProperties = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p + 1 > $end) truncated('connection.start-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.start-ok');
  const _mechanism = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 4 > $end) truncated('connection.start-ok');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.start-ok');
  const _response = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p + 1 > $end) truncated('connection.start-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.start-ok');
  const _locale = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.start-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { clientProperties: _clientProperties, mechanism: _mechanism, response: _response, locale: _locale };
}

function decodeConnectionSecure($b: Buffer): ConnectionSecureArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('connection.secure');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.secure');
  const _challenge = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.secure: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { challenge: _challenge };
}

function decodeConnectionSecureOk($b: Buffer): ConnectionSecureOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('connection.secure-ok');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.secure-ok');
  const _response = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.secure-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { response: _response };
}

function decodeConnectionTune($b: Buffer): ConnectionTuneArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 8 > $end) truncated('connection.tune');
  const _channelMax = $b.readUInt16BE($p);
  $p += 2;
  const _frameMax = $b.readUInt32BE($p);
  $p += 4;
  const _heartbeat = $b.readUInt16BE($p);
  $p += 2;
  if ($p !== $end) throw syntaxError('connection.tune: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { channelMax: _channelMax, frameMax: _frameMax, heartbeat: _heartbeat };
}

function decodeConnectionTuneOk($b: Buffer): ConnectionTuneOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 8 > $end) truncated('connection.tune-ok');
  const _channelMax = $b.readUInt16BE($p);
  $p += 2;
  const _frameMax = $b.readUInt32BE($p);
  $p += 4;
  const _heartbeat = $b.readUInt16BE($p);
  $p += 2;
  if ($p !== $end) throw syntaxError('connection.tune-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { channelMax: _channelMax, frameMax: _frameMax, heartbeat: _heartbeat };
}

function decodeConnectionOpen($b: Buffer): ConnectionOpenArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('connection.open');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.open');
  const _virtualHost = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('connection.open');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.open');
  const _capabilities = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('connection.open');
  $n = $b[$p];
  $p += 1;
  const _insist = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('connection.open: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { virtualHost: _virtualHost, capabilities: _capabilities, insist: _insist };
}

function decodeConnectionOpenOk($b: Buffer): ConnectionOpenOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('connection.open-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.open-ok');
  const _knownHosts = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.open-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { knownHosts: _knownHosts };
}

function decodeConnectionClose($b: Buffer): ConnectionCloseArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('connection.close');
  const _replyCode = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.close');
  const _replyText = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 4 > $end) truncated('connection.close');
  const _classId = $b.readUInt16BE($p);
  $p += 2;
  const _methodId = $b.readUInt16BE($p);
  $p += 2;
  if ($p !== $end) throw syntaxError('connection.close: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { replyCode: _replyCode, replyText: _replyText, classId: _classId, methodId: _methodId };
}

function decodeConnectionBlocked($b: Buffer): ConnectionBlockedArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('connection.blocked');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.blocked');
  const _reason = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.blocked: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { reason: _reason };
}

function decodeConnectionUpdateSecret($b: Buffer): ConnectionUpdateSecretArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('connection.update-secret');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('connection.update-secret');
  const _newSecret = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p + 1 > $end) truncated('connection.update-secret');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('connection.update-secret');
  const _reason = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('connection.update-secret: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { newSecret: _newSecret, reason: _reason };
}

function decodeChannelOpen($b: Buffer): ChannelOpenArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('channel.open');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('channel.open');
  const _outOfBand = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('channel.open: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { outOfBand: _outOfBand };
}

function decodeChannelOpenOk($b: Buffer): ChannelOpenOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('channel.open-ok');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('channel.open-ok');
  const _channelId = Buffer.from($b.subarray($p, $p + $n));
  $p += $n;
  if ($p !== $end) throw syntaxError('channel.open-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { channelId: _channelId };
}

function decodeChannelFlow($b: Buffer): ChannelFlowArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('channel.flow');
  $n = $b[$p];
  $p += 1;
  const _active = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('channel.flow: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { active: _active };
}

function decodeChannelFlowOk($b: Buffer): ChannelFlowOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('channel.flow-ok');
  $n = $b[$p];
  $p += 1;
  const _active = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('channel.flow-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { active: _active };
}

function decodeChannelClose($b: Buffer): ChannelCloseArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('channel.close');
  const _replyCode = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('channel.close');
  const _replyText = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 4 > $end) truncated('channel.close');
  const _classId = $b.readUInt16BE($p);
  $p += 2;
  const _methodId = $b.readUInt16BE($p);
  $p += 2;
  if ($p !== $end) throw syntaxError('channel.close: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { replyCode: _replyCode, replyText: _replyText, classId: _classId, methodId: _methodId };
}

function decodeAccessRequest($b: Buffer): AccessRequestArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('access.request');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('access.request');
  const _realm = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('access.request');
  $n = $b[$p];
  $p += 1;
  const _exclusive = ($n & 1) !== 0;
  const _passive = ($n & 2) !== 0;
  const _active = ($n & 4) !== 0;
  const _write = ($n & 8) !== 0;
  const _read = ($n & 16) !== 0;
  if ($p !== $end) throw syntaxError('access.request: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { realm: _realm, exclusive: _exclusive, passive: _passive, active: _active, write: _write, read: _read };
}

function decodeAccessRequestOk($b: Buffer): AccessRequestOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 2 > $end) truncated('access.request-ok');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  if ($p !== $end) throw syntaxError('access.request-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket };
}

function decodeExchangeDeclare($b: Buffer): ExchangeDeclareArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('exchange.declare');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.declare');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.declare');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.declare');
  const _type = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('exchange.declare');
  $n = $b[$p];
  $p += 1;
  const _passive = ($n & 1) !== 0;
  const _durable = ($n & 2) !== 0;
  const _autoDelete = ($n & 4) !== 0;
  const _internal = ($n & 8) !== 0;
  const _nowait = ($n & 16) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('exchange.declare');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('exchange.declare: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, exchange: _exchange, type: _type, passive: _passive, durable: _durable, autoDelete: _autoDelete, internal: _internal, nowait: _nowait, arguments: _arguments };
}

function decodeExchangeDelete($b: Buffer): ExchangeDeleteArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('exchange.delete');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.delete');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.delete');
  $n = $b[$p];
  $p += 1;
  const _ifUnused = ($n & 1) !== 0;
  const _nowait = ($n & 2) !== 0;
  if ($p !== $end) throw syntaxError('exchange.delete: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, exchange: _exchange, ifUnused: _ifUnused, nowait: _nowait };
}

function decodeExchangeBind($b: Buffer): ExchangeBindArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('exchange.bind');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.bind');
  const _destination = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.bind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.bind');
  const _source = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.bind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.bind');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('exchange.bind');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('exchange.bind');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('exchange.bind: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, destination: _destination, source: _source, routingKey: _routingKey, nowait: _nowait, arguments: _arguments };
}

function decodeExchangeUnbind($b: Buffer): ExchangeUnbindArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('exchange.unbind');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.unbind');
  const _destination = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.unbind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.unbind');
  const _source = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('exchange.unbind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('exchange.unbind');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('exchange.unbind');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('exchange.unbind');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('exchange.unbind: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, destination: _destination, source: _source, routingKey: _routingKey, nowait: _nowait, arguments: _arguments };
}

function decodeQueueDeclare($b: Buffer): QueueDeclareArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('queue.declare');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.declare');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('queue.declare');
  $n = $b[$p];
  $p += 1;
  const _passive = ($n & 1) !== 0;
  const _durable = ($n & 2) !== 0;
  const _exclusive = ($n & 4) !== 0;
  const _autoDelete = ($n & 8) !== 0;
  const _nowait = ($n & 16) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('queue.declare');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('queue.declare: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, passive: _passive, durable: _durable, exclusive: _exclusive, autoDelete: _autoDelete, nowait: _nowait, arguments: _arguments };
}

function decodeQueueDeclareOk($b: Buffer): QueueDeclareOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('queue.declare-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.declare-ok');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 8 > $end) truncated('queue.declare-ok');
  const _messageCount = $b.readUInt32BE($p);
  $p += 4;
  const _consumerCount = $b.readUInt32BE($p);
  $p += 4;
  if ($p !== $end) throw syntaxError('queue.declare-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { queue: _queue, messageCount: _messageCount, consumerCount: _consumerCount };
}

function decodeQueueBind($b: Buffer): QueueBindArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('queue.bind');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.bind');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.bind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.bind');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.bind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.bind');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('queue.bind');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('queue.bind');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('queue.bind: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, exchange: _exchange, routingKey: _routingKey, nowait: _nowait, arguments: _arguments };
}

function decodeQueuePurge($b: Buffer): QueuePurgeArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('queue.purge');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.purge');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.purge');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('queue.purge: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, nowait: _nowait };
}

function decodeQueuePurgeOk($b: Buffer): QueuePurgeOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('queue.purge-ok');
  const _messageCount = $b.readUInt32BE($p);
  $p += 4;
  if ($p !== $end) throw syntaxError('queue.purge-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { messageCount: _messageCount };
}

function decodeQueueDelete($b: Buffer): QueueDeleteArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('queue.delete');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.delete');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.delete');
  $n = $b[$p];
  $p += 1;
  const _ifUnused = ($n & 1) !== 0;
  const _ifEmpty = ($n & 2) !== 0;
  const _nowait = ($n & 4) !== 0;
  if ($p !== $end) throw syntaxError('queue.delete: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, ifUnused: _ifUnused, ifEmpty: _ifEmpty, nowait: _nowait };
}

function decodeQueueDeleteOk($b: Buffer): QueueDeleteOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 4 > $end) truncated('queue.delete-ok');
  const _messageCount = $b.readUInt32BE($p);
  $p += 4;
  if ($p !== $end) throw syntaxError('queue.delete-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { messageCount: _messageCount };
}

function decodeQueueUnbind($b: Buffer): QueueUnbindArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('queue.unbind');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.unbind');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.unbind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.unbind');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('queue.unbind');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('queue.unbind');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 4 > $end) truncated('queue.unbind');
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('queue.unbind');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('queue.unbind: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, exchange: _exchange, routingKey: _routingKey, arguments: _arguments };
}

function decodeBasicQos($b: Buffer): BasicQosArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 7 > $end) truncated('basic.qos');
  const _prefetchSize = $b.readUInt32BE($p);
  $p += 4;
  const _prefetchCount = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  const _global = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.qos: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { prefetchSize: _prefetchSize, prefetchCount: _prefetchCount, global: _global };
}

function decodeBasicConsume($b: Buffer): BasicConsumeArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('basic.consume');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.consume');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.consume');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.consume');
  const _consumerTag = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 5 > $end) truncated('basic.consume');
  $n = $b[$p];
  $p += 1;
  const _noLocal = ($n & 1) !== 0;
  const _noAck = ($n & 2) !== 0;
  const _exclusive = ($n & 4) !== 0;
  const _nowait = ($n & 8) !== 0;
  $n = $b.readUInt32BE($p);
  $p += 4;
  if ($n > $end - $p) truncated('basic.consume');
  const _arguments = readTableBody($b, $p, $p + $n, 0);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.consume: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, consumerTag: _consumerTag, noLocal: _noLocal, noAck: _noAck, exclusive: _exclusive, nowait: _nowait, arguments: _arguments };
}

function decodeBasicConsumeOk($b: Buffer): BasicConsumeOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.consume-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.consume-ok');
  const _consumerTag = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.consume-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { consumerTag: _consumerTag };
}

function decodeBasicCancel($b: Buffer): BasicCancelArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.cancel');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.cancel');
  const _consumerTag = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.cancel');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.cancel: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { consumerTag: _consumerTag, nowait: _nowait };
}

function decodeBasicCancelOk($b: Buffer): BasicCancelOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.cancel-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.cancel-ok');
  const _consumerTag = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.cancel-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { consumerTag: _consumerTag };
}

function decodeBasicPublish($b: Buffer): BasicPublishArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('basic.publish');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.publish');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.publish');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.publish');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.publish');
  $n = $b[$p];
  $p += 1;
  const _mandatory = ($n & 1) !== 0;
  const _immediate = ($n & 2) !== 0;
  if ($p !== $end) throw syntaxError('basic.publish: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, exchange: _exchange, routingKey: _routingKey, mandatory: _mandatory, immediate: _immediate };
}

function decodeBasicReturn($b: Buffer): BasicReturnArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('basic.return');
  const _replyCode = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.return');
  const _replyText = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.return');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.return');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.return');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.return');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.return: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { replyCode: _replyCode, replyText: _replyText, exchange: _exchange, routingKey: _routingKey };
}

function decodeBasicDeliver($b: Buffer): BasicDeliverArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.deliver');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.deliver');
  const _consumerTag = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 10 > $end) truncated('basic.deliver');
  const _deliveryTag = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);
  $p += 8;
  $n = $b[$p];
  $p += 1;
  const _redelivered = ($n & 1) !== 0;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.deliver');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.deliver');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.deliver');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.deliver: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { consumerTag: _consumerTag, deliveryTag: _deliveryTag, redelivered: _redelivered, exchange: _exchange, routingKey: _routingKey };
}

function decodeBasicGet($b: Buffer): BasicGetArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 3 > $end) truncated('basic.get');
  const _ticket = $b.readUInt16BE($p);
  $p += 2;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.get');
  const _queue = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.get');
  $n = $b[$p];
  $p += 1;
  const _noAck = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.get: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { ticket: _ticket, queue: _queue, noAck: _noAck };
}

function decodeBasicGetOk($b: Buffer): BasicGetOkArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 10 > $end) truncated('basic.get-ok');
  const _deliveryTag = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);
  $p += 8;
  $n = $b[$p];
  $p += 1;
  const _redelivered = ($n & 1) !== 0;
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.get-ok');
  const _exchange = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 1 > $end) truncated('basic.get-ok');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.get-ok');
  const _routingKey = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p + 4 > $end) truncated('basic.get-ok');
  const _messageCount = $b.readUInt32BE($p);
  $p += 4;
  if ($p !== $end) throw syntaxError('basic.get-ok: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { deliveryTag: _deliveryTag, redelivered: _redelivered, exchange: _exchange, routingKey: _routingKey, messageCount: _messageCount };
}

function decodeBasicGetEmpty($b: Buffer): BasicGetEmptyArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.get-empty');
  $n = $b[$p];
  $p += 1;
  if ($p + $n > $end) truncated('basic.get-empty');
  const _clusterId = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);
  $p += $n;
  if ($p !== $end) throw syntaxError('basic.get-empty: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { clusterId: _clusterId };
}

function decodeBasicAck($b: Buffer): BasicAckArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 9 > $end) truncated('basic.ack');
  const _deliveryTag = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);
  $p += 8;
  $n = $b[$p];
  $p += 1;
  const _multiple = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.ack: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { deliveryTag: _deliveryTag, multiple: _multiple };
}

function decodeBasicReject($b: Buffer): BasicRejectArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 9 > $end) truncated('basic.reject');
  const _deliveryTag = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);
  $p += 8;
  $n = $b[$p];
  $p += 1;
  const _requeue = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.reject: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { deliveryTag: _deliveryTag, requeue: _requeue };
}

function decodeBasicRecoverAsync($b: Buffer): BasicRecoverAsyncArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.recover-async');
  $n = $b[$p];
  $p += 1;
  const _requeue = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.recover-async: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { requeue: _requeue };
}

function decodeBasicRecover($b: Buffer): BasicRecoverArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('basic.recover');
  $n = $b[$p];
  $p += 1;
  const _requeue = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('basic.recover: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { requeue: _requeue };
}

function decodeBasicNack($b: Buffer): BasicNackArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 9 > $end) truncated('basic.nack');
  const _deliveryTag = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);
  $p += 8;
  $n = $b[$p];
  $p += 1;
  const _multiple = ($n & 1) !== 0;
  const _requeue = ($n & 2) !== 0;
  if ($p !== $end) throw syntaxError('basic.nack: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { deliveryTag: _deliveryTag, multiple: _multiple, requeue: _requeue };
}

function decodeConfirmSelect($b: Buffer): ConfirmSelectArgs {
  const $end = $b.length;
  let $p = 4;
  let $n = 0;
  if ($p + 1 > $end) truncated('confirm.select');
  $n = $b[$p];
  $p += 1;
  const _nowait = ($n & 1) !== 0;
  if ($p !== $end) throw syntaxError('confirm.select: ' + ($end - $p) + ' unexpected bytes after the last field');
  return { nowait: _nowait };
}

/**
 * Decodes a method frame payload (class id, method id, arguments).
 * Arguments that cannot be decoded (truncated, overrunning lengths, a bad field
 * table, bytes left over) throw AmqpError 501 naming the method, as RabbitMQ
 * answers them ("FRAME_ERROR - cannot decode"); an unknown class or method
 * throws 540 (RabbitMQ 3.10 drops the TCP connection without a close there).
 */
export function decodeMethod(payload: Buffer): AmqpMethod {
  if (payload.length < 4) throw new AmqpError(ReplyCode.FrameError, 'method frame shorter than its class and method ids');
  const classId = payload.readUInt16BE(0);
  const methodId = payload.readUInt16BE(2);
  try {
    switch (classId * 0x10000 + methodId) {
      case 655370:
        return { name: 'connection.start', classId: 10, methodId: 10, args: decodeConnectionStart(payload) };
      case 655371:
        return { name: 'connection.start-ok', classId: 10, methodId: 11, args: decodeConnectionStartOk(payload) };
      case 655380:
        return { name: 'connection.secure', classId: 10, methodId: 20, args: decodeConnectionSecure(payload) };
      case 655381:
        return { name: 'connection.secure-ok', classId: 10, methodId: 21, args: decodeConnectionSecureOk(payload) };
      case 655390:
        return { name: 'connection.tune', classId: 10, methodId: 30, args: decodeConnectionTune(payload) };
      case 655391:
        return { name: 'connection.tune-ok', classId: 10, methodId: 31, args: decodeConnectionTuneOk(payload) };
      case 655400:
        return { name: 'connection.open', classId: 10, methodId: 40, args: decodeConnectionOpen(payload) };
      case 655401:
        return { name: 'connection.open-ok', classId: 10, methodId: 41, args: decodeConnectionOpenOk(payload) };
      case 655410:
        return { name: 'connection.close', classId: 10, methodId: 50, args: decodeConnectionClose(payload) };
      case 655411:
        return { name: 'connection.close-ok', classId: 10, methodId: 51, args: noArgs(payload, 'connection.close-ok') };
      case 655420:
        return { name: 'connection.blocked', classId: 10, methodId: 60, args: decodeConnectionBlocked(payload) };
      case 655421:
        return { name: 'connection.unblocked', classId: 10, methodId: 61, args: noArgs(payload, 'connection.unblocked') };
      case 655430:
        return { name: 'connection.update-secret', classId: 10, methodId: 70, args: decodeConnectionUpdateSecret(payload) };
      case 655431:
        return { name: 'connection.update-secret-ok', classId: 10, methodId: 71, args: noArgs(payload, 'connection.update-secret-ok') };
      case 1310730:
        return { name: 'channel.open', classId: 20, methodId: 10, args: decodeChannelOpen(payload) };
      case 1310731:
        return { name: 'channel.open-ok', classId: 20, methodId: 11, args: decodeChannelOpenOk(payload) };
      case 1310740:
        return { name: 'channel.flow', classId: 20, methodId: 20, args: decodeChannelFlow(payload) };
      case 1310741:
        return { name: 'channel.flow-ok', classId: 20, methodId: 21, args: decodeChannelFlowOk(payload) };
      case 1310760:
        return { name: 'channel.close', classId: 20, methodId: 40, args: decodeChannelClose(payload) };
      case 1310761:
        return { name: 'channel.close-ok', classId: 20, methodId: 41, args: noArgs(payload, 'channel.close-ok') };
      case 1966090:
        return { name: 'access.request', classId: 30, methodId: 10, args: decodeAccessRequest(payload) };
      case 1966091:
        return { name: 'access.request-ok', classId: 30, methodId: 11, args: decodeAccessRequestOk(payload) };
      case 2621450:
        return { name: 'exchange.declare', classId: 40, methodId: 10, args: decodeExchangeDeclare(payload) };
      case 2621451:
        return { name: 'exchange.declare-ok', classId: 40, methodId: 11, args: noArgs(payload, 'exchange.declare-ok') };
      case 2621460:
        return { name: 'exchange.delete', classId: 40, methodId: 20, args: decodeExchangeDelete(payload) };
      case 2621461:
        return { name: 'exchange.delete-ok', classId: 40, methodId: 21, args: noArgs(payload, 'exchange.delete-ok') };
      case 2621470:
        return { name: 'exchange.bind', classId: 40, methodId: 30, args: decodeExchangeBind(payload) };
      case 2621471:
        return { name: 'exchange.bind-ok', classId: 40, methodId: 31, args: noArgs(payload, 'exchange.bind-ok') };
      case 2621480:
        return { name: 'exchange.unbind', classId: 40, methodId: 40, args: decodeExchangeUnbind(payload) };
      case 2621491:
        return { name: 'exchange.unbind-ok', classId: 40, methodId: 51, args: noArgs(payload, 'exchange.unbind-ok') };
      case 3276810:
        return { name: 'queue.declare', classId: 50, methodId: 10, args: decodeQueueDeclare(payload) };
      case 3276811:
        return { name: 'queue.declare-ok', classId: 50, methodId: 11, args: decodeQueueDeclareOk(payload) };
      case 3276820:
        return { name: 'queue.bind', classId: 50, methodId: 20, args: decodeQueueBind(payload) };
      case 3276821:
        return { name: 'queue.bind-ok', classId: 50, methodId: 21, args: noArgs(payload, 'queue.bind-ok') };
      case 3276830:
        return { name: 'queue.purge', classId: 50, methodId: 30, args: decodeQueuePurge(payload) };
      case 3276831:
        return { name: 'queue.purge-ok', classId: 50, methodId: 31, args: decodeQueuePurgeOk(payload) };
      case 3276840:
        return { name: 'queue.delete', classId: 50, methodId: 40, args: decodeQueueDelete(payload) };
      case 3276841:
        return { name: 'queue.delete-ok', classId: 50, methodId: 41, args: decodeQueueDeleteOk(payload) };
      case 3276850:
        return { name: 'queue.unbind', classId: 50, methodId: 50, args: decodeQueueUnbind(payload) };
      case 3276851:
        return { name: 'queue.unbind-ok', classId: 50, methodId: 51, args: noArgs(payload, 'queue.unbind-ok') };
      case 3932170:
        return { name: 'basic.qos', classId: 60, methodId: 10, args: decodeBasicQos(payload) };
      case 3932171:
        return { name: 'basic.qos-ok', classId: 60, methodId: 11, args: noArgs(payload, 'basic.qos-ok') };
      case 3932180:
        return { name: 'basic.consume', classId: 60, methodId: 20, args: decodeBasicConsume(payload) };
      case 3932181:
        return { name: 'basic.consume-ok', classId: 60, methodId: 21, args: decodeBasicConsumeOk(payload) };
      case 3932190:
        return { name: 'basic.cancel', classId: 60, methodId: 30, args: decodeBasicCancel(payload) };
      case 3932191:
        return { name: 'basic.cancel-ok', classId: 60, methodId: 31, args: decodeBasicCancelOk(payload) };
      case 3932200:
        return { name: 'basic.publish', classId: 60, methodId: 40, args: decodeBasicPublish(payload) };
      case 3932210:
        return { name: 'basic.return', classId: 60, methodId: 50, args: decodeBasicReturn(payload) };
      case 3932220:
        return { name: 'basic.deliver', classId: 60, methodId: 60, args: decodeBasicDeliver(payload) };
      case 3932230:
        return { name: 'basic.get', classId: 60, methodId: 70, args: decodeBasicGet(payload) };
      case 3932231:
        return { name: 'basic.get-ok', classId: 60, methodId: 71, args: decodeBasicGetOk(payload) };
      case 3932232:
        return { name: 'basic.get-empty', classId: 60, methodId: 72, args: decodeBasicGetEmpty(payload) };
      case 3932240:
        return { name: 'basic.ack', classId: 60, methodId: 80, args: decodeBasicAck(payload) };
      case 3932250:
        return { name: 'basic.reject', classId: 60, methodId: 90, args: decodeBasicReject(payload) };
      case 3932260:
        return { name: 'basic.recover-async', classId: 60, methodId: 100, args: decodeBasicRecoverAsync(payload) };
      case 3932270:
        return { name: 'basic.recover', classId: 60, methodId: 110, args: decodeBasicRecover(payload) };
      case 3932271:
        return { name: 'basic.recover-ok', classId: 60, methodId: 111, args: noArgs(payload, 'basic.recover-ok') };
      case 3932280:
        return { name: 'basic.nack', classId: 60, methodId: 120, args: decodeBasicNack(payload) };
      case 5570570:
        return { name: 'confirm.select', classId: 85, methodId: 10, args: decodeConfirmSelect(payload) };
      case 5570571:
        return { name: 'confirm.select-ok', classId: 85, methodId: 11, args: noArgs(payload, 'confirm.select-ok') };
      case 5898250:
        return { name: 'tx.select', classId: 90, methodId: 10, args: noArgs(payload, 'tx.select') };
      case 5898251:
        return { name: 'tx.select-ok', classId: 90, methodId: 11, args: noArgs(payload, 'tx.select-ok') };
      case 5898260:
        return { name: 'tx.commit', classId: 90, methodId: 20, args: noArgs(payload, 'tx.commit') };
      case 5898261:
        return { name: 'tx.commit-ok', classId: 90, methodId: 21, args: noArgs(payload, 'tx.commit-ok') };
      case 5898270:
        return { name: 'tx.rollback', classId: 90, methodId: 30, args: noArgs(payload, 'tx.rollback') };
      case 5898271:
        return { name: 'tx.rollback-ok', classId: 90, methodId: 31, args: noArgs(payload, 'tx.rollback-ok') };
      default:
        throw unknownMethod(classId, methodId);
    }
  } catch (error) {
    if (error instanceof AmqpError && error.code === ReplyCode.SyntaxError) {
      throw new AmqpError(ReplyCode.FrameError, `cannot decode ${error.message}`, classId, methodId);
    }
    throw error;
  }
}

function noArgs(payload: Buffer, method: string): Record<string, never> {
  if (payload.length !== 4) throw syntaxError(method + ': ' + (payload.length - 4) + ' unexpected bytes after the method id');
  return NO_ARGS;
}

const NO_ARGS: Record<string, never> = Object.freeze({}) as Record<string, never>;

function unknownMethod(classId: number, methodId: number): AmqpError {
  const what = CLASS_IDS.has(classId) ? `unknown method ${methodId} of class ${classId}` : `unknown class ${classId}`;
  return new AmqpError(ReplyCode.NotImplemented, what, classId, methodId);
}

function writeConnectionStart(w: WireWriter, a: ConnectionStartInput): void {
  w.octet((a.versionMajor ?? 0));
  w.octet((a.versionMinor ?? 9));
  writeTable(w, a.serverProperties);
  w.longstr((a.mechanisms ?? "PLAIN"));
  w.longstr((a.locales ?? "en_US"));
}

function writeConnectionStartOk(w: WireWriter, a: ConnectionStartOkInput): void {
  writeTable(w, a.clientProperties);
  w.shortstr((a.mechanism ?? "PLAIN"), 'connection.start-ok mechanism');
  w.longstr(a.response);
  w.shortstr((a.locale ?? "en_US"), 'connection.start-ok locale');
}

function writeConnectionSecure(w: WireWriter, a: ConnectionSecureInput): void {
  w.longstr(a.challenge);
}

function writeConnectionSecureOk(w: WireWriter, a: ConnectionSecureOkInput): void {
  w.longstr(a.response);
}

function writeConnectionTune(w: WireWriter, a: ConnectionTuneInput): void {
  w.short((a.channelMax ?? 0));
  w.long((a.frameMax ?? 0));
  w.short((a.heartbeat ?? 0));
}

function writeConnectionTuneOk(w: WireWriter, a: ConnectionTuneOkInput): void {
  w.short((a.channelMax ?? 0));
  w.long((a.frameMax ?? 0));
  w.short((a.heartbeat ?? 0));
}

function writeConnectionOpen(w: WireWriter, a: ConnectionOpenInput): void {
  w.shortstr((a.virtualHost ?? "/"), 'connection.open virtual-host');
  w.shortstr((a.capabilities ?? ""), 'connection.open capabilities');
  w.octet(((a.insist ?? false) ? 1 : 0));
}

function writeConnectionOpenOk(w: WireWriter, a: ConnectionOpenOkInput): void {
  w.shortstr((a.knownHosts ?? ""), 'connection.open-ok known-hosts');
}

function writeConnectionClose(w: WireWriter, a: ConnectionCloseInput): void {
  w.short(a.replyCode);
  w.shortstr((a.replyText ?? ""), 'connection.close reply-text');
  w.short(a.classId);
  w.short(a.methodId);
}

function writeConnectionCloseOk(w: WireWriter, _a: ConnectionCloseOkInput): void {

}

function writeConnectionBlocked(w: WireWriter, a: ConnectionBlockedInput): void {
  w.shortstr((a.reason ?? ""), 'connection.blocked reason');
}

function writeConnectionUnblocked(w: WireWriter, _a: ConnectionUnblockedInput): void {

}

function writeConnectionUpdateSecret(w: WireWriter, a: ConnectionUpdateSecretInput): void {
  w.longstr(a.newSecret);
  w.shortstr(a.reason, 'connection.update-secret reason');
}

function writeConnectionUpdateSecretOk(w: WireWriter, _a: ConnectionUpdateSecretOkInput): void {

}

function writeChannelOpen(w: WireWriter, a: ChannelOpenInput): void {
  w.shortstr((a.outOfBand ?? ""), 'channel.open out-of-band');
}

function writeChannelOpenOk(w: WireWriter, a: ChannelOpenOkInput): void {
  w.longstr((a.channelId ?? ""));
}

function writeChannelFlow(w: WireWriter, a: ChannelFlowInput): void {
  w.octet((a.active ? 1 : 0));
}

function writeChannelFlowOk(w: WireWriter, a: ChannelFlowOkInput): void {
  w.octet((a.active ? 1 : 0));
}

function writeChannelClose(w: WireWriter, a: ChannelCloseInput): void {
  w.short(a.replyCode);
  w.shortstr((a.replyText ?? ""), 'channel.close reply-text');
  w.short(a.classId);
  w.short(a.methodId);
}

function writeChannelCloseOk(w: WireWriter, _a: ChannelCloseOkInput): void {

}

function writeAccessRequest(w: WireWriter, a: AccessRequestInput): void {
  w.shortstr((a.realm ?? "/data"), 'access.request realm');
  w.octet(((a.exclusive ?? false) ? 1 : 0) | ((a.passive ?? true) ? 2 : 0) | ((a.active ?? true) ? 4 : 0) | ((a.write ?? true) ? 8 : 0) | ((a.read ?? true) ? 16 : 0));
}

function writeAccessRequestOk(w: WireWriter, a: AccessRequestOkInput): void {
  w.short((a.ticket ?? 1));
}

function writeExchangeDeclare(w: WireWriter, a: ExchangeDeclareInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr(a.exchange, 'exchange.declare exchange');
  w.shortstr((a.type ?? "direct"), 'exchange.declare type');
  w.octet(((a.passive ?? false) ? 1 : 0) | ((a.durable ?? false) ? 2 : 0) | ((a.autoDelete ?? false) ? 4 : 0) | ((a.internal ?? false) ? 8 : 0) | ((a.nowait ?? false) ? 16 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeExchangeDeclareOk(w: WireWriter, _a: ExchangeDeclareOkInput): void {

}

function writeExchangeDelete(w: WireWriter, a: ExchangeDeleteInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr(a.exchange, 'exchange.delete exchange');
  w.octet(((a.ifUnused ?? false) ? 1 : 0) | ((a.nowait ?? false) ? 2 : 0));
}

function writeExchangeDeleteOk(w: WireWriter, _a: ExchangeDeleteOkInput): void {

}

function writeExchangeBind(w: WireWriter, a: ExchangeBindInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr(a.destination, 'exchange.bind destination');
  w.shortstr(a.source, 'exchange.bind source');
  w.shortstr((a.routingKey ?? ""), 'exchange.bind routing-key');
  w.octet(((a.nowait ?? false) ? 1 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeExchangeBindOk(w: WireWriter, _a: ExchangeBindOkInput): void {

}

function writeExchangeUnbind(w: WireWriter, a: ExchangeUnbindInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr(a.destination, 'exchange.unbind destination');
  w.shortstr(a.source, 'exchange.unbind source');
  w.shortstr((a.routingKey ?? ""), 'exchange.unbind routing-key');
  w.octet(((a.nowait ?? false) ? 1 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeExchangeUnbindOk(w: WireWriter, _a: ExchangeUnbindOkInput): void {

}

function writeQueueDeclare(w: WireWriter, a: QueueDeclareInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'queue.declare queue');
  w.octet(((a.passive ?? false) ? 1 : 0) | ((a.durable ?? false) ? 2 : 0) | ((a.exclusive ?? false) ? 4 : 0) | ((a.autoDelete ?? false) ? 8 : 0) | ((a.nowait ?? false) ? 16 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeQueueDeclareOk(w: WireWriter, a: QueueDeclareOkInput): void {
  w.shortstr(a.queue, 'queue.declare-ok queue');
  w.long(a.messageCount);
  w.long(a.consumerCount);
}

function writeQueueBind(w: WireWriter, a: QueueBindInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'queue.bind queue');
  w.shortstr(a.exchange, 'queue.bind exchange');
  w.shortstr((a.routingKey ?? ""), 'queue.bind routing-key');
  w.octet(((a.nowait ?? false) ? 1 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeQueueBindOk(w: WireWriter, _a: QueueBindOkInput): void {

}

function writeQueuePurge(w: WireWriter, a: QueuePurgeInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'queue.purge queue');
  w.octet(((a.nowait ?? false) ? 1 : 0));
}

function writeQueuePurgeOk(w: WireWriter, a: QueuePurgeOkInput): void {
  w.long(a.messageCount);
}

function writeQueueDelete(w: WireWriter, a: QueueDeleteInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'queue.delete queue');
  w.octet(((a.ifUnused ?? false) ? 1 : 0) | ((a.ifEmpty ?? false) ? 2 : 0) | ((a.nowait ?? false) ? 4 : 0));
}

function writeQueueDeleteOk(w: WireWriter, a: QueueDeleteOkInput): void {
  w.long(a.messageCount);
}

function writeQueueUnbind(w: WireWriter, a: QueueUnbindInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'queue.unbind queue');
  w.shortstr(a.exchange, 'queue.unbind exchange');
  w.shortstr((a.routingKey ?? ""), 'queue.unbind routing-key');
  writeTable(w, (a.arguments ?? {}));
}

function writeQueueUnbindOk(w: WireWriter, _a: QueueUnbindOkInput): void {

}

function writeBasicQos(w: WireWriter, a: BasicQosInput): void {
  w.long((a.prefetchSize ?? 0));
  w.short((a.prefetchCount ?? 0));
  w.octet(((a.global ?? false) ? 1 : 0));
}

function writeBasicQosOk(w: WireWriter, _a: BasicQosOkInput): void {

}

function writeBasicConsume(w: WireWriter, a: BasicConsumeInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'basic.consume queue');
  w.shortstr((a.consumerTag ?? ""), 'basic.consume consumer-tag');
  w.octet(((a.noLocal ?? false) ? 1 : 0) | ((a.noAck ?? false) ? 2 : 0) | ((a.exclusive ?? false) ? 4 : 0) | ((a.nowait ?? false) ? 8 : 0));
  writeTable(w, (a.arguments ?? {}));
}

function writeBasicConsumeOk(w: WireWriter, a: BasicConsumeOkInput): void {
  w.shortstr(a.consumerTag, 'basic.consume-ok consumer-tag');
}

function writeBasicCancel(w: WireWriter, a: BasicCancelInput): void {
  w.shortstr(a.consumerTag, 'basic.cancel consumer-tag');
  w.octet(((a.nowait ?? false) ? 1 : 0));
}

function writeBasicCancelOk(w: WireWriter, a: BasicCancelOkInput): void {
  w.shortstr(a.consumerTag, 'basic.cancel-ok consumer-tag');
}

function writeBasicPublish(w: WireWriter, a: BasicPublishInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.exchange ?? ""), 'basic.publish exchange');
  w.shortstr((a.routingKey ?? ""), 'basic.publish routing-key');
  w.octet(((a.mandatory ?? false) ? 1 : 0) | ((a.immediate ?? false) ? 2 : 0));
}

function writeBasicReturn(w: WireWriter, a: BasicReturnInput): void {
  w.short(a.replyCode);
  w.shortstr((a.replyText ?? ""), 'basic.return reply-text');
  w.shortstr(a.exchange, 'basic.return exchange');
  w.shortstr(a.routingKey, 'basic.return routing-key');
}

function writeBasicDeliver(w: WireWriter, a: BasicDeliverInput): void {
  w.shortstr(a.consumerTag, 'basic.deliver consumer-tag');
  w.longlong(a.deliveryTag);
  w.octet(((a.redelivered ?? false) ? 1 : 0));
  w.shortstr(a.exchange, 'basic.deliver exchange');
  w.shortstr(a.routingKey, 'basic.deliver routing-key');
}

function writeBasicGet(w: WireWriter, a: BasicGetInput): void {
  w.short((a.ticket ?? 0));
  w.shortstr((a.queue ?? ""), 'basic.get queue');
  w.octet(((a.noAck ?? false) ? 1 : 0));
}

function writeBasicGetOk(w: WireWriter, a: BasicGetOkInput): void {
  w.longlong(a.deliveryTag);
  w.octet(((a.redelivered ?? false) ? 1 : 0));
  w.shortstr(a.exchange, 'basic.get-ok exchange');
  w.shortstr(a.routingKey, 'basic.get-ok routing-key');
  w.long(a.messageCount);
}

function writeBasicGetEmpty(w: WireWriter, a: BasicGetEmptyInput): void {
  w.shortstr((a.clusterId ?? ""), 'basic.get-empty cluster-id');
}

function writeBasicAck(w: WireWriter, a: BasicAckInput): void {
  w.longlong((a.deliveryTag ?? 0));
  w.octet(((a.multiple ?? false) ? 1 : 0));
}

function writeBasicReject(w: WireWriter, a: BasicRejectInput): void {
  w.longlong(a.deliveryTag);
  w.octet(((a.requeue ?? true) ? 1 : 0));
}

function writeBasicRecoverAsync(w: WireWriter, a: BasicRecoverAsyncInput): void {
  w.octet(((a.requeue ?? false) ? 1 : 0));
}

function writeBasicRecover(w: WireWriter, a: BasicRecoverInput): void {
  w.octet(((a.requeue ?? false) ? 1 : 0));
}

function writeBasicRecoverOk(w: WireWriter, _a: BasicRecoverOkInput): void {

}

function writeBasicNack(w: WireWriter, a: BasicNackInput): void {
  w.longlong((a.deliveryTag ?? 0));
  w.octet(((a.multiple ?? false) ? 1 : 0) | ((a.requeue ?? true) ? 2 : 0));
}

function writeConfirmSelect(w: WireWriter, a: ConfirmSelectInput): void {
  w.octet(((a.nowait ?? false) ? 1 : 0));
}

function writeConfirmSelectOk(w: WireWriter, _a: ConfirmSelectOkInput): void {

}

function writeTxSelect(w: WireWriter, _a: TxSelectInput): void {

}

function writeTxSelectOk(w: WireWriter, _a: TxSelectOkInput): void {

}

function writeTxCommit(w: WireWriter, _a: TxCommitInput): void {

}

function writeTxCommitOk(w: WireWriter, _a: TxCommitOkInput): void {

}

function writeTxRollback(w: WireWriter, _a: TxRollbackInput): void {

}

function writeTxRollbackOk(w: WireWriter, _a: TxRollbackOkInput): void {

}

type Writer<N extends MethodName> = (w: WireWriter, args: MethodInput[N]) => void;

const WRITERS: { readonly [N in MethodName]: Writer<N> } = {
  'connection.start': writeConnectionStart,
  'connection.start-ok': writeConnectionStartOk,
  'connection.secure': writeConnectionSecure,
  'connection.secure-ok': writeConnectionSecureOk,
  'connection.tune': writeConnectionTune,
  'connection.tune-ok': writeConnectionTuneOk,
  'connection.open': writeConnectionOpen,
  'connection.open-ok': writeConnectionOpenOk,
  'connection.close': writeConnectionClose,
  'connection.close-ok': writeConnectionCloseOk,
  'connection.blocked': writeConnectionBlocked,
  'connection.unblocked': writeConnectionUnblocked,
  'connection.update-secret': writeConnectionUpdateSecret,
  'connection.update-secret-ok': writeConnectionUpdateSecretOk,
  'channel.open': writeChannelOpen,
  'channel.open-ok': writeChannelOpenOk,
  'channel.flow': writeChannelFlow,
  'channel.flow-ok': writeChannelFlowOk,
  'channel.close': writeChannelClose,
  'channel.close-ok': writeChannelCloseOk,
  'access.request': writeAccessRequest,
  'access.request-ok': writeAccessRequestOk,
  'exchange.declare': writeExchangeDeclare,
  'exchange.declare-ok': writeExchangeDeclareOk,
  'exchange.delete': writeExchangeDelete,
  'exchange.delete-ok': writeExchangeDeleteOk,
  'exchange.bind': writeExchangeBind,
  'exchange.bind-ok': writeExchangeBindOk,
  'exchange.unbind': writeExchangeUnbind,
  'exchange.unbind-ok': writeExchangeUnbindOk,
  'queue.declare': writeQueueDeclare,
  'queue.declare-ok': writeQueueDeclareOk,
  'queue.bind': writeQueueBind,
  'queue.bind-ok': writeQueueBindOk,
  'queue.purge': writeQueuePurge,
  'queue.purge-ok': writeQueuePurgeOk,
  'queue.delete': writeQueueDelete,
  'queue.delete-ok': writeQueueDeleteOk,
  'queue.unbind': writeQueueUnbind,
  'queue.unbind-ok': writeQueueUnbindOk,
  'basic.qos': writeBasicQos,
  'basic.qos-ok': writeBasicQosOk,
  'basic.consume': writeBasicConsume,
  'basic.consume-ok': writeBasicConsumeOk,
  'basic.cancel': writeBasicCancel,
  'basic.cancel-ok': writeBasicCancelOk,
  'basic.publish': writeBasicPublish,
  'basic.return': writeBasicReturn,
  'basic.deliver': writeBasicDeliver,
  'basic.get': writeBasicGet,
  'basic.get-ok': writeBasicGetOk,
  'basic.get-empty': writeBasicGetEmpty,
  'basic.ack': writeBasicAck,
  'basic.reject': writeBasicReject,
  'basic.recover-async': writeBasicRecoverAsync,
  'basic.recover': writeBasicRecover,
  'basic.recover-ok': writeBasicRecoverOk,
  'basic.nack': writeBasicNack,
  'confirm.select': writeConfirmSelect,
  'confirm.select-ok': writeConfirmSelectOk,
  'tx.select': writeTxSelect,
  'tx.select-ok': writeTxSelectOk,
  'tx.commit': writeTxCommit,
  'tx.commit-ok': writeTxCommitOk,
  'tx.rollback': writeTxRollback,
  'tx.rollback-ok': writeTxRollbackOk,
};

/** Appends a whole method frame (header, class and method ids, arguments, frame end) to `w`. */
export function writeMethodFrame<N extends MethodName>(w: WireWriter, channel: number, name: N, args: MethodInput[N]): void {
  const info = METHODS[name] as MethodInfo | undefined;
  if (info === undefined) throw new TypeError(`unknown AMQP method "${String(name)}"`);
  const start = w.beginFrame(1, channel);
  w.short(info.classId);
  w.short(info.methodId);
  (WRITERS[name] as Writer<N>)(w, args);
  w.endFrame(start);
}
