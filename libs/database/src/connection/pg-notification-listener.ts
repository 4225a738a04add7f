import { Client, type ClientConfig } from 'pg';
import type { NotificationHandler, Unlisten } from './database-handle';
import { assertChannelName } from './notify-channel';

interface Channel {
  readonly handlers: Set<NotificationHandler>;
  /** Resolves when LISTEN is in effect on the current client. */
  ready: Promise<void>;
}

const RECONNECT_DELAYS_MS = [100, 500, 1_000, 2_000, 5_000];

/**
 * LISTEN needs a connection of its own that never goes back to a pool. One
 * client per handle carries every channel; if it drops it is reopened with
 * backoff and re-LISTENs. Notifications sent while it is down are lost, which
 * is why listeners (the relay) also poll.
 */
export class PgNotificationListener {
  private readonly channels = new Map<string, Channel>();
  private client: Promise<Client> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly config: ClientConfig) {}

  async listen(channel: string, handler: NotificationHandler): Promise<Unlisten> {
    assertChannelName(channel);
    if (this.closed) throw new Error('the database handle is closed');
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = {
        handlers: new Set(),
        ready: this.connected().then((c) => this.issue(c, `LISTEN "${channel}"`)),
      };
      this.channels.set(channel, entry);
    }
    entry.handlers.add(handler);
    try {
      await entry.ready;
    } catch (error) {
      this.remove(channel, handler);
      throw error;
    }
    return async () => {
      if (this.remove(channel, handler) && this.client && !this.closed) {
        await this.client
          .then((c) => this.issue(c, `UNLISTEN "${channel}"`))
          .catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.channels.clear();
    if (client) await client.then((c) => c.end()).catch(() => undefined);
  }

  /** Removes a handler; true when its channel has no handlers left. */
  private remove(channel: string, handler: NotificationHandler): boolean {
    const entry = this.channels.get(channel);
    if (!entry?.handlers.delete(handler) || entry.handlers.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  private async issue(client: Client, statement: string): Promise<void> {
    await client.query(statement);
  }

  private connected(): Promise<Client> {
    this.client ??= this.open().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async open(): Promise<Client> {
    const client = new Client(this.config);
    client.on('notification', (message) => {
      for (const handler of this.channels.get(message.channel)?.handlers ?? [])
        handler(message.payload ?? '');
    });
    // An unhandled 'error' would crash the process; 'end' follows it and reconnects.
    client.on('error', () => undefined);
    client.on('end', () => this.scheduleReconnect(0));
    await client.connect();
    return client;
  }

  private scheduleReconnect(attempt: number): void {
    if (this.closed) return;
    this.client = undefined;
    clearTimeout(this.reconnectTimer);
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
    this.reconnectTimer = setTimeout(() => void this.relisten(attempt), delay);
    this.reconnectTimer.unref();
  }

  private async relisten(attempt: number): Promise<void> {
    if (this.closed || this.channels.size === 0) return;
    try {
      const client = await this.connected();
      for (const [name, entry] of this.channels) {
        entry.ready = this.issue(client, `LISTEN "${name}"`);
        await entry.ready;
      }
    } catch {
      this.scheduleReconnect(attempt + 1);
    }
  }
}
