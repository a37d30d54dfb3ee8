/**
 * The JSON Schema (OpenAPI documentation only) of an event batch in columns, `mamori.columns/1`
 * (@mamori/policy event-columns.ts): the columns of each log type by their kinds. The limits of
 * each field are those of the row form (EventBatch); fast-columns.ts checks both.
 */
import { columnKinds, EVENT_COLUMNS_FORMAT, LOG_TYPES, type ColumnKind } from '@mamori/policy';

type Json = Record<string, unknown>;

const ints = { type: 'array', items: { type: 'integer' } };
const strings = { type: 'array', items: { type: 'string' } };
const COLUMN: Record<ColumnKind, Json> = {
  int: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'null' }] }, description: 'one value per row, null when absent' },
  bool: { type: 'array', items: { anyOf: [{ type: 'boolean' }, { type: 'null' }] }, description: 'one value per row, null when absent' },
  text: {
    type: 'object', properties: { d: strings, i: ints }, required: ['d', 'i'], additionalProperties: false,
    description: 'd: the distinct values; i: per row an index into d, -1 when absent',
  },
  list: {
    type: 'object', properties: { d: strings, n: ints, i: ints }, required: ['d', 'n', 'i'], additionalProperties: false,
    description: 'd: the distinct items; n: per row its item count; i: the items of every row in order, as indexes into d',
  },
};

export function eventColumnsDoc(): Json {
  const types: Record<string, Json> = {};
  for (const t of LOG_TYPES) {
    const cols: Record<string, Json> = {};
    for (const [field, kind] of columnKinds(t)) cols[field] = COLUMN[kind];
    types[t] = {
      type: 'object',
      properties: { n: { type: 'integer', minimum: 0, description: 'rows of this type' }, cols: { type: 'object', properties: cols, additionalProperties: false } },
      required: ['n', 'cols'],
      additionalProperties: false,
    };
  }
  return {
    type: 'object',
    description: 'An event batch in columns (mamori.columns/1), as gateways ship it: per log type one column per field; a field without a column is absent on every row; at most 10,000 events',
    properties: {
      format: { const: EVENT_COLUMNS_FORMAT },
      batchId: { type: 'string', minLength: 1, maxLength: 128 },
      gatewayId: { type: 'string', minLength: 1, maxLength: 64 },
      types: { type: 'object', properties: types, additionalProperties: false },
    },
    required: ['format', 'batchId', 'gatewayId', 'types'],
    additionalProperties: false,
  };
}
