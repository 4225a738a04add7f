import type { ConfirmChannel } from 'amqplib';

/**
 * The parts of amqplib's channel this uses. None of them is in amqplib's typed
 * API; they are what its own `publish` runs on (amqplib 2.x, lib/channel.js and
 * lib/connection.js):
 * - `ch`: the channel number; `connection.channels[ch].buffer`: the channel's
 *   outgoing frame stream, which amqplib's multiplexer writes to the socket, so
 *   frames written here keep their order with every other frame of the channel.
 * - `connection.frameMax`: the negotiated frame size.
 * - `pushConfirmCallback`: amqplib numbers confirms by counting publishes; a
 *   publish it did not see would shift every later confirm by one.
 * - `sendMessage`: amqplib replaces it with a function that throws once the
 *   channel is closing or closed; calling that replacement raises amqplib's own error.
 */
interface AmqplibChannel {
  ch: number;
  connection: {
    frameMax: number;
    sentSinceLastCheck: boolean;
    channels: ({ channel: unknown; buffer: { write(chunk: Buffer): boolean } } | null)[];
  };
  pushConfirmCallback(callback: undefined): void;
  sendMessage: (...args: unknown[]) => boolean;
}

/**
 * Hands pre-encoded publish frames (PublishFrameEncoder) to an amqplib confirm
 * channel: the one place Surety reaches below amqplib's public API. Everything
 * it touches is checked in `attach`; if an amqplib version lacks any of it,
 * `attach` returns undefined and publishes go through `channel.publish` as
 * before (test/messaging/publish-frames.test.ts fails loudly in that case, so a
 * silent slow-down cannot slip in with an upgrade).
 */
export class AmqplibFrameWriter {
  private constructor(
    private readonly channel: AmqplibChannel,
    private readonly stream: { write(chunk: Buffer): boolean },
    private readonly openSendMessage: AmqplibChannel['sendMessage'],
    readonly channelNumber: number,
    readonly frameMax: number,
  ) {}

  static attach(confirmChannel: ConfirmChannel): AmqplibFrameWriter | undefined {
    const channel = confirmChannel as unknown as Partial<AmqplibChannel>;
    const connection = channel.connection;
    const ch = channel.ch;
    if (
      typeof ch !== 'number' ||
      typeof channel.pushConfirmCallback !== 'function' ||
      typeof channel.sendMessage !== 'function' ||
      typeof connection?.frameMax !== 'number' ||
      !(connection.frameMax >= 4096) ||
      !Array.isArray(connection.channels)
    ) {
      return undefined;
    }
    const slot = connection.channels[ch];
    if (slot?.channel !== channel || typeof slot.buffer?.write !== 'function') return undefined;
    return new AmqplibFrameWriter(
      channel as AmqplibChannel,
      slot.buffer,
      channel.sendMessage,
      ch,
      connection.frameMax,
    );
  }

  /**
   * Writes one message's frames (whole frames only: the multiplexer may put
   * another channel's frames between two writes) and counts it for confirms.
   * Throws amqplib's IllegalOperationError, having written nothing, when the
   * channel is closing or closed.
   */
  write(frames: readonly Buffer[]): void {
    const channel = this.channel;
    if (channel.sendMessage !== this.openSendMessage) {
      channel.sendMessage();
      throw new Error('channel closed');
    }
    for (let i = 0; i < frames.length; i++) this.stream.write(frames[i]);
    channel.connection.sentSinceLastCheck = true;
    channel.pushConfirmCallback(undefined);
  }
}
