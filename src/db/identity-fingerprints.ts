/** identity_fingerprints: keyed hashes of every scanned document and identity, per user, for duplicate look-ups. */
import type { IdentityFingerprint } from '../domain/identity-fingerprints.ts';
import type { DuplicateIdentity } from '../domain/outcomes.ts';
import type { Sql } from './pool.ts';

/** Records this user's fingerprints and returns the other users who have any of them, each once per kind. */
export async function recordFingerprintsAndFindOthers(
  sql: Sql,
  row: { userId: number; idDocumentId: number; fingerprints: readonly IdentityFingerprint[] },
): Promise<DuplicateIdentity[]> {
  if (row.fingerprints.length === 0) return [];
  await sql`
    insert into identity_fingerprints ${sql(
      row.fingerprints.map(({ kind, fingerprint }) => ({
        user_id: row.userId,
        id_document_id: row.idDocumentId,
        kind,
        fingerprint,
      })),
    )}
    on conflict (kind, fingerprint, user_id) do nothing`;
  const matches = await sql<{ userId: number; kind: DuplicateIdentity['on'] }[]>`
    select distinct f.user_id as "userId", f.kind
    from identity_fingerprints f
    join (select * from unnest(${sql.array(row.fingerprints.map((f) => f.kind))}::text[],
                               ${sql.array(row.fingerprints.map((f) => f.fingerprint))}::bytea[]) as mine(kind, fingerprint)) mine
      on mine.kind = f.kind and mine.fingerprint = f.fingerprint
    where f.user_id <> ${row.userId}
    order by f.user_id, f.kind`;
  return matches.map((match) => ({ userId: match.userId, on: match.kind }));
}
