import {
  AnalyzeIDCommand,
  BadDocumentException,
  DetectDocumentTextCommand,
  DocumentTooLargeException,
  InvalidParameterException,
  InvalidS3ObjectException,
  type TextractClient,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectRef } from '../s3/index.ts';
import type { DocumentReader, IdentityField } from './index.ts';

function s3Object({ bucket, key }: ObjectRef) {
  return { S3Object: { Bucket: bucket, Name: key } };
}

/** Textract's answers that no retry can change become PermanentAdapterError; throttling and 5xx stay retryable. */
function translateError(error: unknown, ref: ObjectRef): never {
  if (error instanceof InvalidS3ObjectException) {
    throw new PermanentAdapterError('OBJECT_NOT_FOUND', `Textract cannot read s3://${ref.bucket}/${ref.key}`);
  }
  if (
    error instanceof UnsupportedDocumentException ||
    error instanceof BadDocumentException ||
    error instanceof DocumentTooLargeException
  ) {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', `Textract rejected the image: ${error.name}`);
  }
  if (error instanceof InvalidParameterException) throw new PermanentAdapterError('INVALID_REQUEST', error.message);
  throw error;
}

/** The response without the SDK's transport metadata: what is worth keeping in doc_scans.textract_json. */
function withoutMetadata<T extends { $metadata?: unknown }>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _metadata, ...rest } = response;
  return rest;
}

export function createTextractDocumentReader(client: TextractClient): DocumentReader {
  return {
    async analyzeId(ref) {
      const response = await client
        .send(new AnalyzeIDCommand({ DocumentPages: [s3Object(ref)] }))
        .catch((error: unknown) => translateError(error, ref));
      const fields: Record<string, IdentityField> = {};
      for (const field of response.IdentityDocuments?.[0]?.IdentityDocumentFields ?? []) {
        const type = field.Type?.Text;
        const text = field.ValueDetection?.Text?.trim();
        if (!type || !text) continue;
        fields[type] = {
          text,
          ...(field.ValueDetection?.NormalizedValue?.Value
            ? { normalized: field.ValueDetection.NormalizedValue.Value }
            : {}),
          confidence: field.ValueDetection?.Confidence ?? 0,
        };
      }
      return { fields, raw: withoutMetadata(response) };
    },
    async detectText(ref) {
      const response = await client
        .send(new DetectDocumentTextCommand({ Document: s3Object(ref) }))
        .catch((error: unknown) => translateError(error, ref));
      const lines = (response.Blocks ?? [])
        .filter((block) => block.BlockType === 'LINE' && block.Text)
        .map((block) => block.Text as string);
      return { lines, raw: withoutMetadata(response) };
    },
  };
}
