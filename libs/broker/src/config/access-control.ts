import { timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { BrokerConfig, UserConfig } from './broker-config';

export type PermissionKind = 'configure' | 'write' | 'read';

interface CompiledPermission {
  readonly configure: RegExp;
  readonly write: RegExp;
  readonly read: RegExp;
}

/**
 * Users, passwords and per-vhost permissions (RabbitMQ's model: three anchored
 * regexes matched against resource names). Loopback-only users (guest by
 * default) may log in only from 127.0.0.1 / ::1.
 */
export class AccessControl {
  private readonly users = new Map<string, UserConfig>();
  private readonly permissions = new Map<string, CompiledPermission>();
  private readonly loopbackOnly: Set<string>;
  readonly vhosts: readonly string[];

  constructor(config: BrokerConfig) {
    for (const user of config.users) this.users.set(user.name, user);
    for (const p of config.permissions) {
      this.permissions.set(key(p.user, p.vhost), {
        configure: anchored(p.configure),
        write: anchored(p.write),
        read: anchored(p.read),
      });
    }
    this.loopbackOnly = new Set(config.loopbackOnlyUsers);
    this.vhosts = config.vhosts;
  }

  /** The user when the password matches and the address is allowed; else undefined. */
  authenticate(
    name: string,
    password: string,
    remoteAddress: string | undefined,
  ): UserConfig | undefined {
    const user = this.users.get(name);
    if (user === undefined || !samePassword(user.password, password)) return undefined;
    if (this.loopbackOnly.has(name) && !isLoopback(remoteAddress)) return undefined;
    return user;
  }

  canAccessVhost(user: string, vhost: string): boolean {
    return this.permissions.has(key(user, vhost));
  }

  /** Vhosts the user has permissions on (RabbitMQ's "login vhosts"), in config order. */
  vhostsOf(user: string): string[] {
    return this.vhosts.filter((vhost) => this.canAccessVhost(user, vhost));
  }

  isAllowed(user: string, vhost: string, kind: PermissionKind, resource: string): boolean {
    const permission = this.permissions.get(key(user, vhost));
    return permission !== undefined && permission[kind].test(resource);
  }

  user(name: string): UserConfig | undefined {
    return this.users.get(name);
  }

  allUsers(): UserConfig[] {
    return [...this.users.values()];
  }
}

function key(user: string, vhost: string): string {
  return `${user}\u0000${vhost}`;
}

function anchored(pattern: string): RegExp {
  // RabbitMQ treats the empty pattern as "nothing" and otherwise does not anchor;
  // '^$' is how users write "nothing", '.*' everything.
  return pattern === '' ? /^(?!)$/ : new RegExp(pattern);
}

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * RabbitMQ's loopback test: 127.0.0.0/8, ::1, or an IPv4-mapped IPv6 address of
 * 127.0.0.0/8 (what a dual-stack socket reports for an IPv4 loopback client).
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(v4) && v4.startsWith('127.');
}
