/** The spec JSON reduced to what the emitters need, with domains resolved to wire types. */

export type WireType =
  'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp';

const WIRE_TYPES = new Set<string>([
  'bit',
  'octet',
  'short',
  'long',
  'longlong',
  'shortstr',
  'longstr',
  'table',
  'timestamp',
]);

export interface SpecField {
  /** spec name, e.g. "routing-key" */
  readonly wireName: string;
  /** camelCase name used in args objects, e.g. "routingKey" */
  readonly name: string;
  readonly type: WireType;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
}

export interface SpecMethod {
  /** "basic.publish" */
  readonly fullName: string;
  /** "BasicPublish" */
  readonly typeName: string;
  readonly classId: number;
  readonly methodId: number;
  readonly synchronous: boolean;
  readonly hasContent: boolean;
  readonly fields: readonly SpecField[];
}

export interface SpecClass {
  readonly name: string;
  readonly id: number;
  readonly methods: readonly SpecMethod[];
  readonly properties: readonly SpecField[];
}

export interface Spec {
  readonly version: string;
  readonly classes: readonly SpecClass[];
}

interface RawArgument {
  name: string;
  type?: string;
  domain?: string;
  'default-value'?: unknown;
}

interface RawSpec {
  'major-version': number;
  'minor-version': number;
  revision: number;
  domains: [string, string][];
  classes: {
    name: string;
    id: number;
    properties?: RawArgument[];
    methods: {
      name: string;
      id: number;
      synchronous?: boolean;
      content?: boolean;
      arguments: RawArgument[];
    }[];
  }[];
}

export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

export function readSpec(raw: RawSpec): Spec {
  const domains = new Map(raw.domains);
  const resolve = (arg: RawArgument, where: string): WireType => {
    let type = arg.type ?? arg.domain;
    // a domain may name another domain; follow until a wire type
    for (let hops = 0; type !== undefined && !WIRE_TYPES.has(type) && hops < 10; hops++) {
      type = domains.get(type);
    }
    if (type === undefined || !WIRE_TYPES.has(type)) {
      throw new Error(`${where}: cannot resolve the type of "${arg.name}"`);
    }
    return type as WireType;
  };
  const field = (arg: RawArgument, where: string): SpecField => ({
    wireName: arg.name,
    name: camelCase(arg.name),
    type: resolve(arg, where),
    hasDefault: 'default-value' in arg,
    defaultValue: arg['default-value'],
  });
  const classes = raw.classes
    .map((c) => ({
      name: c.name,
      id: c.id,
      properties: (c.properties ?? []).map((p) => field(p, `${c.name} properties`)),
      methods: c.methods
        .map((m) => ({
          fullName: `${c.name}.${m.name}`,
          typeName: pascalCase(c.name) + pascalCase(m.name),
          classId: c.id,
          methodId: m.id,
          synchronous: m.synchronous === true,
          hasContent: m.content === true,
          fields: m.arguments.map((a) => field(a, `${c.name}.${m.name}`)),
        }))
        .sort((a, b) => a.methodId - b.methodId),
    }))
    .sort((a, b) => a.id - b.id);
  return {
    version: `${raw['major-version']}-${raw['minor-version']}-${raw.revision}`,
    classes,
  };
}
