import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP proxy between client and broker, so tests can kill connections for
 * real (destroying the sockets) and simulate a broker that is down (refusing
 * new connections) without touching the broker. Works for any broker target.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    private target: { host: string; port: number },
  ) {}

  static async start(brokerUrl: string): Promise<TcpProxy> {
    const url = new URL(brokerUrl);
    const target = { host: url.hostname, port: Number(url.port) || 5672 };
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (client) => proxy.onConnection(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The broker URL rewritten to go through the proxy (credentials and vhost kept). */
  urlFor(brokerUrl: string): string {
    const url = new URL(brokerUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get openConnections(): number {
    return this.sockets.size / 2;
  }

  /** Kills every proxied connection at once (both sides see a reset/close mid-stream). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Broker "down": drop everything and close each new connection right away. */
  refuse(): void {
    this.refusing = true;
    this.dropConnections();
  }

  /** Broker "back". */
  accept(): void {
    this.refusing = false;
  }

  /** Points new connections at another broker address (e.g. a restarted embedded broker). */
  retarget(brokerUrl: string): void {
    const url = new URL(brokerUrl);
    this.target = { host: url.hostname, port: Number(url.port) || 5672 };
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.track(client, upstream);
    this.track(upstream, client);
    upstream.connect(this.target.port, this.target.host);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: Socket, peer: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => peer.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      peer.destroy();
    });
  }
}
