import {
  decodeBasicProperties,
  encodeContentHeaderPayload,
  type BasicProperties,
  type FieldTable,
} from '../protocol';
import { headerBodySize, peekProperties } from './property-peek';

/** basic class id, the only content class AMQP 0-9-1 has in practice. */
export const BASIC_CLASS_ID = 60;

/**
 * One published message: the raw content-header payload and body exactly as the
 * client sent them (forwarded untouched to consumers and the store), plus the few
 * properties the broker needs, peeked once. Shared by every queue it was routed to:
 * treat as immutable; a changed header makes a new Message.
 */
export class Message {
  readonly deliveryMode: number;
  readonly priority: number;
  /** The expiration property in ms (undefined when absent); validated by the publisher path. */
  readonly expiration: string | undefined;
  readonly replyTo: string | undefined;
  readonly userId: string | undefined;
  private readonly headersLength: number;
  private decoded: BasicProperties | undefined;
  /**
   * Every key the message was routed with when CC/BCC added some (BCC is gone
   * from its headers by then, but dead-lettering routes with it again, as RabbitMQ).
   */
  publishedKeys: readonly string[] | undefined;

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    /** Raw content-header payload (class, weight, body size, flags, properties). */
    readonly header: Buffer,
    readonly body: Buffer,
  ) {
    const peeked = peekProperties(header);
    this.deliveryMode = peeked.deliveryMode;
    this.priority = peeked.priority;
    this.expiration = peeked.expiration;
    this.replyTo = peeked.replyTo;
    this.userId = peeked.userId;
    this.headersLength = peeked.headersLength;
  }

  /** Builds a message from decoded properties (dead-lettering, tests, management). */
  static fromProperties(
    exchange: string,
    routingKey: string,
    properties: BasicProperties,
    body: Buffer,
  ): Message {
    const header = encodeContentHeaderPayload(BASIC_CLASS_ID, body.length, properties);
    const message = new Message(exchange, routingKey, header, body);
    message.decoded = properties;
    return message;
  }

  get persistent(): boolean {
    return this.deliveryMode === 2;
  }

  get bodySize(): number {
    return headerBodySize(this.header);
  }

  /** True when the headers table has at least one entry (amqplib always sends one, mostly empty). */
  get hasHeaders(): boolean {
    return this.headersLength > 0;
  }

  get properties(): BasicProperties {
    if (this.decoded === undefined) this.decoded = decodeBasicProperties(this.header);
    return this.decoded;
  }

  get headers(): FieldTable | undefined {
    return this.headersLength > 0 ? this.properties.headers : undefined;
  }

  /** The same content under a new exchange/routing key and properties (re-encodes the header). */
  withProperties(exchange: string, routingKey: string, properties: BasicProperties): Message {
    return Message.fromProperties(exchange, routingKey, properties, this.body);
  }

  /** The same content routed under another exchange/routing key (header bytes reused). */
  withRoute(exchange: string, routingKey: string): Message {
    const message = new Message(exchange, routingKey, this.header, this.body);
    message.decoded = this.decoded;
    return message;
  }
}
