/**
 * The local face index where PostgreSQL has pgvector: face_index_entries.face, a vector(1024) column with an HNSW
 * index (migration 20261202130100, which adds them only where the extension exists), searched by Euclidean distance
 * in SQL. Every worker shares it, and erasure is a DELETE.
 */
import type { Sql } from '../../db/pool.ts';
import { bestPerUser, type FaceIndex } from './index.ts';
import type { EmbeddingFaceIndexOptions } from './usearch.ts';

/** Neighbours fetched per search: a user may have several accepted selfies, and the caller wants users. */
const NEIGHBOURS = 16;

/** pgvector's text form of a vector, which postgres.js sends as a parameter to cast. */
const vectorLiteral = (descriptor: readonly number[]) => `[${descriptor.join(',')}]`;

/** Whether this database has the face vector column, i.e. pgvector was installed when it was migrated. */
export async function hasFaceVectors(sql: Sql): Promise<boolean> {
  const [column] = await sql`
    select 1 from information_schema.columns
    where table_schema = current_schema() and table_name = 'face_index_entries' and column_name = 'face'`;
  return Boolean(column);
}

export function createPgvectorFaceIndex({ sql, describe, similarityOfDistance }: EmbeddingFaceIndexOptions): FaceIndex {
  return {
    async search(image, { minSimilarity, excludeUserId }) {
      const descriptor = await describe(image);
      if (!descriptor) return [];
      const query = vectorLiteral(descriptor);
      const nearest = await sql<{ userId: number; distance: number }[]>`
        select user_id as "userId", face <-> ${query}::vector as distance
        from face_index_entries where face is not null
        order by face <-> ${query}::vector limit ${NEIGHBOURS}`;
      return bestPerUser(
        nearest.map(({ userId, distance }) => ({ userId, similarity: similarityOfDistance(distance) })),
        { minSimilarity, excludeUserId },
      );
    },

    async add(image, { userId, selfieId }) {
      const [known] = await sql`select 1 from face_index_entries where selfie_id = ${selfieId}`;
      if (known) return;
      const descriptor = await describe(image);
      if (!descriptor) return;
      await sql`
        insert into face_index_entries (selfie_id, user_id, face)
        values (${selfieId}, ${userId}, ${vectorLiteral(descriptor)}::vector)
        on conflict (selfie_id) do nothing`;
    },

    async removeUser(userId) {
      await sql`delete from face_index_entries where user_id = ${userId}`;
    },
  };
}

/**
 * The local face index: pgvector when the database has it (checked at first use), else the usearch file. Both keep
 * their rows in face_index_entries.
 */
export function createLocalFaceIndex(
  options: EmbeddingFaceIndexOptions & { sql: Sql; fallback: FaceIndex & { close(): Promise<void> } },
): FaceIndex & { close(): Promise<void> } {
  let chosen: Promise<FaceIndex> | undefined;
  const index = () => {
    chosen ??= hasFaceVectors(options.sql).then(
      (present) => (present ? createPgvectorFaceIndex(options) : options.fallback),
      (error: unknown) => {
        chosen = undefined;
        throw error;
      },
    );
    return chosen;
  };
  return {
    search: async (image, searchOptions) => (await index()).search(image, searchOptions),
    add: async (image, entry) => (await index()).add(image, entry),
    removeUser: async (userId) => (await index()).removeUser(userId),
    close: () => options.fallback.close(),
  };
}
