/**
 * The one reading of the environment. Every variable is validated here, so a bad setting fails at start-up with a
 * message naming the variable instead of surfacing later as an odd runtime error.
 */
import { z } from 'zod';

const durationPattern = /^(\d+)(ms|s|m|h|d)$/;
const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as `30m`, `24h` or `14d`, read into milliseconds. */
const duration = z
  .string()
  .regex(durationPattern, 'expected a duration such as 500ms, 30s, 30m, 24h or 14d')
  .transform((text) => {
    const [, amount, unit] = durationPattern.exec(text) as RegExpExecArray;
    return Number(amount) * unitMs[unit as keyof typeof unitMs];
  });

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const ratio = z.coerce.number().min(0).max(1);
const optionalUrl = z.url().optional();

const environmentSchema = z.object({
  KYC_ENV: z.enum(['local', 'production']).default('local'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/kyc?sslmode=disable'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  KYC_TASK_QUEUE: z.string().min(1).default('kyc'),

  AWS_REGION: z.string().min(1).default('eu-west-2'),
  KYC_S3_BUCKET: z.string().min(3).default('kyc-raw'),
  KYC_S3_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+\/$/, 'expected a key prefix ending in "/", such as kyc-raw/')
    .default('kyc-raw/'),

  APIFY_TOKEN: z.string().min(1).optional(),
  APIFY_BASE_URL: z.url().default('https://api.apify.com'),
  APIFY_ACTOR_GMC: z.string().min(1).optional(),
  APIFY_ACTOR_NMC: z.string().min(1).optional(),
  APIFY_ACTOR_GDC: z.string().min(1).optional(),
  APIFY_ACTOR_GPC: z.string().min(1).optional(),
  /** Where Apify should deliver its run webhooks: this service's public `/webhooks/apify` URL. */
  APIFY_WEBHOOK_URL: optionalUrl,

  KYC_FACE_PASS_THRESHOLD: ratio.default(0.9),
  KYC_FACE_FAIL_THRESHOLD: ratio.default(0.5),
  KYC_LIVENESS_THRESHOLD: ratio.default(0.9),
  KYC_DOCUMENTS_TIMEOUT: duration.default(14 * unitMs.d),
  KYC_REGISTER_WEBHOOK_TIMEOUT: duration.default(30 * unitMs.m),
  KYC_CS_REMINDER_AFTER: duration.default(24 * unitMs.h),

  KYC_WORKER_SHUTDOWN_GRACE: duration.default(30 * unitMs.s),
  KYC_SEARCH_ATTRIBUTES_SETUP: booleanFlag.default(true),
});

export type Config = z.infer<typeof environmentSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates `env`; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(emptyStringsAsUnset(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

function emptyStringsAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}
