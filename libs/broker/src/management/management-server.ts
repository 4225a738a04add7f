import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Broker } from '../server/broker';
import { Connection } from '../server/connection';
import { bindingViews, connectionView, exchangeView, overviewView, queueView } from './api-views';
import { renderMetrics } from './metrics';

/** A request the router could not serve, with its HTTP status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NOT_FOUND = new HttpError(404, 'Not Found');

/**
 * The management HTTP API in the shape of RabbitMQ's (the subset tools and
 * tests use) plus /metrics for Prometheus. Basic auth with the broker's users;
 * deleting or purging a queue needs configure permission on it.
 */
export async function startManagement(
  broker: Broker,
  options: { port: number; host: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    try {
      handle(broker, request, response);
    } catch (error) {
      const http =
        error instanceof HttpError ? error : new HttpError(500, (error as Error).message);
      if (http.status === 401)
        response.setHeader('WWW-Authenticate', 'Basic realm="Surety Management"');
      sendJson(response, http.status, {
        error: http.status === 404 ? 'Object Not Found' : 'error',
        reason: http.reason,
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => closeServer(server),
  };
}

function handle(broker: Broker, request: IncomingMessage, response: ServerResponse): void {
  const user = authenticate(broker, request);
  const url = new URL(request.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = request.method ?? 'GET';
  if (parts[0] === 'metrics' && parts.length === 1 && method === 'GET') {
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    response.end(renderMetrics(broker));
    return;
  }
  if (parts[0] !== 'api') throw NOT_FOUND;
  const [, resource, vhostName, name, sub] = parts;
  const vhosts =
    vhostName === undefined ? [...broker.vhosts.values()] : [vhostOrThrow(broker, vhostName)];
  if (method === 'DELETE') {
    if (resource !== 'queues' || name === undefined || (sub !== undefined && sub !== 'contents'))
      throw NOT_FOUND;
    const vhost = vhosts[0]!;
    const queue = vhost.queues.get(name);
    if (queue === undefined) throw NOT_FOUND;
    if (!broker.access.isAllowed(user, vhost.name, 'configure', name)) {
      throw new HttpError(
        403,
        `configure access to queue '${name}' in vhost '${vhost.name}' refused for user '${user}'`,
      );
    }
    if (sub === 'contents') vhost.purgeQueue(name, queue.exclusiveOwner ?? {});
    else vhost.deleteQueue(name, false, false, queue.exclusiveOwner ?? {});
    response.writeHead(204);
    response.end();
    return;
  }
  if (method !== 'GET') throw new HttpError(405, `${method} is not supported here`);
  switch (resource) {
    case 'overview':
      return sendJson(response, 200, overviewView(broker));
    case 'queues': {
      if (name !== undefined) {
        const queue = vhosts[0]!.queues.get(name);
        if (queue === undefined || sub !== undefined) throw NOT_FOUND;
        return sendJson(response, 200, queueView(queue));
      }
      return sendJson(
        response,
        200,
        vhosts.flatMap((v) => [...v.queues.values()].map(queueView)),
      );
    }
    case 'exchanges': {
      if (name !== undefined) {
        const exchange = vhosts[0]!.exchanges.get(name);
        if (exchange === undefined) throw NOT_FOUND;
        return sendJson(response, 200, exchangeView(exchange));
      }
      return sendJson(
        response,
        200,
        vhosts.flatMap((v) => [...v.exchanges.values()].map(exchangeView)),
      );
    }
    case 'bindings':
      return sendJson(response, 200, vhosts.flatMap(bindingViews));
    case 'connections':
      return sendJson(
        response,
        200,
        [...broker.connections]
          .filter((c): c is Connection => c instanceof Connection)
          .map(connectionView),
      );
    case 'vhosts':
      return sendJson(
        response,
        200,
        vhosts.map((v) => ({ name: v.name })),
      );
    default:
      throw NOT_FOUND;
  }
}

function authenticate(broker: Broker, request: IncomingMessage): string {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Basic '))
    throw new HttpError(401, 'Not_Authorized');
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const name = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const user =
    colon < 0
      ? undefined
      : broker.access.authenticate(name, password, request.socket.remoteAddress);
  if (user === undefined) throw new HttpError(401, 'Not_Authorized');
  return user.name;
}

function vhostOrThrow(broker: Broker, name: string) {
  const vhost = broker.vhost(name);
  if (vhost === undefined) throw NOT_FOUND;
  return vhost;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
