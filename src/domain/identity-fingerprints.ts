/**
 * Keyed hashes of who a document says its holder is, for finding one person behind two accounts without storing (or
 * comparing) the plain values: the document (issuing state and number) and the identity (normalised name and date of
 * birth), each as HMAC-SHA256 under the service's key. Without the key a stored hash cannot be tested against a
 * guessed passport number or birth date.
 */
import { createHmac } from 'node:crypto';
import { nameTokens, toLatinUpperCase } from './names.ts';
import type { ParsedIdentityDocument } from './parsed-document.ts';

export interface IdentityFingerprint {
  kind: 'DOCUMENT' | 'IDENTITY';
  fingerprint: Buffer;
}

/** Upper case, letters and digits only: "gbr", "925 665 416<" → "GBR", "925665416". */
const canonical = (value: string) => toLatinUpperCase(value).replace(/[^A-Z0-9]/g, '');

/** The fingerprints a parsed document yields: none for a field set too incomplete to identify anyone. */
export function identityFingerprints(
  document: Pick<ParsedIdentityDocument, 'issuingState' | 'documentNumber' | 'fullName' | 'birthDate'>,
  key: string,
): IdentityFingerprint[] {
  const hash = (text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
  const fingerprints: IdentityFingerprint[] = [];
  const number = document.documentNumber ? canonical(document.documentNumber) : '';
  // UK photocard licences carry no issuing state in their fields; the driver number is unique on its own.
  const state = document.issuingState ? canonical(document.issuingState) : '';
  if (number.length >= 5)
    fingerprints.push({ kind: 'DOCUMENT', fingerprint: hash(`document\u0000${state}\u0000${number}`) });
  const name = document.fullName ? nameTokens(document.fullName).join(' ') : '';
  if (name && document.birthDate) {
    fingerprints.push({ kind: 'IDENTITY', fingerprint: hash(`identity\u0000${name}\u0000${document.birthDate}`) });
  }
  return fingerprints;
}
