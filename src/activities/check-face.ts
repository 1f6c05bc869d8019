/**
 * Seed step 2 (face_match_lambda): selfie quality, face comparison with the ID photo, liveness, and the fraud
 * controls on faces: the liveness session must be this user's and this selfie's (bound and single-use, its reference
 * image the same face as the selfie and the document), and the face is searched among other users' accepted selfies.
 */
import { PermanentAdapterError } from '../adapters/errors.ts';
import type { ImageSource } from '../adapters/rekognition/index.ts';
import type { CheckFaceInput } from '../contract/activities.ts';
import { linkAccounts } from '../db/account-links.ts';
import { earlierLiveness, recordFaceCheck } from '../db/checks.ts';
import { useLivenessSession } from '../db/liveness-sessions.ts';
import type { FaceOutcome, LivenessOutcome, LivenessSessionRefusal, SameFace } from '../domain/outcomes.ts';
import { selfieQuality } from '../domain/selfie-quality.ts';
import type { ActivityDeps } from './deps.ts';
import { createMirrorPublisher } from './mirror.ts';

interface LivenessReading {
  outcome: LivenessOutcome;
  confidence: number | null;
  sessionId: string | null;
  refusal?: LivenessSessionRefusal;
  /** The session's reference image, when its result is used. */
  referenceImage?: ImageSource;
}

const NOT_PERFORMED: LivenessReading = { outcome: 'NOT_PERFORMED', confidence: null, sessionId: null };

export function createCheckFaceActivities({ sql, faces, faceIndex, liveness, settings, logger, mirror }: ActivityDeps) {
  const mirrored = createMirrorPublisher(sql, mirror);
  const passive = (score: number, sessionId: string | null): LivenessReading => ({
    outcome: score >= settings.livenessThreshold ? 'PASSED' : 'FAILED',
    confidence: score,
    sessionId,
  });

  async function readLiveness(
    { userId, selfieId }: { userId: number; selfieId: number },
    sessionId: string | undefined,
    passiveScore: number | undefined,
  ): Promise<LivenessReading> {
    if (!sessionId) {
      const earlier = await earlierLiveness(sql, selfieId);
      // A passive score is read from this very selfie, so it cannot be another user's.
      if (!earlier && passiveScore !== undefined) return passive(passiveScore, null);
      if (!earlier) return NOT_PERFORMED;
      return {
        outcome: earlier.pass ? 'PASSED' : 'FAILED',
        confidence: earlier.confidence,
        sessionId: earlier.sessionId,
      };
    }
    // The doors refuse such sessions already; this catches uploads that reached the workflow another way (the S3
    // bridge, a re-check, a replayed signal). The selfie must have come within the session's validity window.
    const refusal = await useLivenessSession(sql, { sessionId, userId, selfieId, presentedAt: 'selfie-upload' });
    if (refusal) return { ...NOT_PERFORMED, sessionId, refusal };
    if (liveness.kind === 'PASSIVE')
      return passiveScore === undefined ? NOT_PERFORMED : passive(passiveScore, sessionId);
    try {
      const result = await liveness.getResult(sessionId);
      // Only a finished session with a score says anything about spoofing; anything else means "not performed".
      if (result.status !== 'SUCCEEDED' || result.confidence === null) return { ...NOT_PERFORMED, sessionId };
      return {
        ...passive(result.confidence, sessionId),
        ...(result.referenceImage ? { referenceImage: result.referenceImage } : {}),
      };
    } catch (error) {
      if (error instanceof PermanentAdapterError) return { ...NOT_PERFORMED, sessionId };
      throw error;
    }
  }

  /** Whether the face the liveness session captured is the selfie's and the document's. */
  async function compareReference(reference: ImageSource, input: CheckFaceInput) {
    const [selfie, document] = [
      await faces.compareFaces(reference, input.selfie),
      await faces.compareFaces(reference, input.idDocument),
    ];
    const rounded = (similarity: number | null) => (similarity === null ? null : round(similarity));
    return { selfie: rounded(selfie.similarity), document: rounded(document.similarity) };
  }

  /** Other users' accepted selfies showing this face, each linked to this user for CS. */
  async function searchSameFace(input: CheckFaceInput): Promise<SameFace[]> {
    const matches = await faceIndex.search(input.selfie, {
      minSimilarity: settings.policy.thresholds.duplicateFace,
      excludeUserId: input.userId,
    });
    await linkAccounts(
      sql,
      matches.map((match) => ({
        userId: input.userId,
        otherUserId: match.userId,
        reason: 'DUPLICATE_FACE',
        cycleId: input.cycleId,
        detail: { similarity: round(match.similarity) },
      })),
    );
    return matches.map((match) => ({ userId: match.userId, similarity: round(match.similarity) }));
  }

  return {
    async checkFace(input: CheckFaceInput): Promise<FaceOutcome> {
      const { userId, cycleId, selfieId, idDocumentId } = input;
      let outcome: FaceOutcome;
      let live: LivenessReading = NOT_PERFORMED;
      try {
        const selfieFaces = await faces.detectFaces(input.selfie);
        const quality = selfieQuality(selfieFaces, settings.selfieQuality);
        // CompareFaces needs a face in the selfie; without one there is nothing to compare.
        const comparison = quality === 'NO_FACE' ? null : await faces.compareFaces(input.selfie, input.idDocument);
        // A passive score only counts for a selfie showing exactly one face.
        const passiveScore = quality === 'OK' ? selfieFaces[0]?.liveness : undefined;
        live = await readLiveness({ userId, selfieId }, input.selfie.livenessSessionId, passiveScore);
        const livenessReference = live.referenceImage ? await compareReference(live.referenceImage, input) : null;
        const sameFaceAs = quality === 'NO_FACE' ? null : await searchSameFace(input);
        outcome = {
          status: 'COMPARED',
          similarity: comparison?.similarity ?? null,
          liveness: live.outcome,
          selfieQuality: quality,
          ...(live.refusal ? { livenessSessionRefused: live.refusal } : {}),
          ...(livenessReference ? { livenessReference } : {}),
          ...(sameFaceAs ? { sameFaceAs } : {}),
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
        provider: settings.providers.face,
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
