import { createHash } from 'node:crypto';
import { Command, type Cluster, type Redis } from 'ioredis';

/**
 * One Lua script, sent as EVALSHA straight onto the connection (and as EVAL when the
 * server does not know it yet: first use, or a restarted Redis).
 *
 * Not through ioredis' defineCommand: on a client with auto-pipelining (which
 * RedisIdempotencyStore.connect used to switch on) every call joins the pipeline being
 * gathered, waits while another pipeline is in flight, and is answered only once every
 * reply of its pipeline is in. The store sends few, large calls of its own, so that
 * made an acquire wait for the completes sent with it and Redis and the consumer took
 * turns instead of working side by side (embedded broker: the consumer sat idle for
 * 30% of the run). Written directly, each call leaves at once and is answered alone.
 */
export class RedisScript {
  readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script; `args` is numberOfKeys, the keys, then the other arguments. */
  run<T>(redis: Redis | Cluster, args: (string | number)[]): Promise<T> {
    return (this.send(redis, 'evalsha', this.sha, args) as Promise<T>).catch((error: Error) => {
      if (!String(error?.message).includes('NOSCRIPT')) throw error;
      return this.send(redis, 'eval', this.lua, args) as Promise<T>;
    });
  }

  private send(
    redis: Redis | Cluster,
    name: 'evalsha' | 'eval',
    script: string,
    args: (string | number)[],
  ): Promise<unknown> {
    // Command copies its arguments (flat()); the script goes in front of that copy. The
    // client's keyPrefix applies as it does to the store's other commands.
    const command = new Command(name, [script, args], {
      replyEncoding: 'utf8',
      keyPrefix: redis.options.keyPrefix,
    });
    void redis.sendCommand(command);
    return command.promise;
  }
}
