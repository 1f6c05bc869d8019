/**
 * The chaos run, short: 20 verifications through the real doors while the worker is killed three times and the
 * API/bridge process once, PostgreSQL and Temporal restart once each and the stand-ins misbehave. `npm run chaos`
 * runs the full one (200 verifications, 12 worker kills, 4 API kills).
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/chaos-run.ts';

describe('chaos run', () => {
  it('decides every verification as expected, with no duplicate and nothing lost', {
    timeout: 12 * 60_000,
  }, async () => {
    const report = await runChaos({
      count: 20,
      seed: 20,
      workerKills: 3,
      apiKills: 1,
      loadWindowMs: 45_000,
      settleMs: 8 * 60_000,
      log: () => {},
    });
    console.log(report.lines.join('\n'));
    const { figures } = report;
    expect(figures.failures).toEqual([]);
    expect(figures.decidedAsExpected).toBe(20);
    expect(figures.duplicateRows).toEqual({
      doc_scans: 0,
      face_checks: 0,
      reg_checks: 0,
      kyc_decisions: 0,
      extra_cycles: 0,
    });
    expect(figures.webhooks).toMatchObject({ missing: 0, beyondOnePerDecision: 0 });
    expect(figures.emails).toMatchObject({ missing: 0, beyondOnePerDecision: 0 });
    expect(figures.lost).toEqual({
      uploads: 0,
      s3Objects: 0,
      webhooks: 0,
      queuedMessages: 0,
      unexpectedDeadLetters: 0,
    });
    expect(figures.deadLetters.every((letter) => letter.poison)).toBe(true);
    expect(figures.kills).toMatchObject({ worker: 3, api: 1, postgresRestarts: 1, temporalRestarts: 1 });
    expect(report.ok).toBe(true);
  });
});
