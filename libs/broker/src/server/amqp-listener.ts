import { createServer, type Server, type Socket } from 'node:net';

/** By default the broker listens on both loopback addresses, like RabbitMQ's listeners. */
export const DEFAULT_HOSTS = ['127.0.0.1', '::1'];

/**
 * TCP listeners on one port across several addresses. With port 0 the first
 * address picks an ephemeral port and the others reuse it; an address family the
 * machine lacks (no IPv6) is skipped, anything else fails the start.
 */
export class AmqpListener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  port = 0;
  readonly hosts: string[] = [];

  constructor(private readonly onSocket: (socket: Socket) => void) {}

  async listen(port: number, hosts: readonly string[]): Promise<void> {
    let chosen = port;
    for (const host of hosts) {
      try {
        const server = await this.listenOne(host, chosen);
        const address = server.address();
        if (address !== null && typeof address === 'object') chosen = address.port;
        this.servers.push(server);
        this.hosts.push(host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const optional = host !== hosts[0] && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT');
        if (!optional) {
          await this.close();
          throw new Error(
            `broker cannot listen on ${host}:${chosen}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
      }
    }
    this.port = chosen;
  }

  /** Stops accepting and destroys remaining sockets. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.servers.length = 0;
  }

  private listenOne(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        this.onSocket(socket);
      });
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}
