import type { Broker } from '../server/broker';

/** Placeholder until the management API lands: refuses to start rather than pretend. */
export async function startManagement(
  _broker: Broker,
  _options: { port: number; host: string },
): Promise<{ url: string; close(): Promise<void> }> {
  throw new Error('management API: not implemented yet');
}
