import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectStore } from './index.ts';

export function createS3ObjectStore(client: S3Client): ObjectStore {
  return {
    async put({ bucket, key }, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
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
  };
}
