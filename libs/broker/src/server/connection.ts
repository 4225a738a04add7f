import type { Socket } from 'node:net';
import {
  AmqpError,
  FRAME_MIN_SIZE,
  FrameParser,
  FrameType,
  PROTOCOL_HEADER,
  ReplyCode,
  decodeMethod,
  type AmqpMethod,
} from '../protocol';
import type { Vhost } from '../model/vhost';
import type { Broker, BrokerConnection } from './broker';
import { Channel } from './channel';
import type { ChannelHost } from './channel-host';
import { FrameOutput } from './frame-output';
import { Handshake, type Session } from './handshake';
import { isUnattributed, unattributed } from './unattributed';

const enum State {
  /** Waiting for the 8-octet protocol header. */
  Header,
  Handshake,
  Open,
  /** We sent connection.close; only close-ok matters now. */
  Closing,
  Closed,
}

/** How long we wait for close-ok before dropping the socket. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * One client connection: protocol header, then the handshake, then the steady
 * frame loop that dispatches on frame type to channel 0 (connection methods) or
 * the channels. Also heartbeats, resource-alarm blocking and close semantics.
 */
export class Connection implements BrokerConnection, ChannelHost {
  readonly id: number;
  readonly out: FrameOutput;
  readonly owner = this;
  readonly connectedAt = Date.now();
  readonly remoteAddress: string;
  readonly remotePort: number;
  private state = State.Header;
  private headerBytes = Buffer.alloc(0);
  private readonly parser: FrameParser;
  private readonly handshake: Handshake;
  private session: Session | undefined;
  private channels: (Channel | undefined)[] = [];
  private readonly confirmChannels = new Set<Channel>();
  private openChannels = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private receivedSinceTick = true;
  private sentAtTick = 0;
  private silentTicks = 0;
  private closeTimer: NodeJS.Timeout | undefined;
  private blockedByAlarm = false;
  private readPaused = false;
  private sentBlocked = false;
  private hasPublished = false;
  private blockReason = '';

  constructor(
    readonly broker: Broker,
    private readonly socket: Socket,
  ) {
    this.id = broker.newConnectionId();
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.out = new FrameOutput(socket);
    this.out.beforeFlush = () => {
      for (const channel of this.confirmChannels) channel.flushConfirms();
    };
    this.parser = new FrameParser(broker.config.frameMax);
    this.handshake = new Handshake(broker, this.out, socket.remoteAddress);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
    broker.connections.add(this);
    broker.counters.connectionsOpened++;
  }

  // ------------------------------------------------------------- ChannelHost

  get vhost(): Vhost {
    return this.session!.vhost;
  }

  get user(): string {
    return this.session?.user ?? '';
  }

  get vhostName(): string | undefined {
    return this.session?.vhost.name;
  }

  get frameMax(): number {
    return this.session?.frameMax ?? FRAME_MIN_SIZE;
  }

  get cancelNotify(): boolean {
    return this.session?.capabilities['consumer_cancel_notify'] === true;
  }

  get clientProperties(): Record<string, unknown> {
    return this.session?.clientProperties ?? {};
  }

  get heartbeat(): number {
    return this.session?.heartbeat ?? 0;
  }

  channelCount(): number {
    return this.openChannels;
  }

  /** Channels (management). */
  channelList(): Channel[] {
    return this.channels.filter((c): c is Channel => c !== undefined);
  }

  notePublish(): void {
    this.hasPublished = true;
    if (this.blockedByAlarm && !this.readPaused) {
      // RabbitMQ stops reading from a connection once it publishes during an alarm
      this.readPaused = true;
      this.socket.pause();
      this.sendBlocked();
    }
  }

  channelClosed(id: number): void {
    const channel = this.channels[id];
    if (channel === undefined) return;
    this.channels[id] = undefined;
    this.confirmChannels.delete(channel);
    this.openChannels--;
  }

  // ----------------------------------------------------------- alarms / close

