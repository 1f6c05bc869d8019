/**
 * What a chaos run will do, decided up front from its seed: the verifications (who, which scenario, how they upload,
 * what CS decides) and the faults (when the worker and the API die, when PostgreSQL and Temporal restart). The same
 * seed gives the same plan; what the processes make of it still depends on timing.
 */

import { seededRng } from '../src/demo/synthetic-people.ts';
import type { KycDecision } from '../src/domain/outcomes.ts';
import type { ReasonCode } from '../src/domain/reasons.ts';
import { type Person, type Scenario, SEED_PERSON } from '../test/support/scenarios.ts';

export interface ScenarioSpec {
  scenario: Scenario;
  automatic: KycDecision;
  reasons: ReasonCode[];
  /** Share of the verifications that play it. */
  weight: number;
}

/** Each scenario stands for one branch of the decision policy, with the one reason it must produce. */
export const SCENARIOS = {
  pass: { scenario: {}, automatic: 'PASS', reasons: [], weight: 45 },
  'fail-face-mismatch': { scenario: { similarity: 30 }, automatic: 'FAIL', reasons: ['FACE_MISMATCH'], weight: 12 },
  'fail-register-suspended': {
    scenario: { registerStatus: 'Suspended' },
    automatic: 'FAIL',
    reasons: ['REGISTER_SUSPENDED'],
    weight: 13,
  },
  'review-no-liveness': {
    scenario: { liveness: null },
    automatic: 'MANUAL_REVIEW',
    reasons: ['LIVENESS_NOT_PERFORMED'],
    weight: 10,
  },
  'review-borderline-face': {
    scenario: { similarity: 75 },
    automatic: 'MANUAL_REVIEW',
    reasons: ['FACE_MATCH_BORDERLINE'],
    weight: 10,
  },
  'review-not-on-register': {
    scenario: { registerStatus: null },
    automatic: 'MANUAL_REVIEW',
    reasons: ['REGISTER_NOT_FOUND'],
    weight: 10,
  },
} satisfies Record<string, ScenarioSpec>;
export type ScenarioName = keyof typeof SCENARIOS;

/** How the files reach the intake API: both in one request, or one request each in either order. */
export type UploadStyle = 'together' | 'document-first' | 'selfie-first';

export interface PlannedVerification {
  index: number;
  person: Person;
  scenarioName: ScenarioName;
  uploadStyle: UploadStyle;
  /** Milliseconds after the run starts at which the user signs up. */
  startAfterMs: number;
  /** The CS decision for a MANUAL_REVIEW case, and the door it goes through. */
  review: { decision: 'PASS' | 'FAIL'; door: 'http' | 'cli' } | null;
}

export interface FaultPlan {
  /** Milliseconds after the start, in order. */
  workerKills: number[];
  apiKills: number[];
  postgresRestart: number;
  temporalRestart: number;
}

export interface ChaosPlan {
  seed: number;
  verifications: PlannedVerification[];
  faults: FaultPlan;
  /** Sign-ups are spread over this window; the faults fall inside it, while verifications are in flight. */
  loadWindowMs: number;
}

export interface PlanOptions {
  count: number;
  seed: number;
  workerKills: number;
  apiKills: number;
  loadWindowMs: number;
}

function pickWeighted<Name extends string>(random: () => number, weights: Record<Name, { weight: number }>): Name {
  const entries = Object.entries(weights) as [Name, { weight: number }][];
  let roll = random() * entries.reduce((sum, [, { weight }]) => sum + weight, 0);
  for (const [name, { weight }] of entries) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return (entries.at(-1) as [Name, unknown])[0];
}

/** `count` moments spread at random over the middle of the window, in order. */
function momentsIn(random: () => number, windowMs: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.round(windowMs * (0.05 + 0.9 * random()))).sort((a, b) => a - b);
}

export function planChaosRun(options: PlanOptions): ChaosPlan {
  const random = seededRng(options.seed);
  const uploadStyles = { together: { weight: 6 }, 'document-first': { weight: 2 }, 'selfie-first': { weight: 2 } };
  let reviews = 0;
  const verifications = Array.from({ length: options.count }, (_, index): PlannedVerification => {
    const scenarioName = pickWeighted(random, SCENARIOS);
    const needsReview = SCENARIOS[scenarioName].automatic === 'MANUAL_REVIEW';
    if (needsReview) reviews += 1;
    return {
      index,
      // GMC numbers are seven digits; one registration per user, as the schema requires.
      // A person of their own (passport, birth date): one passport under many users is DUPLICATE_IDENTITY.
      person: {
        ...SEED_PERSON,
        regNo: String(7_000_000 + index),
        email: `chaos-${index}@example.com`,
        passportNumber: String(200_000_000 + index),
        birthDate: new Date(Date.UTC(1960, 0, 1) + index * 86_400_000).toISOString().slice(0, 10),
      },
      scenarioName,
      uploadStyle: pickWeighted(random, uploadStyles),
      startAfterMs: Math.round((options.loadWindowMs * index) / options.count),
      // Every fourth review goes through the CS command, so even a short run uses both doors.
      review: needsReview
        ? { decision: random() < 0.5 ? 'PASS' : 'FAIL', door: reviews % 4 === 1 ? 'cli' : 'http' }
        : null,
    };
  });
  return {
    seed: options.seed,
    verifications,
    loadWindowMs: options.loadWindowMs,
    faults: {
      workerKills: momentsIn(random, options.loadWindowMs, options.workerKills),
      apiKills: momentsIn(random, options.loadWindowMs, options.apiKills),
      postgresRestart: Math.round(options.loadWindowMs * (0.3 + 0.15 * random())),
      temporalRestart: Math.round(options.loadWindowMs * (0.6 + 0.15 * random())),
    },
  };
}

/** What a verification must end with: the automatic decision, or CS's where the case went to review. */
export function expectedFinalDecision(verification: PlannedVerification): 'PASS' | 'FAIL' {
  return verification.review?.decision ?? (SCENARIOS[verification.scenarioName].automatic as 'PASS' | 'FAIL');
}
