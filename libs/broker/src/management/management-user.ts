import type { AccessControl, PermissionKind } from '../config/access-control';
import type { UserConfig } from '../config/broker-config';
import { notAuthorised } from './http-error';

/** Tags that let a user use the management API at all (RabbitMQ's). */
const MANAGEMENT_TAGS = ['administrator', 'monitoring', 'policymaker', 'management'];

/**
 * The user behind a management request and what RabbitMQ's tags let it see:
 * administrator and monitoring see every vhost and connection; management and
 * policymaker only the vhosts they have permissions on and their own
 * connections. Acting on a queue additionally needs the same permission the
 * AMQP method would (configure to delete, read to purge), for administrators too.
 */
export class ManagementUser {
  readonly name: string;
  readonly isAdministrator: boolean;
  /** Sees everything (RabbitMQ's is_monitor: administrator or monitoring). */
  readonly isMonitor: boolean;

  constructor(
    user: UserConfig,
    private readonly access: AccessControl,
  ) {
    this.name = user.name;
    this.isAdministrator = user.tags.includes('administrator');
    this.isMonitor = this.isAdministrator || user.tags.includes('monitoring');
    if (!user.tags.some((tag) => MANAGEMENT_TAGS.includes(tag))) {
      throw notAuthorised('Not management user');
    }
  }

  /** Vhosts whose objects appear in listings. */
  seesVhost(vhost: string): boolean {
    return this.isMonitor || this.access.canAccessVhost(this.name, vhost);
  }

  /** Requests naming a vhost need access to it (administrators pass). */
  checkVhost(vhost: string): void {
    if (this.isAdministrator || this.access.canAccessVhost(this.name, vhost)) return;
    throw notAuthorised('User not authorised to access virtual host');
  }

  seesConnectionOf(user: string | undefined): boolean {
    return this.isMonitor || user === this.name;
  }

  /** /metrics covers every vhost, so it is for monitors only. */
  checkMonitor(): void {
    if (!this.isMonitor) throw notAuthorised('Not monitor user');
  }

  /** The AMQP permission the equivalent method needs; refused as RabbitMQ's API words it. */
  checkPermission(vhost: string, kind: PermissionKind, queue: string): void {
    if (this.access.isAllowed(this.name, vhost, kind, queue)) return;
    throw notAuthorised('Access refused.');
  }
}
