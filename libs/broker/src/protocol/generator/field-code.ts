/**
 * Code fragments that read and write one field list (method arguments) in spec
 * order. Bits are packed consecutively, up to eight per octet, first bit in the
 * lowest position; any other field ends the pack.
 *
 * Reads are bounds-checked once per run of fixed-size fields (a variable field's
 * length prefix joins the run before it), so hot methods pay one comparison for
 * several fields while a truncated payload still fails with a syntax error
 * before anything is read past its end.
 */
import type { SpecField, WireType } from './spec-model';

const FIXED_SIZE: Partial<Record<WireType, number>> = {
  octet: 1,
  short: 2,
  long: 4,
  longlong: 8,
  timestamp: 8,
};
const PREFIX_SIZE: Partial<Record<WireType, number>> = { shortstr: 1, longstr: 4, table: 4 };

/** A field, or a pack of consecutive bits sharing one octet. */
type Item = { kind: 'field'; field: SpecField } | { kind: 'bits'; fields: SpecField[] };

function items(fields: readonly SpecField[]): Item[] {
  const out: Item[] = [];
  for (const field of fields) {
    const last = out[out.length - 1];
    if (field.type === 'bit' && last?.kind === 'bits' && last.fields.length < 8) {
      last.fields.push(field);
    } else if (field.type === 'bit') {
      out.push({ kind: 'bits', fields: [field] });
    } else {
      out.push({ kind: 'field', field });
    }
  }
  return out;
}

export function local(field: SpecField): string {
  return `_${field.name}`;
}

/** TS type of a decoded field. */
export function decodedType(type: WireType): string {
  switch (type) {
    case 'bit':
      return 'boolean';
    case 'octet':
    case 'short':
    case 'long':
    case 'longlong':
      return 'number';
    case 'shortstr':
      return 'string';
    case 'longstr':
      return 'Buffer';
    case 'table':
      return 'FieldTable';
    case 'timestamp':
      return 'bigint';
  }
}

/** TS type accepted when encoding (long strings may be given as text). */
export function inputType(type: WireType): string {
  return type === 'longstr' ? 'Buffer | string' : decodedType(type);
}

/**
 * Statements that decode `fields` from `$b` starting at `$p` (declared by the
 * caller, with `$end` and `$n`), leaving one `const _<name>` per field.
 * `fail` is an expression that throws for a truncated payload.
 */
export function decodeStatements(fields: readonly SpecField[], fail: string): string[] {
  const lines: string[] = [];
  const list = items(fields);
  let i = 0;
  while (i < list.length) {
    // one bounds check for the run of fixed-size items and the next variable field's prefix
    let run = 0;
    let j = i;
    for (; j < list.length; j++) {
      const item = list[j]!;
      if (item.kind === 'bits') {
        run += 1;
        continue;
      }
      const fixed = FIXED_SIZE[item.field.type];
      if (fixed !== undefined) {
        run += fixed;
        continue;
      }
      run += PREFIX_SIZE[item.field.type]!;
      j++;
      break;
    }
    lines.push(`if ($p + ${run} > $end) ${fail};`);
    for (; i < j; i++) lines.push(...decodeItem(list[i]!, fail));
  }
  return lines;
}

function decodeItem(item: Item, fail: string): string[] {
  if (item.kind === 'bits') {
    const lines = ['$n = $b[$p];', '$p += 1;'];
    item.fields.forEach((f, bit) => lines.push(`const ${local(f)} = ($n & ${1 << bit}) !== 0;`));
    return lines;
  }
  const f = item.field;
  const v = local(f);
  switch (f.type) {
    case 'octet':
      return [`const ${v} = $b[$p];`, '$p += 1;'];
    case 'short':
      return [`const ${v} = $b.readUInt16BE($p);`, '$p += 2;'];
    case 'long':
      return [`const ${v} = $b.readUInt32BE($p);`, '$p += 4;'];
    case 'longlong':
      // delivery tags and the like: a JS number is exact up to 2^53
      return [
        `const ${v} = $b.readUInt32BE($p) * 0x100000000 + $b.readUInt32BE($p + 4);`,
        '$p += 8;',
      ];
    case 'timestamp':
      return [`const ${v} = $b.readBigUInt64BE($p);`, '$p += 8;'];
    case 'shortstr':
      return [
        '$n = $b[$p];',
        '$p += 1;',
        `if ($p + $n > $end) ${fail};`,
        `const ${v} = $n === 0 ? '' : $b.toString('utf8', $p, $p + $n);`,
        '$p += $n;',
      ];
    case 'longstr':
      return [
        '$n = $b.readUInt32BE($p);',
        '$p += 4;',
        `if ($n > $end - $p) ${fail};`,
        // copied so a kept value never pins the network chunk it arrived in
        `const ${v} = Buffer.from($b.subarray($p, $p + $n));`,
        '$p += $n;',
      ];
    case 'table':
      return [
        '$n = $b.readUInt32BE($p);',
        '$p += 4;',
        `if ($n > $end - $p) ${fail};`,
        `const ${v} = readTableBody($b, $p, $p + $n, 0);`,
        '$p += $n;',
      ];
    case 'bit':
      throw new Error('unreachable: bits are packed');
  }
}

function defaultLiteral(field: SpecField): string {
  const value = field.defaultValue;
  if (field.type === 'table') return '{}';
  if (field.type === 'longstr') return JSON.stringify(value ?? '');
  if (field.type === 'timestamp') return `${String(value ?? 0)}n`;
  return JSON.stringify(value);
}

/** The expression for a field of the input object `a`, falling back to the spec default. */
function inputExpression(field: SpecField): string {
  const access = `a.${field.name}`;
  return field.hasDefault ? `(${access} ?? ${defaultLiteral(field)})` : access;
}

/** Statements that write `fields` from the input object `a` with the writer `w`. */
export function encodeStatements(fields: readonly SpecField[], context: string): string[] {
  const lines: string[] = [];
  for (const item of items(fields)) {
    if (item.kind === 'bits') {
      const parts = item.fields.map((f, bit) => `(${inputExpression(f)} ? ${1 << bit} : 0)`);
      lines.push(`w.octet(${parts.join(' | ')});`);
      continue;
    }
    const f = item.field;
    const v = inputExpression(f);
    switch (f.type) {
      case 'octet':
      case 'short':
      case 'long':
      case 'longlong':
      case 'timestamp':
        lines.push(`w.${f.type}(${v});`);
        break;
      case 'shortstr':
        lines.push(`w.shortstr(${v}, '${context} ${f.wireName}');`);
        break;
      case 'longstr':
        lines.push(`w.longstr(${v});`);
        break;
      case 'table':
        lines.push(`writeTable(w, ${v});`);
        break;
      case 'bit':
        throw new Error('unreachable: bits are packed');
    }
  }
  return lines;
}
