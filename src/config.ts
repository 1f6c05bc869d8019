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

/** A comma-separated list whose every entry matches `pattern`; at least one entry. */
const commaList = (pattern: RegExp, message: string) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, message)).min(1));

/** `name:value` split at its first colon. */
const namedPair = (pair: string) => ({
  name: pair.slice(0, pair.indexOf(':')),
  value: pair.slice(pair.indexOf(':') + 1),
});

/** `role:token` pairs; a role may have several tokens (for rotation). */
const apiTokens = commaList(
  /^(intake|cs|ops):[\x21-\x7e]{16,}$/,
  'expected role:token with role intake|cs|ops and a token of 16+ characters',
).transform((pairs) => pairs.map(namedPair).map(({ name, value }) => ({ role: name as Role, token: value })));

/** `keyId:base64key` pairs: the payload encryption keys, 32 bytes each. */
const payloadKeys = commaList(
  /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=$/,
  'expected keyId:<32 bytes in base64>',
).transform((pairs) => new Map(pairs.map(namedPair).map(({ name, value }) => [name, Buffer.from(value, 'base64')])));

/** `keyId:base64ciphertext` pairs: payload keys encrypted under a KMS key. */
const kmsPayloadKeys = commaList(
  /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]+={0,2}$/,
  'expected keyId:<base64 ciphertext>',
).transform((pairs) => pairs.map(namedPair).map(({ name, value }) => ({ keyId: name, ciphertext: value })));

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** A time of day such as `08:00`, read into hour and minute. */
const timeOfDay = z
  .string()
  .regex(timePattern, 'expected a 24-hour time such as 08:00')
  .transform((text) => {
    const [, hour, minute] = timePattern.exec(text) as RegExpExecArray;
    return { hour: Number(hour), minute: Number(minute) };
  });
