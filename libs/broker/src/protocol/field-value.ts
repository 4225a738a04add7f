/**
 * One typed value of an AMQP field table. The wire type is kept so a table read
 * from a client is written back exactly as it came (RabbitMQ compares some
 * arguments by value across integer types, see fieldValuesEquivalent).
 */
export type FieldValue =
  | { type: 't'; value: boolean }
  | { type: IntegerFieldType | 'f' | 'd'; value: number }
  | { type: 'l'; value: bigint }
  | { type: 'T'; value: bigint }
  | { type: 'D'; value: { scale: number; value: number } }
  | { type: 'S'; value: string }
  | { type: 'x'; value: Buffer }
  | { type: 'A'; value: FieldValue[] }
  | { type: 'F'; value: FieldTable }
  | { type: 'V'; value: null };

export type FieldTable = Record<string, FieldValue>;

export type FieldType = FieldValue['type'];

/** Integer types that fit a JS number ('l' is the 64-bit one, carried as bigint). */
export type IntegerFieldType = 'b' | 'B' | 's' | 'u' | 'I' | 'i';

export const FIELD_TYPES: readonly FieldType[] = [
  't',
  'b',
  'B',
  's',
  'u',
  'I',
  'i',
  'l',
  'f',
  'd',
  'D',
  'S',
  'x',
  'A',
  'T',
  'F',
  'V',
];
