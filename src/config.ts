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

const ROLES = ['intake', 'cs', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/** `role:token` pairs separated by commas; a role may have several tokens (for rotation). */
const apiTokens = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^(intake|cs|ops):[\x21-\x7e]{16,}$/,
            'expected role:token with role intake|cs|ops and a token of 16+ characters',
          ),
      )
      .min(1),
  )
  .transform((pairs) =>
    pairs.map((pair) => {
      const separator = pair.indexOf(':');
      return { role: pair.slice(0, separator) as Role, token: pair.slice(separator + 1) };
    }),
  );

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

  /** Secret behind the per-cycle tokens that Apify's webhooks carry back to us. */
  KYC_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),

  KYC_FACE_PASS_THRESHOLD: ratio.default(0.9),
  KYC_FACE_FAIL_THRESHOLD: ratio.default(0.5),
  KYC_LIVENESS_THRESHOLD: ratio.default(0.9),
  /** Selfie quality gate on Rekognition's 0..100 ImageQuality scale. */
  KYC_SELFIE_MIN_SHARPNESS: z.coerce.number().min(0).max(100).default(10),
  KYC_SELFIE_MIN_BRIGHTNESS: z.coerce.number().min(0).max(100).default(15),
  KYC_SELFIE_MAX_BRIGHTNESS: z.coerce.number().min(0).max(100).default(97),
  KYC_DOCUMENTS_TIMEOUT: duration.default(14 * unitMs.d),
  KYC_UPLOAD_SETTLE: duration.default(2 * unitMs.m),
  KYC_REGISTER_WEBHOOK_TIMEOUT: duration.default(30 * unitMs.m),
  KYC_REGISTER_POLL_TIMEOUT: duration.default(2 * unitMs.h),
  KYC_CS_REMINDER_AFTER: duration.default(24 * unitMs.h),

  KYC_EMAIL_TRANSPORT: z.enum(['outbox', 'smtp', 'ses']).default('outbox'),
  /** e.g. smtp://user:pass@mail.example.org:587 */
  SMTP_URL: optionalUrl,
  KYC_EMAIL_FROM: z.email().default('kyc-noreply@example.org'),
  KYC_CS_EMAIL: z.email().default('cs@example.org'),
  KYC_OUTBOX_DIR: z.string().min(1).default('.data/outbox'),
  /** Links in CS emails point here (the CS endpoints) and to the Temporal Web UI. */
  KYC_CS_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  KYC_TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  KYC_PRODUCT_WEBHOOK_URL: optionalUrl,
  KYC_PRODUCT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  KYC_PRODUCT_SNS_TOPIC_ARN: z.string().startsWith('arn:').optional(),

  KYC_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  KYC_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Bearer tokens and the role each grants: `intake:<token>,cs:<token>,ops:<token>`. */
  KYC_API_TOKENS: apiTokens.optional(),
  KYC_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Refuses images whose header claims more pixels than this (decompression bombs). */
  KYC_UPLOAD_MAX_PIXELS: z.coerce.number().int().min(1).default(40_000_000),
  /** `direct`: the intake API signals the workflow itself; `s3-event`: it leaves that to the S3 bridge. */
  KYC_INTAKE_SIGNAL: z.enum(['direct', 's3-event']).default('direct'),

  /** The seed's queues this service consumes; each is optional. */
  KYC_QUEUE_URL_S3_EVENTS: optionalUrl,
  KYC_QUEUE_URL_FACE_MATCH: optionalUrl,
  KYC_QUEUE_URL_REG_REQUEST: optionalUrl,
  KYC_QUEUE_URL_REG_CHECK_INGEST: optionalUrl,
  KYC_QUEUE_URL_DECISION: optionalUrl,
  /** Where the workflow mirrors the seed's messages for downstream consumers that still read them. */
  KYC_MIRROR_QUEUE_URL_FACE_MATCH: optionalUrl,
  KYC_MIRROR_QUEUE_URL_REG_REQUEST: optionalUrl,
  KYC_MIRROR_QUEUE_URL_DECISION: optionalUrl,

  KYC_WORKER_SHUTDOWN_GRACE: duration.default(30 * unitMs.s),
  KYC_SEARCH_ATTRIBUTES_SETUP: booleanFlag.default(true),
});

/** Secrets that must be set explicitly outside local mode; local mode falls back to a fixed, well-known value. */
const SECRETS_REQUIRED_IN_PRODUCTION = ['KYC_WEBHOOK_SECRET', 'KYC_API_TOKENS'] as const;
const LOCAL_API_TOKENS = ROLES.map((role) => ({ role, token: `local-${role}-token-not-for-production` }));
const LOCAL_ONLY_SECRET = 'local-only-secret-never-use-in-production';

const configSchema = environmentSchema
  .superRefine((env, ctx) => {
    if (env.KYC_ENV === 'production') {
      for (const name of SECRETS_REQUIRED_IN_PRODUCTION) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when KYC_ENV=production' });
      }
    }
    if (env.KYC_PRODUCT_WEBHOOK_URL && !env.KYC_PRODUCT_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['KYC_PRODUCT_WEBHOOK_SECRET'],
        message: 'required when KYC_PRODUCT_WEBHOOK_URL is set (webhooks are always signed)',
      });
    }
    const consumed = new Set(
      [env.KYC_QUEUE_URL_FACE_MATCH, env.KYC_QUEUE_URL_REG_REQUEST, env.KYC_QUEUE_URL_DECISION].filter(Boolean),
    );
    for (const name of [
      'KYC_MIRROR_QUEUE_URL_FACE_MATCH',
      'KYC_MIRROR_QUEUE_URL_REG_REQUEST',
      'KYC_MIRROR_QUEUE_URL_DECISION',
    ] as const) {
      // Mirroring into a queue this service consumes would feed its own messages back to it as re-check requests.
      if (env[name] && consumed.has(env[name])) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must not be a queue this service consumes' });
      }
    }
    if (env.KYC_EMAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'required when KYC_EMAIL_TRANSPORT=smtp' });
    }
  })
  .transform((env) => ({
    ...env,
    KYC_WEBHOOK_SECRET: env.KYC_WEBHOOK_SECRET ?? LOCAL_ONLY_SECRET,
    KYC_API_TOKENS: env.KYC_API_TOKENS ?? LOCAL_API_TOKENS,
  }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates `env`; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(emptyStringsAsUnset(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

function emptyStringsAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}
