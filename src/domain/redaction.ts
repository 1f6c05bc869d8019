/**
 * Erasure of the personal data inside stored provider responses (Textract's or tesseract's reading of a document,
 * the register's entry): every string goes, except under the keys listed as not personal, so what remains shows the
 * shape of what was read and its confidences, never a name, date, number or address.
 */

/** Keys whose string values describe the check, not the person: statuses, kinds and register standings. */
export const NOT_PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'standing',
  'regType',
  'status',
  'error',
  'Type',
  'BlockType',
  'source',
  'kind',
]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function redactPersonalData(value: Json, keep: ReadonlySet<string> = NOT_PERSONAL_KEYS): Json {
  if (typeof value === 'string') return null;
  if (Array.isArray(value)) return value.map((item) => redactPersonalData(item, keep));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        keep.has(key) && typeof inner === 'string' ? inner : redactPersonalData(inner, keep),
      ]),
    );
  }
  return value;
}
