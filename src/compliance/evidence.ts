/** Puts an evidence pack together: the facts from PostgreSQL, the policies they name, and thumbnails if asked. */
import type { ObjectStore } from '../adapters/s3/index.ts';
import { gatherEvidence } from '../db/evidence.ts';
import type { Sql } from '../db/pool.ts';
import { loadPolicy } from '../policies.ts';
import { type EvidencePack, type PackImage, redactedThumbnail, renderEvidencePack } from './evidence-pack.ts';

export interface EvidenceDeps {
  sql: Sql;
  store: ObjectStore;
  bucket: string;
}

export interface EvidenceRequest {
  userId: number;
  /** Redacted thumbnails of the latest document and selfie; off unless asked for. */
  withImages: boolean;
  /** Who asked, as the pack and the audit name them. */
  requestedBy: string;
}

/** The pack, or null when there is no such user. */
export async function produceEvidencePack(
  deps: EvidenceDeps,
  request: EvidenceRequest,
): Promise<(EvidencePack & { withImages: boolean }) | null> {
  const facts = await gatherEvidence(deps.sql, request.userId);
  if (!facts) return null;
  const versions = [...new Set(facts.decisions.map((decision) => decision.policyVersion))].filter(
    (version): version is string => version !== null,
  );
  const policies = Object.fromEntries(versions.map((version) => [version, policySummary(version)]));
  const images: PackImage[] = [];
  if (request.withImages) {
    const latestDocument = facts.documentScans.at(-1);
    const latestSelfie = facts.faceChecks.at(-1);
    // An image deleted by erasure or retention is not there to show; the pack says when it went.
    for (const [label, key] of [
      ['ID document (latest scanned)', latestDocument?.imageDeletedAt ? undefined : latestDocument?.objectKey],
      ['Selfie (latest compared)', latestSelfie?.selfieDeletedAt ? undefined : latestSelfie?.selfieKey],
    ] as const) {
      if (!key) continue;
      const original = await deps.store.get({ bucket: deps.bucket, key });
      images.push({ label, png: await redactedThumbnail(original) });
    }
  }
  const pack = await renderEvidencePack({
    facts,
    generatedAt: new Date(),
    generatedBy: request.requestedBy,
    policies,
    images,
  });
  return { ...pack, withImages: request.withImages };
}

function policySummary(version: string): string | null {
  try {
    return loadPolicy(version).summary;
  } catch {
    return null;
  }
}
