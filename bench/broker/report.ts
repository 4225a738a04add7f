import type { WorkloadResult } from './workloads';

export type Outcome = WorkloadResult | { error: string } | undefined;

export interface Row {
  readonly id: string;
  readonly title: string;
  /** the target, checked against the two outcomes */
  readonly target: { text: string; met(rabbit: WorkloadResult, embedded: WorkloadResult): boolean };
  readonly latency?: boolean;
}

const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function cell(outcome: Outcome, latency: boolean): [string, string] {
  if (outcome === undefined) return ['n/a', ''];
  if ('error' in outcome) return [`failed: ${outcome.error.slice(0, 40)}`, ''];
  const cpu = `${num(outcome.brokerMicrosPerMessage, 1)} µs`;
  if (latency) return [`${num(outcome.p50Ms!, 2)} / ${num(outcome.p99Ms!, 2)} ms`, cpu];
  return [`${num(outcome.msgPerSecond)} msg/s`, cpu];
}

/** Side-by-side table: figure and broker CPU per message for each broker, the ratio, the target. */
export function printTable(
  rows: readonly Row[],
  results: Map<string, { rabbit: Outcome; embedded: Outcome }>,
): void {
  const table = rows.map((row) => {
    const { rabbit, embedded } = results.get(row.id) ?? { rabbit: undefined, embedded: undefined };
    const [rabbitFigure, rabbitCpu] = cell(rabbit, row.latency === true);
    const [embeddedFigure, embeddedCpu] = cell(embedded, row.latency === true);
    const both = rabbit && embedded && !('error' in rabbit) && !('error' in embedded);
    let ratio = '';
    let verdict = '';
    if (both) {
      ratio = row.latency
        ? `p99 ${num(embedded.p99Ms! / rabbit.p99Ms!, 2)}x`
        : `${num(embedded.msgPerSecond / rabbit.msgPerSecond, 2)}x`;
      verdict = row.target.met(rabbit, embedded) ? 'met' : 'NOT met';
    }
    return {
      workload: `${row.id} ${row.title}`,
      RabbitMQ: rabbitFigure,
      'RabbitMQ CPU/msg': rabbitCpu,
      embedded: embeddedFigure,
      'embedded CPU/msg': embeddedCpu,
      'embedded/RabbitMQ': ratio,
      target: row.target.text,
      verdict,
    };
  });
  console.table(table);
}
