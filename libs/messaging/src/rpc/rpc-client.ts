import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import {
  WaitTimeoutError,
  errorText,
  type ConnectionHook,
  type ConnectionManager,
} from '../connection/connection-manager';
import {
  ConnectionLostError,
  RpcRemoteError,
  RpcTimeoutError,
  UnroutableMessageError,
} from '../errors';
import type { RequestOptions } from '../interfaces/rpc-options.interface';
import { buildMessage } from '../publishing/message-builder';
import { newMessageId } from '../publishing/message-id';
import { DIRECT_REPLY_TO, type RpcReply } from './rpc-reply';

interface PendingRequest {
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageId: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Request/reply over RabbitMQ direct reply-to: one channel consumes
 * amq.rabbitmq.reply-to (no-ack, as the broker requires) and sends every
 * request, so replies need no queue of their own. Requests are mandatory, so
 * one that no queue takes fails at once instead of timing out.
 */
export class RpcClient implements ConnectionHook {
  readonly name = 'rpc client';
  readonly order = 15;
  private readonly logger = new Logger('Surety.Rpc');
  private channel: Channel | undefined;
  private ready: Promise<Channel> | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private closed = false;

  constructor(private readonly connections: ConnectionManager) {
    connections.addHook(this);
  }

  /** Opened lazily on the first request, and again after a reconnect. */
  async onConnected(connection: ChannelModel): Promise<void> {
    if (this.ready || this.channel) {
      this.channel = undefined;
      this.ready = this.open(connection);
      await this.ready.catch(() => undefined);
    }
  }

  async request<T = unknown>(
    exchange: string,
    routingKey: string,
    payload: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const timeout = options.timeout ?? 5_000;
    const deadline = Date.now() + timeout;
    const channel = await this.channelWithin(timeout, exchange, routingKey);
    const correlationId = options.correlationId ?? newMessageId();
    const message = buildMessage(exchange, routingKey, payload, {
      type: options.type,
      headers: options.headers,
      correlationId,
      replyTo: DIRECT_REPLY_TO,
      persistent: false,
    });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(correlationId);
          reject(new RpcTimeoutError(exchange, routingKey, timeout));
        },
        Math.max(1, deadline - Date.now()),
      );
      this.pending.set(correlationId, {
        exchange,
        routingKey,
        messageId: message.properties.messageId,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      try {
        channel.publish(exchange, routingKey, message.content, message.properties);
      } catch (error) {
        this.settle(correlationId, new ConnectionLostError(undefined, errorText(error)));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll('RPC client closed');
    await this.channel?.close().catch(() => undefined);
  }

  private async channelWithin(
    timeout: number,
    exchange: string,
    routingKey: string,
  ): Promise<Channel> {
    if (this.channel) return this.channel;
    if (this.closed) throw new ConnectionLostError(undefined, 'RPC client closed');
    try {
      const connection = await this.connections.waitForConnection(timeout);
      this.ready ??= this.open(connection);
      return await this.ready;
    } catch (error) {
      this.ready = undefined;
      if (error instanceof WaitTimeoutError)
        throw new RpcTimeoutError(exchange, routingKey, timeout);
      throw error;
    }
  }

  private async open(connection: ChannelModel): Promise<Channel> {
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) => this.logger.warn(`RPC channel error: ${error.message}`));
    channel.on('return', (message: Message) => this.onReturn(message));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      // Replies to requests sent on this channel can never arrive now.
      this.failAll('connection lost while waiting for the reply');
    });
    await channel.consume(DIRECT_REPLY_TO, (message) => message && this.onReply(message), {
      noAck: true,
    });
    this.channel = channel;
    return channel;
  }

  private onReply(message: ConsumeMessage): void {
    const correlationId = message.properties.correlationId as string | undefined;
    const pending = correlationId ? this.pending.get(correlationId) : undefined;
    if (!pending || !correlationId) return; // late reply after a timeout
    let reply: RpcReply;
    try {
      reply = JSON.parse(message.content.toString('utf8')) as RpcReply;
    } catch {
      return this.settle(
        correlationId,
        new RpcRemoteError('InvalidReply', 'reply is not JSON', pending.routingKey),
      );
    }
    if (reply.ok) this.settle(correlationId, undefined, reply.result);
    else
      this.settle(
        correlationId,
        new RpcRemoteError(reply.error.name, reply.error.message, pending.routingKey),
      );
  }

  private onReturn(message: Message): void {
    const correlationId = message.properties.correlationId as string | undefined;
    const pending = correlationId ? this.pending.get(correlationId) : undefined;
    if (!pending || !correlationId) return;
    const fields = message.fields as unknown as { replyCode?: number; replyText?: string };
    this.settle(
      correlationId,
      new UnroutableMessageError(
        {
          exchange: pending.exchange,
          routingKey: pending.routingKey,
          messageId: pending.messageId,
        },
        fields.replyCode ?? 312,
        fields.replyText ?? 'NO_ROUTE',
      ),
    );
  }

  private settle(correlationId: string, error: Error | undefined, result?: unknown): void {
    const pending = this.pending.get(correlationId);
    if (!pending) return;
    this.pending.delete(correlationId);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  private failAll(reason: string): void {
    for (const [correlationId] of this.pending) {
      this.settle(correlationId, new ConnectionLostError(undefined, reason));
    }
  }
}
