/**
 * The faces of accepted selfies, searchable by face: one person behind two accounts shows up as a new selfie that
 * matches another user's. AWS: a Rekognition collection. Locally: the face engine's descriptors in an approximate
 * nearest-neighbour index (usearch, persisted on disk) or in PostgreSQL with pgvector where it is installed.
 */
import type { ObjectRef } from '../s3/index.ts';

/** Another user whose accepted selfie matched, with the best similarity of their faces on the 0..1 scale. */
export interface FaceMatch {
  userId: number;
  similarity: number;
}

export interface FaceIndex {
  /**
   * Users other than `excludeUserId` with an accepted face at or above `minSimilarity`, best first, each once.
   * An image showing no face matches nobody.
   */
  search(image: ObjectRef, options: { minSimilarity: number; excludeUserId: number }): Promise<FaceMatch[]>;
  /** Adds the face of an accepted selfie under its user; adding the same selfie again changes nothing. */
  add(image: ObjectRef, entry: { userId: number; selfieId: number }): Promise<void>;
  /** Erasure: removes every face of the user, from the index and from its bookkeeping rows. */
  removeUser(userId: number): Promise<void>;
}

/** The best match per user, best first, without `excludeUserId`: what every implementation's search returns. */
export function bestPerUser(
  matches: Iterable<FaceMatch>,
  options: { minSimilarity: number; excludeUserId: number },
): FaceMatch[] {
  const best = new Map<number, number>();
  for (const { userId, similarity } of matches) {
    if (userId === options.excludeUserId || similarity < options.minSimilarity) continue;
    best.set(userId, Math.max(similarity, best.get(userId) ?? 0));
  }
  return [...best].map(([userId, similarity]) => ({ userId, similarity })).sort((a, b) => b.similarity - a.similarity);
}
