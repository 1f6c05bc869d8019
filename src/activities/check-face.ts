/** Seed step 2 (face_match_lambda): selfie quality, face comparison with the ID photo, liveness. */
import { PermanentAdapterError } from '../adapters/errors.ts';
import { earlierLiveness, recordFaceCheck } from '../db/checks.ts';
import type { FaceOutcome, LivenessOutcome } from '../domain/outcomes.ts';
import { selfieQuality } from '../domain/selfie-quality.ts';
import type { ActivityDeps } from './deps.ts';
import type { CheckFaceInput } from './types.ts';

interface LivenessReading {
  outcome: LivenessOutcome;
  confidence: number | null;
  sessionId: string | null;
}

export function createCheckFaceActivities({ sql, faces, liveness, settings, logger }: ActivityDeps) {
  async function readLiveness(selfieId: number, sessionId: string | undefined): Promise<LivenessReading> {
    if (!sessionId) {
      const earlier = await earlierLiveness(sql, selfieId);
      if (!earlier) return { outcome: 'NOT_PERFORMED', confidence: null, sessionId: null };
      return {
        outcome: earlier.pass ? 'PASSED' : 'FAILED',
        confidence: earlier.confidence,
        sessionId: earlier.sessionId,
      };
    }
    try {
      const result = await liveness.getResult(sessionId);
      // Only a finished session with a score says anything about spoofing; anything else means "not performed".
      if (result.status !== 'SUCCEEDED' || result.confidence === null) {
        return { outcome: 'NOT_PERFORMED', confidence: null, sessionId };
      }
      const passed = result.confidence >= settings.livenessThreshold;
      return { outcome: passed ? 'PASSED' : 'FAILED', confidence: result.confidence, sessionId };
    } catch (error) {
      if (error instanceof PermanentAdapterError) return { outcome: 'NOT_PERFORMED', confidence: null, sessionId };
      throw error;
    }
  }

  return {
    async checkFace(input: CheckFaceInput): Promise<FaceOutcome> {
      const { userId, cycleId, selfieId, idDocumentId } = input;
      let outcome: FaceOutcome;
      let live: LivenessReading = { outcome: 'NOT_PERFORMED', confidence: null, sessionId: null };
      try {
        const quality = selfieQuality(await faces.detectFaces(input.selfie), settings.selfieQuality);
        // CompareFaces needs a face in the selfie; without one there is nothing to compare.
        const comparison = quality === 'NO_FACE' ? null : await faces.compareFaces(input.selfie, input.idDocument);
        live = await readLiveness(selfieId, input.selfie.livenessSessionId);
        outcome = {
          status: 'COMPARED',
          similarity: comparison?.similarity ?? null,
          liveness: live.outcome,
          selfieQuality: quality,
        };
      } catch (error) {
        if (!(error instanceof PermanentAdapterError)) throw error;
        outcome = {
          status: 'ERROR',
          cause: error.reason === 'UNSUPPORTED_IMAGE' ? 'UNSUPPORTED_IMAGE' : 'SERVICE_ERROR',
        };
      }
      await recordFaceCheck(sql, {
        userId,
        cycleId,
        selfieId,
        idDocumentId,
        matchScore: outcome.status === 'COMPARED' && outcome.similarity !== null ? round(outcome.similarity) : null,
        livenessPass: live.outcome === 'NOT_PERFORMED' ? null : live.outcome === 'PASSED',
        livenessConfidence: live.confidence === null ? null : round(live.confidence),
        livenessSessionId: live.sessionId,
        selfieQuality: outcome.status === 'COMPARED' ? outcome.selfieQuality : null,
        outcome,
      });
      logger.info({ userId, cycleId, outcome }, 'face checked');
      return outcome;
    },
  };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
