/** Accepted selfies join the face index, so a later user showing the same face is found (DUPLICATE_FACE). */
import type { FaceIndex } from '../adapters/face-index/index.ts';
import type { Sql } from '../db/pool.ts';

/** Adds the selfie a cycle checked to the face index; a cycle that never checked a face adds nothing. */
export async function acceptCycleSelfie(
  sql: Sql,
  faceIndex: FaceIndex,
  { userId, cycleId, bucket }: { userId: number; cycleId: string; bucket: string },
): Promise<void> {
  const [selfie] = await sql<{ selfieId: number; key: string }[]>`
    select s.id as "selfieId", s.s3_key as key
    from face_checks f join selfies s on s.id = f.selfie_id
    where f.cycle_id = ${cycleId} and f.user_id = ${userId}`;
  if (!selfie) return;
  await faceIndex.add({ bucket, key: selfie.key }, { userId, selfieId: selfie.selfieId });
}
