/** One in-process synth of the CDK app per test file, with infra/cdk.json's settings, into a temporary folder. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKycApp, repositoryRoot } from '../../infra/lib/app.ts';

export const cdkJsonContext = JSON.parse(readFileSync(join(repositoryRoot, 'infra/cdk.json'), 'utf8'))
  .context as Record<string, unknown>;

export function synthKycApp(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'kyc-cdk-'));
  const built = buildKycApp({ outdir, context: { ...cdkJsonContext, ...context } });
  const assembly = built.app.synth();
  return { ...built, assembly, outdir };
}

export type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: unknown }>;
};

export function templateOf(outdir: string, stack: 'KycData' | 'KycService' | 'KycMonitoring'): Template {
  return JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')) as Template;
}
