import { AmqpError, ReplyCode } from '../protocol';
import type { ChannelHost } from './channel-host';

/**
 * RabbitMQ's permission check: the user's configure/write/read regex for the
 * vhost must match the resource name; the default exchange is "amq.default".
 */
export function checkPermission(
  host: ChannelHost,
  kind: 'configure' | 'write' | 'read',
  resource: 'queue' | 'exchange',
  name: string,
): void {
  const resourceName = resource === 'exchange' && name === '' ? 'amq.default' : name;
  if (host.broker.access.isAllowed(host.user, host.vhost.name, kind, resourceName)) return;
  throw new AmqpError(
    ReplyCode.AccessRefused,
    `${kind} access to ${resource} '${resourceName}' in vhost '${host.vhost.name}' refused for user '${host.user}'`,
  );
}
