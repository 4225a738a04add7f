/**
 * Runs the embedded broker alone in this process, so the benchmark measures
 * its CPU (from /proc) apart from the client's. Prints "READY <url>" once
 * listening, or "UNAVAILABLE <reason>"; stops on SIGTERM or when stdin closes.
 *   node -r @swc-node/register bench/broker/embedded-child.ts <dataDir>
 */
async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (dataDir === undefined) throw new Error('usage: embedded-child.ts <dataDir>');
  type Start = (options: {
    port: number;
    dataDir: string;
    logger: {
      info(...a: unknown[]): void;
      warn(...a: unknown[]): void;
      error(...a: unknown[]): void;
    };
  }) => Promise<{ url: string; stop(): Promise<void> }>;
  let start: Start | undefined;
  try {
    const module = (await import('@surety/broker')) as { EmbeddedBroker?: { start?: Start } };
    start = module.EmbeddedBroker?.start?.bind(module.EmbeddedBroker);
  } catch (error) {
    console.log(`UNAVAILABLE ${(error as Error).message.split('\n')[0]}`);
    return;
  }
  if (start === undefined) {
    console.log('UNAVAILABLE @surety/broker does not export EmbeddedBroker yet');
    return;
  }
  // warnings and errors go to stderr (inherited by the benchmark), so a broker-side failure is visible
  const log = (...args: unknown[]) => console.error('[embedded broker]', ...args);
  const broker = await start({
    port: 0,
    dataDir,
    logger: { info: () => undefined, warn: log, error: log },
  });
  const stop = async () => {
    await broker.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  console.log(`READY ${broker.url}`);
}

main().catch((error: unknown) => {
  console.log(`UNAVAILABLE ${(error as Error).stack ?? String(error)}`.split('\n')[0]);
  process.exit(1);
});
