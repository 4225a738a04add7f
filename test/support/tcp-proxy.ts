import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

type Target = { host: string; port: number };

/**
 * A loopback TCP proxy in front of a real service (a broker, PostgreSQL, Redis), so a
 * test can do to the connections what a network or a dying server does — destroy them
 * mid-stream, refuse new ones, stop answering — without touching the shared service.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly upstreams = new Set<Socket>();
  private refusing = false;
  private stalled = false;

  private constructor(
    private readonly server: Server,
    private target: Target,
  ) {}

  /** `target`: a service URL (amqp://, redis://, postgresql://…) or a host and port. */
  static async start(target: string | Target): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetOf(target));
    server.on('connection', (client) => proxy.onConnection(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The service URL rewritten to go through the proxy (credentials, path kept). */
  urlFor(serviceUrl: string): string {
    const url = new URL(serviceUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString().replace(/\/$/, '');
  }

  get openConnections(): number {
    return this.upstreams.size;
  }

  /** Kills every proxied connection at once (both sides see a reset/close mid-stream). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.upstreams.clear();
  }

  /** Service "down": drop everything and close each new connection right away. */
  refuse(): void {
    this.refusing = true;
    this.dropConnections();
  }

  /** Service "back". */
  accept(): void {
    this.refusing = false;
  }

  /**
   * The service goes silent: connections stay open and what the client sends is
   * forwarded, but nothing comes back (a hung server, a one-way partition) until
   * unstall(), when what was held back arrives.
   */
  stall(): void {
    this.stalled = true;
    for (const upstream of this.upstreams) upstream.pause();
  }

  unstall(): void {
    this.stalled = false;
    for (const upstream of this.upstreams) upstream.resume();
  }

  /** Points new connections at another address (e.g. a restarted broker on a new port). */
  retarget(target: string | Target): void {
    this.target = targetOf(target);
  }

  async close(): Promise<void> {
    this.refuse();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.upstreams.add(upstream);
    this.track(client, upstream);
    this.track(upstream, client);
    upstream.connect(this.target.port, this.target.host);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.stalled) upstream.pause();
  }

  private track(socket: Socket, peer: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => peer.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.upstreams.delete(socket);
      peer.destroy();
    });
  }
}

function targetOf(target: string | Target): Target {
  if (typeof target !== 'string') return target;
  const url = new URL(target);
  const defaults: Record<string, number> = {
    'amqp:': 5672,
    'redis:': 6379,
    'postgres:': 5432,
    'postgresql:': 5432,
  };
  return { host: url.hostname, port: Number(url.port) || (defaults[url.protocol] ?? 0) };
}
