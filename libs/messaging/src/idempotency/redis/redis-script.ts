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
 *
 * The call is encoded here, in one pass over the keys, rather than by ioredis'
 * Command: that copies the argument list with Array.prototype.flat and converts it
 * argument by argument, about 1 µs per key of a 500-key batch.
 */
export class RedisScript {
  readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script over `keys` (the client's keyPrefix is applied) with `args` as ARGV. */
  run<T>(redis: Redis | Cluster, keys: readonly string[], args: readonly string[]): Promise<T> {
    return (this.send(redis, 'evalsha', this.sha, keys, args) as Promise<T>).catch(
      (error: Error) => {
        if (!String(error?.message).includes('NOSCRIPT')) throw error;
        return this.send(redis, 'eval', this.lua, keys, args) as Promise<T>;
      },
    );
  }

  private send(
    redis: Redis | Cluster,
    name: 'evalsha' | 'eval',
    script: string,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const prefix = redis.options.keyPrefix ?? '';
    let resp = `*${3 + keys.length + args.length}\r\n$${name.length}\r\n${name}\r\n${bulk(script)}${bulk(String(keys.length))}`;
    for (const key of keys) resp += bulk(prefix + key);
    for (const arg of args) resp += bulk(arg);
    // A Cluster client routes a command by its first key, read from the argument list.
    const routing = redis.isCluster ? [script, keys.length, prefix + keys[0]] : [];
    const command = new EncodedCommand(name, routing, resp);
    void redis.sendCommand(command);
    return command.promise;
  }
}

/** A command whose wire form is already built. */
class EncodedCommand extends Command {
  constructor(
    name: string,
    routing: (string | number)[],
    private readonly resp: string,
  ) {
    super(name, routing, { replyEncoding: 'utf8' });
  }

  override toWritable(): string {
    return this.resp;
  }
}

function bulk(value: string): string {
  return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}
