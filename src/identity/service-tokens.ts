/**
 * Services (the product backend calling intake) present opaque bearer tokens. Configuration holds only each token's
 * SHA-256 and a name, so a leaked setting gives no token away and every call is attributed to one named caller.
 * Tokens are 256-bit random values, for which a plain SHA-256 is enough; passwords get scrypt (local-accounts.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity, Role } from './identity.ts';

export interface ServiceTokenEntry {
  name: string;
  role: Role;
  /** SHA-256 of the token, hex. */
  digest: string;
}

/** A new token and its configuration entry; the token is shown once and kept only by the caller. */
export function newServiceToken(name: string, role: Role): { token: string; entry: string } {
  const token = `kyc_${randomBytes(32).toString('base64url')}`;
  return { token, entry: `${name}:${role}:${createHash('sha256').update(token).digest('hex')}` };
}

export function createServiceTokenTable(entries: readonly ServiceTokenEntry[]) {
  const table = entries.map((entry) => ({ ...entry, digest: Buffer.from(entry.digest, 'hex') }));
  /** The identity a token stands for, or null. Every entry is compared, so timing does not say which was close. */
  return function identify(token: string): Identity | null {
    const presented = createHash('sha256').update(token).digest();
    let found: (typeof table)[number] | null = null;
    for (const entry of table) if (timingSafeEqual(entry.digest, presented)) found = entry;
    return found ? { subject: found.name, displayName: found.name, roles: [found.role], via: 'service-token' } : null;
  };
}
