/** Local liveness without the face engine, so that choosing it (the HTTP service in local mode) loads no models. */
import { randomUUID } from 'node:crypto';
import { PermanentAdapterError } from '../errors.ts';
import type { LivenessService } from './index.ts';

/**
 * Face Liveness sessions are a Rekognition service with no local counterpart. Locally the selfie's passive score
 * (DetectedFace.liveness) stands in. Sessions still exist, as ids this service hands out: bound to a user and
 * single-use like Rekognition's, so the passive result of a selfie uploaded with one is bound the same way.
 */
export function createPassiveLivenessService(): LivenessService {
  return {
    kind: 'PASSIVE',
    createSession: async () => ({ sessionId: randomUUID() }),
    getResult: async () => {
      throw new PermanentAdapterError(
        'NOT_CONFIGURED',
        'locally the selfie is scored passively; sessions have no result',
      );
    },
  };
}
