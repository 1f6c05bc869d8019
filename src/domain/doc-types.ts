/** The identity documents the service reads, as written in `id_documents.doc_type`. */
export const DOC_TYPES = ['passport', 'id_card', 'driving_licence'] as const;
export type DocType = (typeof DOC_TYPES)[number];

export function isDocType(value: unknown): value is DocType {
  return (DOC_TYPES as readonly unknown[]).includes(value);
}

const FILE_NAME_PATTERNS: [RegExp, DocType][] = [
  [/passport/i, 'passport'],
  [/(driving|driver'?s?)[\s_-]*licen[cs]e|licen[cs]e/i, 'driving_licence'],
  [/id[\s_-]*card|identity[\s_-]*card|national[\s_-]*id/i, 'id_card'],
];

/** The document type a file name names (`kyc-raw/42/passport.jpg` → passport), or null when it names none. */
export function docTypeFromFileName(key: string): DocType | null {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  for (const [pattern, docType] of FILE_NAME_PATTERNS) if (pattern.test(fileName)) return docType;
  return null;
}
