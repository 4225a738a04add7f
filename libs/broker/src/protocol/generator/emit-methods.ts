import { decodeStatements, decodedType, encodeStatements, inputType, local } from './field-code';
import type { Spec, SpecMethod } from './spec-model';

export function banner(source: string): string {
  return [
    '// generated — do not edit.',
    `// Produced by libs/broker/src/protocol/generator from ${source};`,
    '// regenerate with `npm run broker:generate`.',
    '/* eslint-disable */',
    '',
  ].join('\n');
}

function indent(lines: string[], depth = 1): string {
  const pad = '  '.repeat(depth);
  return lines.map((l) => (l === '' ? '' : pad + l)).join('\n');
}

function argsInterface(m: SpecMethod): string {
  if (m.fields.length === 0) {
    return `export type ${m.typeName}Args = Record<string, never>;\nexport type ${m.typeName}Input = Record<string, never>;`;
  }
  const decoded = m.fields.map((f) => `  readonly ${f.name}: ${decodedType(f.type)};`);
  const input = m.fields.map(
    (f) => `  readonly ${f.name}${f.hasDefault ? '?' : ''}: ${inputType(f.type)};`,
  );
  return [
    `/** Arguments of ${m.fullName} (${m.classId}/${m.methodId}) as decoded. */`,
    `export interface ${m.typeName}Args {`,
    ...decoded,
    '}',
    `/** Arguments of ${m.fullName} for encoding; fields with a spec default may be left out. */`,
    `export interface ${m.typeName}Input {`,
    ...input,
    '}',
  ].join('\n');
}

function decoder(m: SpecMethod): string {
  if (m.fields.length === 0) return '';
  const fail = `truncated('${m.fullName}')`;
  const lines = [
    'const $end = $b.length;',
    'let $p = 4;',
    'let $n = 0;',
    ...decodeStatements(m.fields, fail),
    `if ($p !== $end) throw syntaxError('${m.fullName}: ' + ($end - $p) + ' unexpected bytes after the last field');`,
    `return { ${m.fields.map((f) => `${f.name}: ${local(f)}`).join(', ')} };`,
  ];
  return [`function decode${m.typeName}($b: Buffer): ${m.typeName}Args {`, indent(lines), '}'].join(
    '\n',
  );
}

function encoder(m: SpecMethod): string {
  const lines = encodeStatements(m.fields, m.fullName);
  const param = m.fields.length === 0 ? '_a' : 'a';
  return [
    `function write${m.typeName}(w: WireWriter, ${param}: ${m.typeName}Input): void {`,
    indent(lines),
    '}',
  ].join('\n');
}