  /**
   * Resource alarm raised or cleared. As RabbitMQ, a connection is blocked (and
   * told so) once it publishes while an alarm is in effect; connections that only
   * consume keep going.
   */
  onAlarm(blocked: boolean, reason: string): void {
    this.blockedByAlarm = blocked;
    this.blockReason = reason;
    if (this.state !== State.Open) return;
    if (blocked) {
      if (this.hasPublished) this.sendBlocked();
      return;
    }
    if (this.sentBlocked) this.out.method(0, 'connection.unblocked', {});
    this.sentBlocked = false;
    if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private sendBlocked(): void {
    const wantsNotice = this.session?.capabilities['connection.blocked'] === true;
    if (this.sentBlocked || !wantsNotice) return;
    this.out.method(0, 'connection.blocked', { reason: this.blockReason });
    this.sentBlocked = true;
  }

  forceClose(reason: string): void {
    if (this.state === State.Open || this.state === State.Handshake) {
      this.closeWithError(new AmqpError(ReplyCode.ConnectionForced, reason));
    } else {
      this.socket.destroy();
    }
  }

  // ------------------------------------------------------------------ input

  private onData(chunk: Buffer): void {
    this.receivedSinceTick = true;
    if (this.state === State.Header) {
      chunk = this.readProtocolHeader(chunk);
      if (chunk.length === 0) return;
    }
    if (this.state === State.Closed) return;
    try {
      this.parser.push(chunk, this.onFrame);
    } catch (error) {
      this.fail(error, undefined);
    }
  }

  private readProtocolHeader(chunk: Buffer): Buffer {
    const have = Buffer.concat([this.headerBytes, chunk]);
    if (have.length < PROTOCOL_HEADER.length) {
      this.headerBytes = have;
      // a mismatch already visible in the first bytes is answered at once
      if (!PROTOCOL_HEADER.subarray(0, have.length).equals(have)) this.rejectProtocol();
      return Buffer.alloc(0);
    }
    if (!have.subarray(0, PROTOCOL_HEADER.length).equals(PROTOCOL_HEADER)) {
      this.rejectProtocol();
      return Buffer.alloc(0);
    }
    this.state = State.Handshake;
    this.handshake.start();
    return have.subarray(PROTOCOL_HEADER.length);
  }

  private rejectProtocol(): void {
    this.state = State.Closed;
    this.socket.end(PROTOCOL_HEADER);
  }

  private readonly onFrame = (type: number, channelId: number, payload: Buffer): void => {
    if (this.state === State.Closed) return;
    let method: AmqpMethod | undefined;
    try {
      if (type === FrameType.Method) {
        method = decodeMethod(payload);
        if (channelId === 0) this.onConnectionMethod(method);
        else this.onChannelMethod(channelId, method);
      } else if (type === FrameType.Heartbeat) {
        if (channelId !== 0) {
          throw new AmqpError(ReplyCode.UnexpectedFrame, `heartbeat frame on channel ${channelId}`);
        }
      } else {
        if (this.state === State.Closing) return;
        const channel = this.openChannel(channelId, type);
        if (channel === undefined) return;
        if (type === FrameType.Header) channel.handleHeader(payload);
        else channel.handleBody(payload);
      }
    } catch (error) {
      this.fail(error, method, channelId);
    }
  };

  private onConnectionMethod(method: AmqpMethod): void {
    if (this.state === State.Closing) {
      if (method.name === 'connection.close-ok') this.socket.destroy();
      else if (method.name === 'connection.close') this.replyCloseOk();
      return;
    }
    if (this.state === State.Handshake) {
      if (method.name === 'connection.close') return this.replyCloseOk();
      const session = this.handshake.handle(method);
      if (session === undefined) {
        if (method.name === 'connection.tune-ok')
          this.parser.setMaxFrameSize(this.handshakeFrameMax(method));
        return;
      }
      this.session = session;
      this.state = State.Open;
      this.parser.setMaxFrameSize(session.frameMax);
      this.startHeartbeat(session.heartbeat);
      if (this.broker.blocked) this.onAlarm(true, this.broker.blockReason);
      return;
    }
    switch (method.name) {
      case 'connection.close':
        this.replyCloseOk();
        return;
      case 'connection.close-ok':
        return;
      case 'connection.update-secret':
        this.updateSecret(method.args.newSecret);
        return;
      case 'connection.blocked':
      case 'connection.unblocked':
        return;
      default:
        throw new AmqpError(
          ReplyCode.ChannelError,
          'unexpected method in connection state running',
          method.classId,
          method.methodId,
        );
    }
  }

  /**
   * With PLAIN/AMQPLAIN credentials the new secret is the user's password, so it is
   * checked against the user store (and the loopback rule) before it is accepted.
   * A refused secret closes the connection with RabbitMQ's code and words for a
   * secret an auth backend refuses (530, on connection.update-secret).
   */
  private updateSecret(newSecret: Buffer): void {
    const user = this.broker.access.authenticate(
      this.user,
      newSecret.toString('utf8'),
      this.remoteAddress,
    );
    if (user === undefined) {
      this.broker.logger.warn(
        `connection ${this.id}: secret update refused for user '${this.user}'`,
      );
      throw new AmqpError(
        ReplyCode.NotAllowed,
        'New secret was refused by one of the backends',
        10,
        70,
      );
    }
    this.out.method(0, 'connection.update-secret-ok', {});
  }

  private handshakeFrameMax(method: AmqpMethod): number {
    const frameMax = method.name === 'connection.tune-ok' ? method.args.frameMax : 0;
    return frameMax === 0 ? this.broker.config.frameMax : frameMax;
  }

  private onChannelMethod(id: number, method: AmqpMethod): void {
    if (this.state === State.Closing) return;
    if (this.state !== State.Open) {
      throw new AmqpError(
        ReplyCode.ChannelError,
        `channel ${id} used before connection.open`,
        method.classId,
        method.methodId,
      );
    }
    const channel = this.channels[id];
    if (channel === undefined) {
      if (method.name !== 'channel.open') {
        throw new AmqpError(
          ReplyCode.ChannelError,
          "expected 'channel.open'",
          method.classId,
          method.methodId,
        );
      }
      const channelMax = this.session!.channelMax;
      if (this.openChannels >= channelMax || id > channelMax) {
        // RabbitMQ's words and no method attribution
        throw unattributed(
          new AmqpError(
            ReplyCode.NotAllowed,
            `number of channels opened (${this.openChannels}) has reached the negotiated channel_max (${channelMax})`,
          ),
        );
      }
      const opened = new Channel(this, id);
      this.channels[id] = opened;
      this.openChannels++;
      this.out.method(id, 'channel.open-ok', { channelId: Buffer.alloc(0) });
      return;
    }
    const wasConfirm = channel.confirmMode;
    channel.handleMethod(method);
    if (!wasConfirm && channel.confirmMode) this.confirmChannels.add(channel);
  }

  private openChannel(id: number, type: number): Channel | undefined {
    if (this.state !== State.Open || id === 0) {
      throw new AmqpError(
        ReplyCode.UnexpectedFrame,
        `${type === FrameType.Header ? 'content header' : 'content body'} frame on channel ${id}`,
      );
    }
    const channel = this.channels[id];
    if (channel === undefined)
      throw new AmqpError(ReplyCode.ChannelError, `channel ${id} is not open`);
    return channel;
  }

  // ---------------------------------------------------------------- errors

  private fail(error: unknown, method: AmqpMethod | undefined, channelId = 0): void {
    let amqp: AmqpError;
    if (error instanceof AmqpError) {
      amqp =
        error.classId === 0 && method !== undefined && !isUnattributed(error)
          ? error.withMethod(method.classId, method.methodId)
          : error;
    } else {
      this.broker.logger.error(
        `connection ${this.id}: internal error: ${(error as Error).stack ?? String(error)}`,
      );
      amqp = new AmqpError(
        ReplyCode.InternalError,
        (error as Error).message ?? 'internal error',
        method?.classId ?? 0,
        method?.methodId ?? 0,
      );
    }
    const channel = channelId === 0 ? undefined : this.channels[channelId];
    if (!amqp.isConnectionError && channel !== undefined && channel.isOpen) {
      channel.closeWithError(amqp);
      return;
    }
    this.closeWithError(amqp);
  }

  /** A hard error: connection.close, then wait (bounded) for close-ok. */
  private closeWithError(error: AmqpError): void {
    if (this.state === State.Closing || this.state === State.Closed) return;
    this.out.method(0, 'connection.close', {
      replyCode: error.code,
      replyText: error.replyText,
      classId: error.classId,
      methodId: error.methodId,
    });
    this.out.flush();
    this.state = State.Closing;
    this.releaseChannels();
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  private replyCloseOk(): void {
    this.releaseChannels();
    this.out.method(0, 'connection.close-ok', {});
    this.out.flush();
    this.state = State.Closed;
    this.out.close();
    this.socket.end();
  }

  // ------------------------------------------------------------ heartbeats

  private startHeartbeat(seconds: number): void {
    if (seconds <= 0) return;
    const intervalMs = (seconds * 1000) / 2;
    this.sentAtTick = this.out.bytesSent;
    this.heartbeatTimer = setInterval(() => {
      if (this.out.bytesSent === this.sentAtTick) this.out.heartbeat();
      this.sentAtTick = this.out.bytesSent;
      if (this.receivedSinceTick) {
        this.receivedSinceTick = false;
        this.silentTicks = 0;
      } else if (++this.silentTicks >= 4) {
        // two heartbeat intervals without a byte from the client
        this.broker.logger.warn(`connection ${this.id}: missed heartbeats from client, closing`);
        this.socket.destroy();
      }
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  // ------------------------------------------------------------- teardown

  private onDrain(): void {
    for (const channel of this.channels) channel?.resumeDeliveries();
  }

  private releaseChannels(): void {
    for (const channel of this.channels) channel?.abandon();
    this.channels = [];
    this.confirmChannels.clear();
    this.openChannels = 0;
    if (this.session !== undefined) this.session.vhost.releaseOwner(this);
  }

  private teardown(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.heartbeatTimer = undefined;
    if (!this.broker.connections.delete(this)) return;
    this.broker.counters.connectionsClosed++;
    this.state = State.Closed;
    this.out.close();
    this.releaseChannels();
  }
}
