/**
 * Secrets Manager values into the environment, for a Lambda (which, unlike an ECS task, cannot have them injected):
 * `KYC_SECRET_ENV=NAME=<secret ARN>#<JSON field>,…` sets each NAME to that field of that secret, once, at cold start,
 * before the configuration is read. `NAME=file:<secret ARN>#<field>` writes the value to a private file instead and
 * sets NAME to its path, for settings that name files (TEMPORAL_TLS_CLIENT_CERT_PATH and its key and CA).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretReference {
  name: string;
  secretId: string;
  field: string;
  asFile: boolean;
}

export function parseSecretEnvironment(spec: string): SecretReference[] {
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^([A-Z][A-Z0-9_]*)=(file:)?([^#\s]+)#([A-Za-z0-9_.-]+)$/.exec(entry);
      if (!match)
        throw new Error(`KYC_SECRET_ENV: expected NAME=<secret ARN>#<field>, got an entry for ${entry.split('=')[0]}`);
      const [, name, file, secretId, field] = match as unknown as [string, string, string | undefined, string, string];
      return { name, secretId, field, asFile: file !== undefined };
    });
}

export async function loadSecretEnvironment(
  client: SecretsManagerClient,
  spec: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const references = parseSecretEnvironment(spec);
  const values = new Map<string, Record<string, unknown>>();
  for (const secretId of new Set(references.map((reference) => reference.secretId))) {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    values.set(secretId, JSON.parse(SecretString ?? '{}') as Record<string, unknown>);
  }
  let directory: string | undefined;
  for (const { name, secretId, field, asFile } of references) {
    const value = values.get(secretId)?.[field];
    if (typeof value !== 'string') throw new Error(`KYC_SECRET_ENV: ${name}: the secret has no string field ${field}`);
    if (asFile) {
      directory ??= mkdtempSync(join(tmpdir(), 'kyc-secrets-'));
      const path = join(directory, name.toLowerCase());
      writeFileSync(path, value, { mode: 0o600 });
      environment[name] = path;
    } else {
      environment[name] = value;
    }
  }
  return references.map((reference) => reference.name);
}