const timeZone = z.string().refine((name) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Europe/London');
const ratio = z.coerce.number().min(0).max(1);
const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = z.url().optional();

const environmentSchema = z.object({
  KYC_ENV: z.enum(['local', 'production']).default('local'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/kyc?sslmode=disable'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

  /** Unset: `npm start` runs a Temporal dev server at 127.0.0.1:KYC_LOCAL_TEMPORAL_PORT, and everything talks to it. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  KYC_TASK_QUEUE: z.string().min(1).default('kyc'),

  AWS_REGION: z.string().min(1).default('eu-west-2'),
  /**
   * Which outside systems to use: `aws` (S3, Textract, Rekognition, Apify) or `local` (a folder, tesseract.js,
   * @vladmandic/human, register snapshot files). Defaults to `aws` when AWS credentials are in the environment.
   */
  KYC_PROVIDERS: z.enum(['local', 'aws']).optional(),
  /** Where uploads are kept: `s3`, or a `folder` under KYC_DATA_DIR. Defaults to KYC_PROVIDERS' store. */
  KYC_OBJECT_STORE: z.enum(['s3', 'folder']).optional(),
  /** Read only to choose KYC_PROVIDERS' default, and left out of the config: the AWS SDK reads them itself. */
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_PROFILE: z.string().optional(),
  AWS_WEB_IDENTITY_TOKEN_FILE: z.string().optional(),
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: z.string().optional(),
  AWS_CONTAINER_CREDENTIALS_FULL_URI: z.string().optional(),
  /** Local state of `npm start`: uploads, register snapshots and runs, mail, the embedded PostgreSQL and Temporal. */
  KYC_DATA_DIR: z.string().min(1).default('.data'),
  /** Register snapshot files (`gmc.csv`, `nmc.json`, …) for the local register; defaults to KYC_DATA_DIR/registers. */
  KYC_REGISTER_SNAPSHOT_DIR: z.string().min(1).optional(),
  /** Ports of the servers `npm start` runs itself when TEMPORAL_ADDRESS is unset or DATABASE_URL does not answer. */
  KYC_LOCAL_TEMPORAL_PORT: port.default(7233),
  KYC_LOCAL_TEMPORAL_UI_PORT: port.default(8233),
  KYC_LOCAL_POSTGRES_PORT: port.default(5433),
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
  KYC_WEBHOOK_MAX_AGE: duration.default(48 * unitMs.h),

  /** Payload encryption keys; new payloads use KYC_PAYLOAD_KEY_ID (default: the last key listed). */
  KYC_PAYLOAD_KEYS: payloadKeys.optional(),
  KYC_PAYLOAD_KEY_ID: z.string().min(1).optional(),
  /** In AWS mode: `keyId:<base64 KMS ciphertext>` data keys, decrypted with KMS at start-up instead of KYC_PAYLOAD_KEYS. */
  KYC_PAYLOAD_KEYS_KMS: kmsPayloadKeys.optional(),
  /** Web UI origins allowed to call the codec server (CORS). */
  KYC_CODEC_CORS_ORIGINS: commaList(/^https?:\/\/[^/\s]+$/, 'expected origins such as https://ui.example.org').default([
    'http://localhost:8233',
    'http://127.0.0.1:8233',
  ]),

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
  /** Where a case that needs attention (a step that gave up) is reported. */
  KYC_OPS_EMAIL: z.email().default('ops@example.org'),
  /** Defaults to KYC_DATA_DIR/outbox. */
  KYC_OUTBOX_DIR: z.string().min(1).optional(),
  /** Links in CS emails point here (the CS endpoints) and to the Temporal Web UI. */
  KYC_CS_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /** Defaults to the Web UI of the dev server `npm start` runs: http://127.0.0.1:KYC_LOCAL_TEMPORAL_UI_PORT. */
  KYC_TEMPORAL_UI_URL: z.url().optional(),
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
  /** When the expiry pass (the `kyc-expiry-reminders` Schedule) runs, in its time zone; the day only when weekly. */
  KYC_EXPIRY_SCHEDULE_DAY: z
    .string()
    .transform((day) => day.toUpperCase())
    .pipe(z.enum(DAYS_OF_WEEK))
    .default('MONDAY'),
  KYC_EXPIRY_SCHEDULE_TIME: timeOfDay.default({ hour: 8, minute: 0 }),
  KYC_EXPIRY_SCHEDULE_TIME_ZONE: timeZone.default('Europe/London'),
  KYC_EXPIRY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** How often the expiry pass runs: `daily` (each reminder on its day) or the seed's `weekly` (on KYC_EXPIRY_SCHEDULE_DAY). */
  KYC_EXPIRY_SCHEDULE_FREQUENCY: z.enum(['daily', 'weekly']).default('daily'),
  /** When the daily register monitor (the `kyc-register-monitor` Schedule) runs, in KYC_EXPIRY_SCHEDULE_TIME_ZONE. */
  KYC_MONITOR_SCHEDULE_TIME: timeOfDay.default({ hour: 5, minute: 0 }),
  /** Registration numbers per actor run, or users per batch of a register file. */
  KYC_MONITOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Registers monitored from their own data download: `GMC:/data/lrmp.csv,GPC:/data/gphc.csv`. */
  KYC_REGISTER_DATA_FILES: commaList(
    /^(GMC|NMC|GDC|GPC):.+$/,
    'expected REGISTER:path, REGISTER one of GMC, NMC, GDC, GPC',
  )
    .transform((pairs) => Object.fromEntries(pairs.map(namedPair).map(({ name, value }) => [name, value])))
    .optional(),
  /** The daily digest goes to CS and to this address. */
  KYC_COMPLIANCE_EMAIL: z.email().optional(),
  /** Create or update the Temporal Schedules when the worker starts (`npm run schedules` does the same). */
  KYC_SCHEDULES_SETUP: booleanFlag.default(false),
});

/** Secrets that must be set explicitly outside local mode; local mode falls back to a fixed, well-known value. */
const SECRETS_REQUIRED_IN_PRODUCTION = ['KYC_WEBHOOK_SECRET', 'KYC_API_TOKENS', 'KYC_PAYLOAD_KEYS'] as const;
/** A well-known key for local use only: payloads it encrypts are readable by anyone with this source code. */
const LOCAL_PAYLOAD_KEYS = new Map([['local-1', Buffer.alloc(32, 'local-only-payload-key-not-secret')]]);
const LOCAL_API_TOKENS = ROLES.map((role) => ({ role, token: `local-${role}-token-not-for-production` }));
const LOCAL_ONLY_SECRET = 'local-only-secret-never-use-in-production';

const configSchema = environmentSchema
  .superRefine((env, ctx) => {
    if (env.KYC_ENV === 'production') {
      for (const name of SECRETS_REQUIRED_IN_PRODUCTION) {
        if (name === 'KYC_PAYLOAD_KEYS' && env.KYC_PAYLOAD_KEYS_KMS) continue;
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
    if (env.KYC_PAYLOAD_KEY_ID && !env.KYC_PAYLOAD_KEYS?.has(env.KYC_PAYLOAD_KEY_ID)) {
      ctx.addIssue({ code: 'custom', path: ['KYC_PAYLOAD_KEY_ID'], message: 'must name one of KYC_PAYLOAD_KEYS' });
    }
    if (env.KYC_EMAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'required when KYC_EMAIL_TRANSPORT=smtp' });
    }
  })
  .transform(
    ({
      AWS_ACCESS_KEY_ID,
      AWS_PROFILE,
      AWS_WEB_IDENTITY_TOKEN_FILE,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
      AWS_CONTAINER_CREDENTIALS_FULL_URI,
      ...env
    }) => ({
      ...env,
      KYC_WEBHOOK_SECRET: env.KYC_WEBHOOK_SECRET ?? LOCAL_ONLY_SECRET,
      KYC_API_TOKENS: env.KYC_API_TOKENS ?? LOCAL_API_TOKENS,
      ...providersAndLocalState(
        env,
        [
          AWS_ACCESS_KEY_ID,
          AWS_PROFILE,
          AWS_WEB_IDENTITY_TOKEN_FILE,
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
          AWS_CONTAINER_CREDENTIALS_FULL_URI,
        ].some(Boolean),
      ),
      payloadKeys: payloadKeysOf(env.KYC_PAYLOAD_KEYS ?? LOCAL_PAYLOAD_KEYS, env.KYC_PAYLOAD_KEY_ID),
    }),
  );

type LocalStateSettings = Pick<
  z.output<typeof environmentSchema>,
  | 'KYC_PROVIDERS'
  | 'KYC_OBJECT_STORE'
  | 'TEMPORAL_ADDRESS'
  | 'KYC_LOCAL_TEMPORAL_PORT'
  | 'KYC_LOCAL_TEMPORAL_UI_PORT'
  | 'KYC_TEMPORAL_UI_URL'
  | 'KYC_DATA_DIR'
  | 'KYC_OUTBOX_DIR'
  | 'KYC_REGISTER_SNAPSHOT_DIR'
>;

/** The providers' defaults, and the addresses and folders that default to what `npm start` runs locally. */
function providersAndLocalState(env: LocalStateSettings, awsCredentialsSet: boolean) {
  const providers = env.KYC_PROVIDERS ?? (awsCredentialsSet ? 'aws' : 'local');
  return {
    KYC_PROVIDERS: providers,
    KYC_OBJECT_STORE: env.KYC_OBJECT_STORE ?? (providers === 'aws' ? 's3' : 'folder'),
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.KYC_LOCAL_TEMPORAL_PORT}`,
    /** No TEMPORAL_ADDRESS was given: `npm start` runs a Temporal dev server at the address above. */
    temporalDevServer: env.TEMPORAL_ADDRESS === undefined,
    KYC_TEMPORAL_UI_URL: env.KYC_TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.KYC_LOCAL_TEMPORAL_UI_PORT}`,
    KYC_OUTBOX_DIR: env.KYC_OUTBOX_DIR ?? `${env.KYC_DATA_DIR}/outbox`,
    KYC_REGISTER_SNAPSHOT_DIR: env.KYC_REGISTER_SNAPSHOT_DIR ?? `${env.KYC_DATA_DIR}/registers`,
  };
}

function payloadKeysOf(keys: Map<string, Uint8Array>, currentKeyId: string | undefined) {
  return { keys, currentKeyId: currentKeyId ?? ([...keys.keys()].at(-1) as string) };
}

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
