import type { Vhost } from '../model/vhost';
import type { Broker } from './broker';
import type { FrameOutput } from './frame-output';

/** What a channel needs from its connection. */
export interface ChannelHost {
  readonly broker: Broker;
  readonly vhost: Vhost;
  readonly user: string;
  readonly out: FrameOutput;
  readonly frameMax: number;
  /** Identity used for exclusive queues. */
  readonly owner: object;
  /** Client capability consumer_cancel_notify (server-sent basic.cancel). */
  readonly cancelNotify: boolean;
  /** A publish arrived (resource alarms block connections that publish). */
  notePublish(): void;
  /** The channel number is free again. */
  channelClosed(id: number): void;
}
