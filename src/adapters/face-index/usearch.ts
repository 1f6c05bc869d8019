/**
 * The local face index: the face engine's descriptors in a usearch HNSW index (f16, squared Euclidean distance),
 * kept in a file under KYC_DATA_DIR. PostgreSQL's face_index_entries holds each accepted selfie's user and descriptor
 * and is the truth: the file is loaded at first use and rebuilt from the table when it is missing or does not hold
 * exactly the table's faces (a crash between a write and the next save), so the file is only ever a cache.
 *
 * usearch was chosen over hnswlib-node by measurement (README, Fraud controls): the same latency and recall at equal
 * settings, half the size with f16 vectors, and prebuilt binaries, where hnswlib-node must be compiled at install.
 * One worker process owns the file; several workers on one machine would each keep their own copy (they stay correct,
 * since each rebuilds from the table when behind, but use pgvector or Rekognition for more than one worker).
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import type { Sql } from '../../db/pool.ts';
import type { ImageSource } from '../rekognition/index.ts';
import { bestPerUser, type FaceIndex } from './index.ts';

export interface EmbeddingFaceIndexOptions {
  sql: Sql;
  /** The descriptor of the largest face in an image; null when it shows none. */
  describe(image: ImageSource): Promise<number[] | null>;
  /** The face engine's Euclidean descriptor distance on the 0..1 similarity scale the policy uses. */
  similarityOfDistance(distance: number): number;
  dimensions: number;
}

/** Neighbours fetched per search: a user may have several accepted selfies, and the caller wants users. */
const NEIGHBOURS = 16;
/**
 * The HNSW graph's settings, chosen by `npm run bench -- faces` (README, Fraud controls): a search breadth of 256
 * finds 99 % of the same faces where 64 found 97 % (at 10,000), for about 2 ms more; a wider build did not pay.
 */
export const HNSW_SETTINGS = { connectivity: 16, expansion_add: 64, expansion_search: 256 } as const;
/** After an add, the file is written at most this often; the table is the truth meanwhile. */
const SAVE_EVERY_MS = 30_000;

export function newUsearchIndex(dimensions: number): Index {
  return new Index({
    dimensions,
    metric: MetricKind.L2sq,
    quantization: ScalarKind.F16,
    multi: false,
    ...HNSW_SETTINGS,
  });
}

export interface UsearchFaceIndex extends FaceIndex {
  /** Writes the file if anything changed since it was last written. */
  close(): Promise<void>;
}

export function createUsearchFaceIndex(options: EmbeddingFaceIndexOptions & { file: string }): UsearchFaceIndex {
  const { sql, file, dimensions } = options;
  let loaded: Promise<Index> | undefined;
  let dirty = false;
  let saveTimer: NodeJS.Timeout | undefined;

  async function rowCount(): Promise<number> {
    const [row] = await sql<{ count: number }[]>`select count(*)::int as count from face_index_entries`;
    return row?.count ?? 0;
  }

  async function rebuild(): Promise<Index> {
    const index = newUsearchIndex(dimensions);
    // A cursor, so a large table is never held in memory twice.
    for await (const rows of sql<{ selfieId: number; embedding: number[] }[]>`
      select selfie_id as "selfieId", embedding from face_index_entries`.cursor(1_000)) {
      for (const row of rows) index.add(BigInt(row.selfieId), Float32Array.from(row.embedding));
    }
    await save(index);
    return index;
  }

  async function open(): Promise<Index> {
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) {
      const index = newUsearchIndex(dimensions);
      try {
        index.load(file);
        if (index.size() === (await rowCount())) return index;
      } catch {
        // An unreadable file is rebuilt like a missing one.
      }
    }
    return await rebuild();
  }

  async function save(index: Index): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    // Written beside and renamed, so a crash mid-write never leaves a half file to load.
    index.save(`${file}.tmp`);
    await rename(`${file}.tmp`, file);
    dirty = false;
  }

  function saveSoon(index: Index): void {
    dirty = true;
    saveTimer ??= setTimeout(() => {
      saveTimer = undefined;
      if (dirty) void save(index).catch(() => {});
    }, SAVE_EVERY_MS);
    saveTimer.unref();
  }

  const index = (): Promise<Index> => {
    loaded ??= open().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };

  return {
    async search(image, { minSimilarity, excludeUserId }) {
      const descriptor = await options.describe(image);
      const faces = await index();
      if (!descriptor || faces.size() === 0) return [];
      const found = faces.search(Float32Array.from(descriptor), Math.min(NEIGHBOURS, faces.size()), 1);
      const candidates = [...found.keys].map((key, position) => ({
        selfieId: Number(key),
        similarity: options.similarityOfDistance(Math.sqrt(found.distances[position] ?? Number.POSITIVE_INFINITY)),
      }));
      const close = candidates.filter((candidate) => candidate.similarity >= minSimilarity);
      if (close.length === 0) return [];
      const owners = await sql<{ selfieId: number; userId: number }[]>`
        select selfie_id as "selfieId", user_id as "userId" from face_index_entries
        where selfie_id in ${sql(close.map((candidate) => candidate.selfieId))}`;
      const ownerOf = new Map(owners.map((owner) => [owner.selfieId, owner.userId]));
      return bestPerUser(
        close.flatMap(({ selfieId, similarity }) => {
          const userId = ownerOf.get(selfieId);
          return userId === undefined ? [] : [{ userId, similarity }];
        }),
        { minSimilarity, excludeUserId },
      );
    },

    async add(image, { userId, selfieId }) {
      const faces = await index();
      if (faces.contains(BigInt(selfieId))) return;
      const descriptor = await options.describe(image);
      if (!descriptor) return;
      await sql`
        insert into face_index_entries (selfie_id, user_id, embedding) values (${selfieId}, ${userId}, ${descriptor})
        on conflict (selfie_id) do nothing`;
      faces.add(BigInt(selfieId), Float32Array.from(descriptor));
      saveSoon(faces);
    },

    async removeUser(userId) {
      await sql`delete from face_index_entries where user_id = ${userId}`;
      // HNSW removal only marks a vector deleted; its bytes would stay in the file. Erasure rebuilds the file from
      // the table instead, so nothing of the user's face is left on disk.
      await rm(file, { force: true });
      loaded = rebuild();
      await loaded;
    },

    async close() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      if (dirty && loaded) await save(await loaded);
    },
  };
}
