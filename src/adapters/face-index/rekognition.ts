/**
 * The AWS face index: a Rekognition collection of accepted selfies' faces, each indexed with ExternalImageId
 * `user-<id>`, searched with SearchFacesByImage before the new selfie is itself indexed (after its case is accepted).
 * face_index_entries keeps each face's FaceId under its user, so erasure can delete a user's faces (DeleteFaces).
 * The collection is created on first use.
 */
import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  InvalidParameterException,
  type RekognitionClient,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SearchFacesByImageCommand,
} from '@aws-sdk/client-rekognition';
import type { Sql } from '../../db/pool.ts';
import { image, translateError } from '../rekognition/aws.ts';
import { bestPerUser, type FaceIndex } from './index.ts';

const EXTERNAL_ID = /^user-(\d{1,16})$/;
/** DeleteFaces takes at most 4096 ids per call. */
const DELETE_BATCH = 4_096;

export function createRekognitionFaceIndex(client: RekognitionClient, sql: Sql, collectionId: string): FaceIndex {
  async function createCollection(): Promise<void> {
    await client.send(new CreateCollectionCommand({ CollectionId: collectionId })).catch((error: unknown) => {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    });
  }

  /** Runs `call`, creating the collection first if Rekognition says it does not exist. */
  async function inCollection<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await createCollection();
      return await call();
    }
  }

  return {
    async search(ref, { minSimilarity, excludeUserId }) {
      const response = await inCollection(() =>
        client.send(
          new SearchFacesByImageCommand({
            CollectionId: collectionId,
            Image: image(ref),
            FaceMatchThreshold: minSimilarity * 100,
            MaxFaces: 20,
            QualityFilter: 'NONE',
          }),
        ),
      ).catch((error: unknown) => {
        // "There are no faces in the image": a selfie without a face matches nobody.
        if (error instanceof InvalidParameterException) return null;
        return translateError(error);
      });
      const matches = (response?.FaceMatches ?? []).flatMap((match) => {
        const userId = EXTERNAL_ID.exec(match.Face?.ExternalImageId ?? '')?.[1];
        return userId === undefined ? [] : [{ userId: Number(userId), similarity: (match.Similarity ?? 0) / 100 }];
      });
      return bestPerUser(matches, { minSimilarity, excludeUserId });
    },

    async add(ref, { userId, selfieId }) {
      const [known] = await sql`select 1 from face_index_entries where selfie_id = ${selfieId}`;
      if (known) return;
      const response = await inCollection(() =>
        client.send(
          new IndexFacesCommand({
            CollectionId: collectionId,
            Image: image(ref),
            ExternalImageId: `user-${userId}`,
            MaxFaces: 1,
            QualityFilter: 'AUTO',
            DetectionAttributes: [],
          }),
        ),
      ).catch(translateError);
      const faceId = response.FaceRecords?.[0]?.Face?.FaceId;
      if (!faceId) return;
      await sql`
        insert into face_index_entries (selfie_id, user_id, face_id) values (${selfieId}, ${userId}, ${faceId})
        on conflict (selfie_id) do nothing`;
    },

    async removeUser(userId) {
      const rows = await sql<{ faceId: string }[]>`
        select face_id as "faceId" from face_index_entries where user_id = ${userId} and face_id is not null`;
      const faceIds = rows.map((row) => row.faceId);
      for (let start = 0; start < faceIds.length; start += DELETE_BATCH) {
        await inCollection(() =>
          client.send(
            new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: faceIds.slice(start, start + DELETE_BATCH) }),
          ),
        );
      }
      await sql`delete from face_index_entries where user_id = ${userId}`;
    },
  };
}
