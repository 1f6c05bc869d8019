/** Reads the decision policies in `policies/` (README, Compliance): each file is validated before it can decide. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DecisionPolicy, decisionPolicySchema } from './domain/policy.ts';

/** Resolved when asked, not at import: the bundled S3 bridge imports this module without the folder. */
const policyDir = () => fileURLToPath(new URL('../policies/', import.meta.url));

/** A policy file, validated; the file's name must be its version, so a renamed copy cannot pose as another one. */
export function loadPolicyFile(path: string): DecisionPolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`policy ${path}: ${(error as Error).message}`);
  }
  const parsed = decisionPolicySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new Error(`policy ${path} is not a valid policy:\n  ${problems.join('\n  ')}`);
  }
  if (`${parsed.data.version}.json` !== basename(path)) {
    throw new Error(`policy ${path} says it is version ${parsed.data.version}: the file must be named after it`);
  }
  return parsed.data;
}

/** The policy of this version in `policies/`. */
export const loadPolicy = (version: string): DecisionPolicy => loadPolicyFile(join(policyDir(), `${version}.json`));

/** Every policy file in `policies/`, validated, oldest version first. */
export function allPolicies(): DecisionPolicy[] {
  return readdirSync(policyDir())
    .filter((name) => name.endsWith('.json'))
    .map((name) => loadPolicyFile(join(policyDir(), name)))
    .sort((a, b) => Number(a.version.slice(1)) - Number(b.version.slice(1)));
}
