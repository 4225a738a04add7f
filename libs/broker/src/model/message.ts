import {
  decodeBasicProperties,
  encodeContentHeaderPayload,
  type BasicProperties,
  type FieldTable,
} from '../protocol';
import { headerBodySize, peekProperties } from './property-peek';

/** basic class id, the only content class AMQP 0-9-1 has in practice. */
export const BASIC_CLASS_ID = 60;

/** Offset of the content header's weight field (u16 after the class id). */
export const WEIGHT_OFFSET = 2;
/**
 * Set in the weight field of a message the broker itself dead-lettered: its
 * x-death, x-first-death-* and x-last-death-* headers are the broker's own death
 * history (RabbitMQ 4's death annotation), not headers a client published.
 *
 * Why the weight field: AMQP 0-9-1 leaves it unused (it must be zero on the
 * wire), and it travels with the raw header bytes into the store and back, so
 * the mark survives paging and a restart without a change of the record format.
 * It never reaches a peer: writeHeaderFrame sends the weight as zero, and
 * Message.published clears whatever a client sent there.
 */
const BROKER_DEATHS_MARK = 0x0001;

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
  /**
   * True when the death headers were written by this broker when it dead-lettered
   * the message (so the next death adds to them); false for what a client published,
   * whose x-death RabbitMQ 4 no longer interprets. See BROKER_DEATHS_MARK.
   */
  readonly brokerRecordedDeaths: boolean;
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
    this.brokerRecordedDeaths = (header.readUInt16BE(WEIGHT_OFFSET) & BROKER_DEATHS_MARK) !== 0;
  }

  /**
   * A message as a client published it. Takes ownership of `header` (a copy of
   * the frame payload) and clears its weight: a client must not be able to pass
   * its own x-death off as the broker's death history.
   */
  static published(exchange: string, routingKey: string, header: Buffer, body: Buffer): Message {
    header.writeUInt16BE(0, WEIGHT_OFFSET);
    return new Message(exchange, routingKey, header, body);
  }

  /** Builds a message from decoded properties (dead-lettering, tests, management). */
  static fromProperties(
    exchange: string,
    routingKey: string,
    properties: BasicProperties,
    body: Buffer,
    brokerRecordedDeaths = false,
  ): Message {
    const header = encodeContentHeaderPayload(BASIC_CLASS_ID, body.length, properties);
    if (brokerRecordedDeaths) header.writeUInt16BE(BROKER_DEATHS_MARK, WEIGHT_OFFSET);
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

  /**
   * The same content under a new exchange/routing key and properties (re-encodes
   * the header). The broker's death history stays the broker's: adding
   * x-delivery-count or a delay stamp does not turn it into client headers.
   */
  withProperties(exchange: string, routingKey: string, properties: BasicProperties): Message {
    return Message.fromProperties(
      exchange,
      routingKey,
      properties,
      this.body,
      this.brokerRecordedDeaths,
    );
  }

  /** The same content routed under another exchange/routing key (header bytes reused). */
  withRoute(exchange: string, routingKey: string): Message {
    const message = new Message(exchange, routingKey, this.header, this.body);
    message.decoded = this.decoded;
    return message;
  }
}
