/**
 * Generates the AMQP 0-9-1 method and basic-properties codecs from the spec table.
 *
 *   npm run broker:generate [-- <path to amqp-rabbitmq-0.9.1.json>]
 *
 * The output under protocol/generated/ is committed; the build never reads the spec.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { emitMethods } from './emit-methods';
import { emitProperties } from './emit-properties';
import { readSpec } from './spec-model';

const REPO_ROOT = path.resolve(__dirname, '../../../../..');
const DEFAULT_SPEC = path.resolve(REPO_ROOT, '../shared/reference/amqp-rabbitmq-0.9.1.json');
const OUT_DIR = path.resolve(__dirname, '../generated');

function main(): void {
  const specPath = path.resolve(process.argv[2] ?? DEFAULT_SPEC);
  const spec = readSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  const source = `${path.basename(specPath)} (AMQP ${spec.version})`;
  const files = {
    'methods.ts': emitMethods(spec, source),
    'basic-properties.ts': emitProperties(spec, 'basic', source),
  };
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(OUT_DIR, name), text);
    console.log(`wrote ${path.relative(REPO_ROOT, path.join(OUT_DIR, name))}`);
  }
}

main();
