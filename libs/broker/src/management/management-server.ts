import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Vhost } from '../model/vhost';
import type { Broker } from '../server/broker';
import { Connection } from '../server/connection';
import { bindingViews, connectionView, exchangeView, overviewView, queueView } from './api-views';
import { HttpError, notAuthenticated, notFound } from './http-error';
import { ManagementUser } from './management-user';
import { renderMetrics } from './metrics';

/**
 * The management HTTP API in the shape of RabbitMQ's (the subset tools and
 * tests use) plus /metrics for Prometheus. Basic auth with the broker's users
 * and RabbitMQ's tag semantics (see ManagementUser): listings show only the
 * vhosts a user may see, a request naming a vhost needs access to it, deleting a
 * queue needs configure and purging read permission on it.
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
        error instanceof HttpError
          ? error
          : new HttpError(500, 'internal_error', (error as Error).message);
      if (http.challenge) response.setHeader('WWW-Authenticate', 'Basic realm="Surety Management"');
      sendJson(response, http.status, { error: http.error, reason: http.reason });
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
    user.checkMonitor();
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    response.end(renderMetrics(broker));
    return;
  }
  if (parts[0] !== 'api' || parts.length > 5) throw notFound();
  const [, resource, vhostName, name, sub] = parts;
  // a request naming a vhost needs access to it; listings show what the user may see
  const vhosts =
    vhostName === undefined ? visibleVhosts(broker, user) : [vhostFor(broker, user, vhostName)];
  if (method === 'DELETE') {
    if (resource !== 'queues' || name === undefined || (sub !== undefined && sub !== 'contents'))
      throw notFound();
    const vhost = vhosts[0]!;
    const queue = vhost.queues.get(name);
    if (queue === undefined) throw notFound();
    // the permission queue.purge / queue.delete would need over AMQP
    const purge = sub === 'contents';
    user.checkPermission(vhost.name, purge ? 'read' : 'configure', name);
    if (purge) vhost.purgeQueue(name, queue.exclusiveOwner ?? {});
    else vhost.deleteQueue(name, false, false, queue.exclusiveOwner ?? {});
    response.writeHead(204);
    response.end();
    return;
  }
  if (method !== 'GET')
    throw new HttpError(405, 'method_not_allowed', `${method} is not supported here`);
  switch (resource) {
    case 'overview':
      if (vhostName !== undefined) throw notFound();
      return sendJson(
        response,
        200,
        overviewView(broker, {
          vhosts,
          connections: visibleConnections(broker, user),
          everything: user.isMonitor,
        }),
      );
    case 'queues': {
      if (name !== undefined) {
        const queue = vhosts[0]!.queues.get(name);
        if (queue === undefined || sub !== undefined) throw notFound();
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
        if (exchange === undefined || sub !== undefined) throw notFound();
        return sendJson(response, 200, exchangeView(exchange));
      }
      return sendJson(
        response,
        200,
        vhosts.flatMap((v) => [...v.exchanges.values()].map(exchangeView)),
      );
    }
    case 'bindings':
      if (name !== undefined) throw notFound();
      return sendJson(response, 200, vhosts.flatMap(bindingViews));
    case 'connections':
      if (vhostName !== undefined) throw notFound();
      return sendJson(response, 200, visibleConnections(broker, user).map(connectionView));
    case 'vhosts':
      if (name !== undefined) throw notFound();
      if (vhostName !== undefined) return sendJson(response, 200, { name: vhosts[0]!.name });
      return sendJson(
        response,
        200,
        vhosts.map((v) => ({ name: v.name })),
      );
    default:
      throw notFound();
  }
}

function authenticate(broker: Broker, request: IncomingMessage): ManagementUser {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Basic ')) throw notAuthenticated();
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw notAuthenticated();
  // the loopback rule applies here as on AMQP (RabbitMQ checks loopback_users for HTTP too)
  const user = broker.access.authenticate(
    decoded.slice(0, colon),
    decoded.slice(colon + 1),
    request.socket.remoteAddress,
  );
  if (user === undefined) throw notAuthenticated();
  return new ManagementUser(user, broker.access);
}

function visibleVhosts(broker: Broker, user: ManagementUser): Vhost[] {
  return [...broker.vhosts.values()].filter((vhost) => user.seesVhost(vhost.name));
}

/** The named vhost: 404 when it does not exist, 401 when the user may not access it. */
function vhostFor(broker: Broker, user: ManagementUser, name: string): Vhost {
  const vhost = broker.vhost(name);
  if (vhost === undefined) throw notFound();
  user.checkVhost(name);
  return vhost;
}

function visibleConnections(broker: Broker, user: ManagementUser): Connection[] {
  return [...broker.connections].filter(
    (c): c is Connection => c instanceof Connection && user.seesConnectionOf(c.user),
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
