import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcesses, CrashChild } from './crash-child';

const CLI = 'libs/broker/src/cli.ts';

/**
 * The embedded broker as a real process (its CLI), so that a test can kill it -9 and
 * start it again on the same port and data directory: clients reconnect to the same
 * URL and find what the broker had confirmed before it died.
 */
export class BrokerProcess {
  private child: CrashChild | undefined;
  private restarts = 0;

  private constructor(
    private readonly children: ChildProcesses,
    readonly port: number,
    readonly dataDir: string,
  ) {}

  static async start(children: ChildProcesses): Promise<BrokerProcess> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'surety-crash-broker-'));
    const broker = new BrokerProcess(children, await freePort(), dataDir);
    await broker.launch();
    return broker;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** kill -9 (no clean shutdown, no final fsync), then the same port and data dir again. */
  async crashAndRestart(downMs: number): Promise<void> {
    await this.child?.kill9();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.child?.kill9();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    this.child = this.children.startFile(
      CLI,
      ['--port', String(this.port), '--host', '127.0.0.1', '--data-dir', this.dataDir],
      `broker#${++this.restarts}`,
    );
    await this.child.waitForLine(/listening on amqp:\/\//, 30_000);
  }
}

/** A port nobody listens on right now (the broker must get the same one after a restart). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
