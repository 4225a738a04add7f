import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

const permissionSchema = z.object({
  user: z.string().min(1),
  vhost: z.string().min(1),
  configure: z.string().default('.*'),
  write: z.string().default('.*'),
  read: z.string().default('.*'),
});

const userSchema = z.object({
  name: z.string().min(1),
  password: z.string(),
  tags: z.array(z.string()).default([]),
});

/** The JSON config file (--config) as users write it. */
export const brokerConfigSchema = z
  .object({
    users: z.array(userSchema).optional(),
    vhosts: z.array(z.string().min(1)).optional(),
    permissions: z.array(permissionSchema).optional(),
    /** Let these users in from non-loopback addresses too (RabbitMQ's loopback_users inverted). */
    loopbackOnlyUsers: z.array(z.string()).optional(),
    /** Fraction of total memory (< 1) or bytes (>= 1) above which publishers are blocked. */
    memoryHighWatermark: z.number().positive().optional(),
    /** Free disk bytes below which publishers are blocked. */
    diskFreeLimit: z.number().nonnegative().optional(),
    /**
     * Memory for ready messages held in memory, over all queues: bytes (>= 1) or a
     * fraction (< 1) of the V8 heap limit. Above it ready messages are paged out to disk.
     */
    messageMemoryBudget: z.number().positive().optional(),
    /** Message segment files roll over at this size (bytes; default 16 MiB). */
    segmentSize: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .optional(),
    /** How often compaction looks for mostly-removed segments (ms; 0 = off; default 1000). */
    compactionIntervalMs: z.number().nonnegative().optional(),
    heartbeat: z.number().int().nonnegative().optional(),
    frameMax: z.number().int().min(4096).optional(),
    channelMax: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

export type BrokerConfigInput = z.input<typeof brokerConfigSchema>;

export interface UserConfig {
  readonly name: string;
  readonly password: string;
  readonly tags: readonly string[];
}

export interface PermissionConfig {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** Fully resolved broker settings (defaults applied). */
export interface BrokerConfig {
  readonly users: readonly UserConfig[];
  readonly vhosts: readonly string[];
  readonly permissions: readonly PermissionConfig[];
  readonly loopbackOnlyUsers: readonly string[];
  readonly memoryHighWatermark: number;
  readonly diskFreeLimit: number;
  /** Bytes (resolved from a fraction of the heap limit when given as one). */
  readonly messageMemoryBudget: number;
  /** Store settings; undefined = the store's defaults. */
  readonly segmentSize: number | undefined;
  readonly compactionIntervalMs: number | undefined;
  readonly heartbeat: number;
  readonly frameMax: number;
  readonly channelMax: number;
}

export const DEFAULT_FRAME_MAX = 131072;
export const DEFAULT_CHANNEL_MAX = 2047;
export const DEFAULT_HEARTBEAT = 60;
/** RabbitMQ's defaults: 40% of memory, 50 MB of free disk. */
export const DEFAULT_MEMORY_HIGH_WATERMARK = 0.4;
export const DEFAULT_DISK_FREE_LIMIT = 50_000_000;
/**
 * Ready messages kept in memory before persisted ones page to disk (estimated bytes,
 * see model/memory-budget.ts): small enough that a broker with a million queued
 * messages stays well under 200 MiB, large enough that ordinary backlogs never page.
 */
export const DEFAULT_MESSAGE_MEMORY_BUDGET = 64 * 1024 * 1024;

/** A budget given as a fraction (< 1) is that share of the V8 heap limit. */
export function resolveMemoryBudget(value: number): number {
  return value < 1 ? Math.floor(value * getHeapStatistics().heap_size_limit) : value;
}

/**
 * Resolves a config: the file/object given, else environment variables
 * (SURETY_BROKER_DEFAULT_USER / _PASS / _VHOST, as RabbitMQ's RABBITMQ_DEFAULT_*),
 * else guest/guest on "/" — guest allowed from loopback only.
 */
export function resolveBrokerConfig(
  input: BrokerConfigInput | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BrokerConfig {
  const parsed = brokerConfigSchema.parse(input ?? {});
  const defaultUser = env.SURETY_BROKER_DEFAULT_USER ?? 'guest';
  const defaultPass = env.SURETY_BROKER_DEFAULT_PASS ?? 'guest';
  const defaultVhost = env.SURETY_BROKER_DEFAULT_VHOST ?? '/';
  const users = parsed.users ?? [
    { name: defaultUser, password: defaultPass, tags: ['administrator'] },
  ];
  const vhosts = parsed.vhosts ?? [defaultVhost];
  const permissions =
    parsed.permissions ??
    users.flatMap((user) =>
      vhosts.map((vhost) => ({ user: user.name, vhost, configure: '.*', write: '.*', read: '.*' })),
    );
  for (const permission of permissions) {
    if (!users.some((user) => user.name === permission.user)) {
      throw new Error(`broker config: permission for unknown user '${permission.user}'`);
    }
    if (!vhosts.includes(permission.vhost)) {
      throw new Error(`broker config: permission for unknown vhost '${permission.vhost}'`);
    }
    for (const kind of ['configure', 'write', 'read'] as const) {
      try {
        new RegExp(permission[kind]);
      } catch (error) {
        throw new Error(
          `broker config: ${kind} permission of '${permission.user}' on '${permission.vhost}' is not a valid regex: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  return {
    users,
    vhosts,
    permissions,
    loopbackOnlyUsers: parsed.loopbackOnlyUsers ?? ['guest'],
    memoryHighWatermark: parsed.memoryHighWatermark ?? DEFAULT_MEMORY_HIGH_WATERMARK,
    diskFreeLimit: parsed.diskFreeLimit ?? DEFAULT_DISK_FREE_LIMIT,
    messageMemoryBudget: resolveMemoryBudget(
      parsed.messageMemoryBudget ?? DEFAULT_MESSAGE_MEMORY_BUDGET,
    ),
    segmentSize: parsed.segmentSize,
    compactionIntervalMs: parsed.compactionIntervalMs,
    heartbeat: parsed.heartbeat ?? DEFAULT_HEARTBEAT,
    frameMax: parsed.frameMax ?? DEFAULT_FRAME_MAX,
    channelMax: parsed.channelMax ?? DEFAULT_CHANNEL_MAX,
  };
}

/** Reads and validates a JSON config file; errors name the file. */
export function loadBrokerConfigFile(path: string): BrokerConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`broker config file ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`broker config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = brokerConfigSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`broker config file ${path} is invalid: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
