import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A loopback TCP proxy in front of a real service, so a test can cut every
 * connection (as a network partition or a broker restart looks to a client) or
 * refuse new ones for a while, without touching the shared service itself.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as AddressInfo).port, target);
    server.on('connection', (client: Socket) => proxy.accept(client, proxy.target));
    return proxy;
  }

  /** Points new connections at another address (a restarted broker on a new port). */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
  }

  /** Rewrites a service URL so that it points at this proxy. */
  urlFor(serviceUrl: string): string {
    const url = new URL(serviceUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString().replace(/\/$/, '');
  }

  /** Destroys every open connection (both directions); new ones are still accepted. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Drops all connections and refuses new ones until {@link resume}: the service is "down". */
  goDown(): void {
    this.refusing = true;
    this.dropConnections();
  }

  resume(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.goDown();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.sockets.add(client);
    this.sockets.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
