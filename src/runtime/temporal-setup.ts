/** Registers the search attributes the workflows set, so a fresh server (dev server or cluster) works at once. */
import type { Connection } from '@temporalio/client';
import type { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

type SearchAttributeKey = ReturnType<typeof defineSearchAttributeKey>;

/** temporal.api.enums.v1.IndexedValueType, as the operator service expects it. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: SearchAttributeKey[],
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = keys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
  });
  return missing.map((key) => key.name);
}
