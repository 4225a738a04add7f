export {
  PROTOCOL_HEADER,
  FRAME_END,
  FRAME_MIN_SIZE,
  FRAME_HEADER_SIZE,
  FRAME_OVERHEAD,
  FrameType,
} from './constants';
export { ReplyCode, replyCodeName, isConnectionLevel } from './reply-code';
export { AmqpError } from './amqp-error';
export { FrameParser, type FrameHandler } from './frame-parser';
export type { FieldTable, FieldValue, FieldType, IntegerFieldType } from './field-value';
export { FIELD_TYPES } from './field-value';
export {
  encodeTable,
  decodeTable,
  writeTable,
  readTableBody,
  MAX_TABLE_DEPTH,
} from './field-table';
export {
  toFieldValue,
  toFieldTable,
  plainValue,
  plainTable,
  tableValue,
  type PlainFieldValue,
} from './field-value-convert';
export { numericValue, fieldValuesEquivalent, tablesEquivalent } from './field-value-compare';
export { encodeMethodFrame } from './method-codec';
export * from './generated/methods';
export {
  BASIC_PROPERTY_FLAGS,
  readBasicProperties,
  writeBasicProperties,
  type BasicProperties,
} from './generated/basic-properties';
export {
  decodeContentHeader,
  decodeBasicProperties,
  encodeContentHeaderPayload,
  encodeHeaderFrame,
  encodeBodyFrames,
  encodeContentFrames,
  writeHeaderFrame,
  writeBodyFrames,
  type ContentHeader,
  type ContentMethodName,
} from './content';
export { WireWriter } from './wire-writer';
