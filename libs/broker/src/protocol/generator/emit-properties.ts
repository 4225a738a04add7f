import { banner } from './emit-methods';
import { decodeStatements, decodedType, encodeStatements, local } from './field-code';
import { pascalCase, type Spec } from './spec-model';

/**
 * Emits the content-header property codec of one class. Property i (from 0) is
 * present when bit 15 - i of the flag word is set; bit 0 announces another flag
 * word, which basic (14 properties) never needs.
 */
export function emitProperties(spec: Spec, className: string, source: string): string {
  const cls = spec.classes.find((c) => c.name === className);
  if (cls === undefined) throw new Error(`the spec has no class "${className}"`);
  const props = cls.properties;
  if (props.length > 15)
    throw new Error(`${className}: more than 15 properties needs flag continuation`);
  const type = `${pascalCase(className)}Properties`;
  const fail = `truncated()`;
  const out: string[] = [banner(source)];
  out.push(
    "import { syntaxError } from '../amqp-error';",
    "import { readTableBody, writeTable } from '../field-table';",
    "import type { FieldTable } from '../field-value';",
    "import { WireWriter } from '../wire-writer';",
    '',
    'function truncated(): never {',
    `  throw syntaxError('${className} content header: properties truncated or a declared length overruns them');`,
    '}',
    '',
    `/** Properties of a ${className} content header; absent ones are left out. */`,
    `export interface ${type} {`,
    ...props.map((p) => `  ${p.name}?: ${decodedType(p.type)};`),
    '}',
    '',
    `/** The flag bit of each property. */`,
    `export const ${className.toUpperCase()}_PROPERTY_FLAGS: { readonly [K in keyof ${type}]-?: number } = {`,
    ...props.map((p, i) => `  ${p.name}: 0x${(0x8000 >> i).toString(16)},`),
    '};',
    '',
    `/** Decodes the flag word(s) at \`start\` and the properties after them. */`,
    `export function read${type}($b: Buffer, start: number): ${type} {`,
    '  const $end = $b.length;',
    '  let $p = start;',
    '  let $n = 0;',
    `  if ($p + 2 > $end) ${fail};`,
    '  const $flags = $b.readUInt16BE($p);',
    '  $p += 2;',
    '  // further flag words announce properties this class does not define: skip them',
    '  for (let more = $flags; (more & 1) !== 0; $p += 2) {',
    `    if ($p + 2 > $end) ${fail};`,
    '    more = $b.readUInt16BE($p);',
    '  }',
    `  const props: ${type} = {};`,
  );
  props.forEach((p, i) => {
    out.push(`  if (($flags & 0x${(0x8000 >> i).toString(16)}) !== 0) {`);
    for (const line of decodeStatements([p], fail)) out.push(`    ${line}`);
    out.push(`    props.${p.name} = ${local(p)};`, '  }');
  });
  out.push('  void $n;', '  return props;', '}', '');

  out.push(
    `/** Writes the flag word and the present properties. */`,
    `export function write${type}(w: WireWriter, a: ${type}): void {`,
    '  w.ensure(2);',
    '  const at = w.pos;',
    '  w.pos += 2;',
    '  let flags = 0;',
  );
  props.forEach((p, i) => {
    out.push(`  if (a.${p.name} !== undefined) {`, `    flags |= 0x${(0x8000 >> i).toString(16)};`);
    for (const line of encodeStatements([{ ...p, hasDefault: false }], `${className} property`)) {
      out.push(`    ${line}`);
    }
    out.push('  }');
  });
  out.push('  w.buf.writeUInt16BE(flags, at);', '}', '');
  return out.join('\n');
}
