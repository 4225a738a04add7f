import { AmqpError, ReplyCode, plainTable, type AmqpMethod, type FieldTable } from '../protocol';
import type { Vhost } from '../model/vhost';
import type { Broker } from './broker';
import type { FrameOutput } from './frame-output';
import { MECHANISMS, parseSaslResponse, refused } from './sasl';

/** What a finished handshake settled. */
export interface Session {
  readonly user: string;
  readonly vhost: Vhost;
  readonly frameMax: number;
  readonly channelMax: number;
  /** Seconds; 0 = no heartbeats. */
  readonly heartbeat: number;
  readonly clientProperties: Record<string, unknown>;
  readonly capabilities: Record<string, unknown>;
}

const enum Step {
  StartOk,
  TuneOk,
  Open,
}

/** Capabilities RabbitMQ advertises and this broker implements. */
const SERVER_CAPABILITIES = [
  'publisher_confirms',
  'exchange_exchange_bindings',
  'basic.nack',
  'consumer_cancel_notify',
  'connection.blocked',
  'consumer_priorities',
  'authentication_failure_close',
  'per_consumer_qos',
  'direct_reply_to',
];

/**
 * connection.start / start-ok (SASL) / tune / tune-ok / open, kept apart from
 * the steady-state frame loop. `handle` returns the Session once connection.open
 * succeeds; failures are AmqpErrors (403 bad login, 530 vhost refused or bad
 * tune values, 503 out-of-order methods).
 */
export class Handshake {
  private step = Step.StartOk;
  private user: string | undefined;
  private clientProperties: FieldTable = {};
  private frameMax = 0;
  private channelMax = 0;
  private heartbeat = 0;

  constructor(
    private readonly broker: Broker,
    private readonly out: FrameOutput,
    private readonly remoteAddress: string | undefined,
  ) {}

  start(): void {
    const capabilities: FieldTable = {};
    for (const name of SERVER_CAPABILITIES) capabilities[name] = { type: 't', value: true };
    this.out.method(0, 'connection.start', {
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: {
        product: { type: 'S', value: 'Surety' },
        version: { type: 'S', value: '0.1.0' },
        platform: { type: 'S', value: `Node.js ${process.version}` },
        information: { type: 'S', value: 'Surety embedded AMQP 0-9-1 broker' },
        cluster_name: { type: 'S', value: 'surety' },
        capabilities: { type: 'F', value: capabilities },
      },
      mechanisms: Buffer.from(MECHANISMS.join(' ')),
      locales: Buffer.from('en_US'),
    });
  }

  handle(method: AmqpMethod): Session | undefined {
    switch (method.name) {
      case 'connection.start-ok':
        this.expect(Step.StartOk, method);
        this.authenticate(method.args.mechanism, method.args.response);
        this.clientProperties = method.args.clientProperties;
        this.step = Step.TuneOk;
        this.out.method(0, 'connection.tune', {
          channelMax: this.broker.config.channelMax,
          frameMax: this.broker.config.frameMax,
          heartbeat: this.broker.config.heartbeat,
        });
        return undefined;
      case 'connection.tune-ok': {
        this.expect(Step.TuneOk, method);
        const { frameMax, channelMax, heartbeat } = method.args;
        this.frameMax = negotiated('frame_max', frameMax, 4096, this.broker.config.frameMax);
        this.channelMax = negotiated('channel_max', channelMax, 1, this.broker.config.channelMax);
        this.heartbeat = heartbeat;
        this.step = Step.Open;
        return undefined;
      }
      case 'connection.open': {
        this.expect(Step.Open, method);
        const name = method.args.virtualHost;
        const vhost = this.broker.vhost(name);
        if (vhost === undefined) {
          throw new AmqpError(ReplyCode.NotAllowed, `vhost ${name} not found`, 10, 40);
        }
        if (!this.broker.access.canAccessVhost(this.user!, name)) {
          throw new AmqpError(
            ReplyCode.NotAllowed,
            `access to vhost '${name}' refused for user '${this.user}'`,
            10,
            40,
          );
        }
        this.out.method(0, 'connection.open-ok', { knownHosts: '' });
        const props = plainTable(this.clientProperties);
        const capabilities = props['capabilities'];
        return {
          user: this.user!,
          vhost,
          frameMax: this.frameMax,
          channelMax: this.channelMax,
          heartbeat: this.heartbeat,
          clientProperties: props,
          capabilities:
            capabilities !== null && typeof capabilities === 'object'
              ? (capabilities as Record<string, unknown>)
              : {},
        };
      }
      default:
        throw new AmqpError(
          ReplyCode.CommandInvalid,
          `expected ${['connection.start-ok', 'connection.tune-ok', 'connection.open'][this.step]}, got ${method.name}`,
          method.classId,
          method.methodId,
        );
    }
  }

  private expect(step: Step, method: AmqpMethod): void {
    if (this.step !== step) {
      throw new AmqpError(
        ReplyCode.CommandInvalid,
        `unexpected ${method.name} during the handshake`,
        method.classId,
        method.methodId,
      );
    }
  }

  private authenticate(mechanism: string, response: Buffer): void {
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new AmqpError(
        ReplyCode.CommandInvalid,
        `unknown authentication mechanism '${mechanism}'`,
        10,
        11,
      );
    }
    const credentials = parseSaslResponse(mechanism, response);
    const user = this.broker.access.authenticate(
      credentials.user,
      credentials.password,
      this.remoteAddress,
    );
    if (user === undefined) throw refused(mechanism);
    this.user = user.name;
  }
}

/** RabbitMQ's tune-ok rule: at least the minimum, at most the server's value. */
function negotiated(field: string, client: number, min: number, server: number): number {
  if (client !== 0 && client < min) {
    throw new AmqpError(
      ReplyCode.NotAllowed,
      `negotiated ${field} = ${client} is lower than the minimum allowed value (${min})`,
      10,
      31,
    );
  }
  // 0 means "no limit" to a client; we answer with our own limit rather than refuse
  if (client === 0) return server;
  if (client > server) {
    throw new AmqpError(
      ReplyCode.NotAllowed,
      `negotiated ${field} = ${client} is higher than the maximum allowed value (${server})`,
      10,
      31,
    );
  }
  return client;
}
