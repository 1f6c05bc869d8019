import {
  CompareFacesCommand,
  CreateFaceLivenessSessionCommand,
  DetectFacesCommand,
  GetFaceLivenessSessionResultsCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
  InvalidS3ObjectException,
  type RekognitionClient,
  SessionNotFoundException,
} from '@aws-sdk/client-rekognition';
import { PermanentAdapterError } from '../errors.ts';
import type { FaceAnalyzer, ImageSource, LivenessService } from './index.ts';

export function image(source: ImageSource) {
  if ('bytes' in source) return { Bytes: source.bytes };
  return { S3Object: { Bucket: source.bucket, Name: source.key } };
}

export function translateError(error: unknown): never {
  if (error instanceof InvalidS3ObjectException) throw new PermanentAdapterError('OBJECT_NOT_FOUND', error.message);
  if (error instanceof InvalidImageFormatException || error instanceof ImageTooLargeException) {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', `Rekognition rejected the image: ${error.name}`);
  }
  if (error instanceof InvalidParameterException || error instanceof SessionNotFoundException) {
    throw new PermanentAdapterError('INVALID_REQUEST', error.message);
  }
  throw error;
}

export function createRekognitionFaceAnalyzer(client: RekognitionClient): FaceAnalyzer {
  return {
    async detectFaces(ref) {
      const response = await client
        .send(new DetectFacesCommand({ Image: image(ref), Attributes: ['DEFAULT'] }))
        .catch(translateError);
      return (response.FaceDetails ?? []).map((face) => ({
        confidence: (face.Confidence ?? 0) / 100,
        sharpness: face.Quality?.Sharpness ?? 0,
        brightness: face.Quality?.Brightness ?? 0,
      }));
    },
    async compareFaces(source, target) {
      const response = await client
        // Threshold 0: every face in the target comes back with its similarity, so borderline scores are visible.
        .send(
          new CompareFacesCommand({ SourceImage: image(source), TargetImage: image(target), SimilarityThreshold: 0 }),
        )
        .catch(translateError);
      const similarities = (response.FaceMatches ?? []).map((match) => match.Similarity ?? 0);
      const { $metadata: _metadata, ...raw } = response;
      return { similarity: similarities.length > 0 ? Math.max(...similarities) / 100 : null, raw };
    },
  };
}

export function createRekognitionLivenessService(client: RekognitionClient): LivenessService {
  return {
    kind: 'SESSION',
    async createSession(clientRequestToken) {
      const response = await client
        .send(new CreateFaceLivenessSessionCommand({ ClientRequestToken: clientRequestToken }))
        .catch(translateError);
      if (!response.SessionId) throw new Error('Rekognition returned no liveness session id');
      return { sessionId: response.SessionId };
    },
    async getResult(sessionId) {
      const response = await client
        .send(new GetFaceLivenessSessionResultsCommand({ SessionId: sessionId }))
        .catch(translateError);
      const reference = response.ReferenceImage;
      return {
        status: response.Status ?? 'CREATED',
        confidence: response.Confidence === undefined ? null : response.Confidence / 100,
        // Inline when the session has no OutputConfig, else stored in the session's S3 bucket.
        referenceImage: reference?.Bytes
          ? { bytes: reference.Bytes }
          : reference?.S3Object?.Bucket && reference.S3Object.Name
            ? { bucket: reference.S3Object.Bucket, key: reference.S3Object.Name }
            : null,
      };
    },
  };
}
