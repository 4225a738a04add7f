import type { CustomTypesConfig } from 'pg';
import { types as pgTypes } from 'pg';
import { preparedName } from './prepared-statements';

const INT8_OID = 20;

/** int8 as bigint (pg's default is a string), every other type as pg parses it. */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => BigInt(value)
      : pgTypes.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
};

/** How pg is asked to run one statement (named when it is marked `prepared`). */
export function pgQueryConfig(sql: string, params: readonly unknown[]) {
  return { name: preparedName(sql), text: sql, values: [...params], types: typeParsers };
}
