import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectStore } from './index.ts';

/**
 * `kmsKeyId`: every object is written with SSE-KMS under that key (id, ARN or alias), whatever the bucket's default
 * encryption says; reads need nothing extra (S3 decrypts for a caller allowed kms:Decrypt on the key).
 */
export function createS3ObjectStore(client: S3Client, options: { kmsKeyId?: string } = {}): ObjectStore {
  const encryption = options.kmsKeyId
    ? ({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId, BucketKeyEnabled: true } as const)
    : {};
  return {
    async put({ bucket, key }, body, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ...encryption }),
      );
    },
    async get({ bucket, key }) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) throw new PermanentAdapterError('OBJECT_NOT_FOUND', `empty object s3://${bucket}/${key}`);
        return await object.Body.transformToByteArray();
      } catch (error) {
        if (error instanceof NoSuchKey)
          throw new PermanentAdapterError('OBJECT_NOT_FOUND', `no object s3://${bucket}/${key}`);
        throw error;
      }
    },
    /**
     * The bucket is versioned (infra/lib/data-stack.ts), so a plain delete would leave the image behind a delete
     * marker: every version of the key, and every marker, is deleted by its version id.
     */
    async delete({ bucket, key }) {
      for (;;) {
        const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 100 }));
        const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].filter(
          (version) => version.Key === key,
        );
        if (versions.length === 0) return;
        for (const { VersionId } of versions) {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId }));
        }
      }
    },
  };
}
