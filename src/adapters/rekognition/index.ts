/** Face comparison, selfie quality and liveness: Amazon Rekognition, or @vladmandic/human locally. */
import type { ObjectRef } from '../s3/index.ts';

/** An image in the object store, or one a service handed back inline (a liveness session's reference image). */
export type ImageSource = ObjectRef | { bytes: Uint8Array };

export interface DetectedFace {
  /** 0..1 */
  confidence: number;
  /** 0..100, Rekognition's ImageQuality scale. */
  sharpness: number;
  /** 0..100, Rekognition's ImageQuality scale. */
  brightness: number;
  /**
   * Passive liveness of this face, 0..1, from engines that score it from a single image (the local engine does;
   * Rekognition's DetectFaces does not — there liveness comes from a Face Liveness session).
   */
  liveness?: number;
}

export interface FaceComparison {
  /** Best similarity of the source face to a face in the target, 0..1; null when the target shows no face. */
  similarity: number | null;
  raw: unknown;
}

export interface FaceAnalyzer {
  detectFaces(ref: ObjectRef): Promise<DetectedFace[]>;
  compareFaces(source: ImageSource, target: ImageSource): Promise<FaceComparison>;
}

export type LivenessSessionStatus = 'CREATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'EXPIRED';

export interface LivenessResult {
  status: LivenessSessionStatus;
  /** 0..1; null until the session has a result. */
  confidence: number | null;
  /** The face the session captured, to compare with the selfie and the document; null until it has one. */
  referenceImage: ImageSource | null;
}

export interface LivenessService {
  /**
   * SESSION: a session's result is the liveness verdict (Rekognition Face Liveness). PASSIVE: the selfie is scored on
   * its own (locally); a session then only binds that score to its user and upload, and getResult is never called.
   */
  readonly kind: 'SESSION' | 'PASSIVE';
  createSession(clientRequestToken: string): Promise<{ sessionId: string }>;
  getResult(sessionId: string): Promise<LivenessResult>;
}
