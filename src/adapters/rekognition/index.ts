/** Face comparison, selfie quality and liveness: Amazon Rekognition, or @vladmandic/human locally. */
import type { ObjectRef } from '../s3/index.ts';

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
  compareFaces(source: ObjectRef, target: ObjectRef): Promise<FaceComparison>;
}

export type LivenessSessionStatus = 'CREATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'EXPIRED';

export interface LivenessResult {
  status: LivenessSessionStatus;
  /** 0..1; null until the session has a result. */
  confidence: number | null;
}

export interface LivenessService {
  createSession(clientRequestToken: string): Promise<{ sessionId: string }>;
  getResult(sessionId: string): Promise<LivenessResult>;
}
