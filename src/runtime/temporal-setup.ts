/** Registers the search attributes the workflows set, so a fresh server (dev server or cluster) works at once. */
import { type Connection, isGrpcServiceError } from '@temporalio/client';

const GRPC_UNIMPLEMENTED = 12;

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
  const known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    for (const name of Object.keys(existing.customAttributes ?? {})) known.add(name);
    for (const name of Object.keys(existing.systemAttributes ?? {})) known.add(name);
  } catch (error) {
    // The time-skipping test server can add search attributes but not list them.
    if (!isGrpcServiceError(error) || error.code !== GRPC_UNIMPLEMENTED) throw error;
  }
  const missing = keys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
  });
  return missing.map((key) => key.name);
}
