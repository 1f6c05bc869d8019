/** Seed step 2 (face_match_lambda): selfie quality, face comparison with the ID photo, liveness. */
import { PermanentAdapterError } from '../adapters/errors.ts';
import type { CheckFaceInput } from '../contract/activities.ts';
import { earlierLiveness, recordFaceCheck } from '../db/checks.ts';
import type { FaceOutcome, LivenessOutcome } from '../domain/outcomes.ts';
import { selfieQuality } from '../domain/selfie-quality.ts';
import type { ActivityDeps } from './deps.ts';
import { createMirrorPublisher } from './mirror.ts';

interface LivenessReading {
  outcome: LivenessOutcome;
  confidence: number | null;
  sessionId: string | null;
}

export function createCheckFaceActivities({ sql, faces, liveness, settings, logger, mirror }: ActivityDeps) {
  const mirrored = createMirrorPublisher(sql, mirror);
  async function readLiveness(
    selfieId: number,
    sessionId: string | undefined,
    passiveScore: number | undefined,
  ): Promise<LivenessReading> {
    if (!sessionId) {
      const earlier = await earlierLiveness(sql, selfieId);
      if (!earlier && passiveScore !== undefined) {
        const passed = passiveScore >= settings.livenessThreshold;
        return { outcome: passed ? 'PASSED' : 'FAILED', confidence: passiveScore, sessionId: null };
      }
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
        const selfieFaces = await faces.detectFaces(input.selfie);
        const quality = selfieQuality(selfieFaces, settings.selfieQuality);
        // CompareFaces needs a face in the selfie; without one there is nothing to compare.
        const comparison = quality === 'NO_FACE' ? null : await faces.compareFaces(input.selfie, input.idDocument);
        // A passive score only counts for a selfie showing exactly one face.
        const passiveScore = quality === 'OK' ? selfieFaces[0]?.liveness : undefined;
        live = await readLiveness(selfieId, input.selfie.livenessSessionId, passiveScore);
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
      await mirrored.checkRecorded(userId, cycleId, 'face');
      return outcome;
    },
  };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