export function emitMethods(spec: Spec, source: string): string {
  const methods = spec.classes.flatMap((c) => c.methods);
  const out: string[] = [banner(source)];
  out.push(
    "import { AmqpError, syntaxError } from '../amqp-error';",
    "import { readTableBody, writeTable } from '../field-table';",
    "import type { FieldTable } from '../field-value';",
    "import { ReplyCode } from '../reply-code';",
    "import { WireWriter } from '../wire-writer';",
    '',
    'function truncated(method: string): never {',
    '  throw syntaxError(`${method}: payload truncated or a declared length overruns it`);',
    '}',
    '',
  );

  for (const m of methods) out.push(argsInterface(m), '');

  out.push('/** Decoded arguments by method name. */', 'export interface MethodArgs {');
  for (const m of methods) out.push(`  '${m.fullName}': ${m.typeName}Args;`);
  out.push('}', '', '/** Encoding input by method name. */', 'export interface MethodInput {');
  for (const m of methods) out.push(`  '${m.fullName}': ${m.typeName}Input;`);
  out.push('}', '', 'export type MethodName = keyof MethodArgs;', '');

  out.push(
    '/** A decoded method frame payload, discriminated on `name`. */',
    'export type AmqpMethod =',
  );
  for (const m of methods) {
    out.push(
      `  | { readonly name: '${m.fullName}'; readonly classId: ${m.classId}; readonly methodId: ${m.methodId}; readonly args: ${m.typeName}Args }`,
    );
  }
  out.push(';', '');

  out.push(
    '/** Static facts about a method from the spec. */',
    'export interface MethodInfo {',
    '  readonly name: MethodName;',
    '  readonly classId: number;',
    '  readonly methodId: number;',
    '  /** the spec marks it synchronous (it expects a reply method) */',
    '  readonly synchronous: boolean;',
    '  /** a content header and body frames follow it */',
    '  readonly hasContent: boolean;',
    "  readonly fields: readonly { readonly name: string; readonly wireName: string; readonly type: 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp' }[];",
    '}',
    '',
    'export const METHODS: { readonly [N in MethodName]: MethodInfo } = {',
  );
  for (const m of methods) {
    const fields = m.fields
      .map((f) => `{ name: '${f.name}', wireName: '${f.wireName}', type: '${f.type}' }`)
      .join(', ');
    out.push(
      `  '${m.fullName}': { name: '${m.fullName}', classId: ${m.classId}, methodId: ${m.methodId}, synchronous: ${m.synchronous}, hasContent: ${m.hasContent}, fields: [${fields}] },`,
    );
  }
  out.push('};', '');

  out.push(
    '/** The method with these ids, or undefined. */',
    'export function methodInfo(classId: number, methodId: number): MethodInfo | undefined {',
    '  return METHOD_BY_ID.get(classId * 0x10000 + methodId);',
    '}',
    '',
    'const METHOD_BY_ID = new Map<number, MethodInfo>(',
    '  Object.values(METHODS).map((m) => [m.classId * 0x10000 + m.methodId, m]),',
    ');',
    '',
    '/** Class ids the spec defines (an unknown class is a different error from an unknown method). */',
    `export const CLASS_IDS: ReadonlySet<number> = new Set([${spec.classes.map((c) => c.id).join(', ')}]);`,
    '',
  );

  for (const m of methods) {
    const d = decoder(m);
    if (d !== '') out.push(d, '');
  }

  out.push(
    '/**',
    ' * Decodes a method frame payload (class id, method id, arguments).',
    ' * Arguments that cannot be decoded (truncated, overrunning lengths, a bad field',
    ' * table, bytes left over) throw AmqpError 501 naming the method, as RabbitMQ',
    ' * answers them ("FRAME_ERROR - cannot decode"); an unknown class or method',
    ' * throws 540 (RabbitMQ 3.10 drops the TCP connection without a close there).',
    ' */',
    'export function decodeMethod(payload: Buffer): AmqpMethod {',
    "  if (payload.length < 4) throw new AmqpError(ReplyCode.FrameError, 'method frame shorter than its class and method ids');",
    '  const classId = payload.readUInt16BE(0);',
    '  const methodId = payload.readUInt16BE(2);',
    '  try {',
    '    switch (classId * 0x10000 + methodId) {',
  );
  for (const m of methods) {
    const args =
      m.fields.length === 0 ? `noArgs(payload, '${m.fullName}')` : `decode${m.typeName}(payload)`;
    out.push(
      `      case ${m.classId * 0x10000 + m.methodId}:`,
      `        return { name: '${m.fullName}', classId: ${m.classId}, methodId: ${m.methodId}, args: ${args} };`,
    );
  }
  out.push(
    '      default:',
    '        throw unknownMethod(classId, methodId);',
    '    }',
    '  } catch (error) {',
    '    if (error instanceof AmqpError && error.code === ReplyCode.SyntaxError) {',
    '      throw new AmqpError(ReplyCode.FrameError, `cannot decode ${error.message}`, classId, methodId);',
    '    }',
    '    throw error;',
    '  }',
    '}',
    '',
    'function noArgs(payload: Buffer, method: string): Record<string, never> {',
    "  if (payload.length !== 4) throw syntaxError(method + ': ' + (payload.length - 4) + ' unexpected bytes after the method id');",
    '  return NO_ARGS;',
    '}',
    '',
    'const NO_ARGS: Record<string, never> = Object.freeze({}) as Record<string, never>;',
    '',
    'function unknownMethod(classId: number, methodId: number): AmqpError {',
    '  const what = CLASS_IDS.has(classId) ? `unknown method ${methodId} of class ${classId}` : `unknown class ${classId}`;',
    '  return new AmqpError(ReplyCode.NotImplemented, what, classId, methodId);',
    '}',
    '',
  );

  for (const m of methods) out.push(encoder(m), '');

  out.push(
    'type Writer<N extends MethodName> = (w: WireWriter, args: MethodInput[N]) => void;',
    '',
    'const WRITERS: { readonly [N in MethodName]: Writer<N> } = {',
  );
  for (const m of methods) out.push(`  '${m.fullName}': write${m.typeName},`);
  out.push(
    '};',
    '',
    '/** Appends a whole method frame (header, class and method ids, arguments, frame end) to `w`. */',
    'export function writeMethodFrame<N extends MethodName>(w: WireWriter, channel: number, name: N, args: MethodInput[N]): void {',
    '  const info = METHODS[name] as MethodInfo | undefined;',
    '  if (info === undefined) throw new TypeError(`unknown AMQP method "${String(name)}"`);',
    '  const start = w.beginFrame(1, channel);',
    '  w.short(info.classId);',
    '  w.short(info.methodId);',
    '  (WRITERS[name] as Writer<N>)(w, args);',
    '  w.endFrame(start);',
    '}',
    '',
  );
  return out.join('\n');
}
