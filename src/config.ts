/**
 * The one reading of the environment. Every variable is validated here, so a bad setting fails at start-up with a
 * message naming the variable instead of surfacing later as an odd runtime error.
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isDeploymentPlaceholder } from './contract/deployment-placeholders.ts';
import { isRole, type Role, SERVICE_ROLES } from './identity/identity.ts';
import { loadPolicy } from './policies.ts';

export type { Role } from './identity/identity.ts';

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

/**
 * `name:role:<SHA-256 of the token, hex>` entries: the services' bearer tokens, held only as digests and each named,
 * so a leaked configuration gives no token away and every call is attributed to one caller.
 */
const serviceTokens = commaList(
  /^[A-Za-z0-9._-]{1,64}:[a-z-]+:[0-9a-f]{64}$/,
  'expected name:role:<sha256 hex> (npm run accounts -- service-token <name> makes one)',
)
  .transform((entries) =>
    entries.map((entry) => {
      const [name, role, digest] = entry.split(':') as [string, string, string];
      return { name, role, digest };
    }),
  )
  .pipe(
    z.array(
      z.object({
        name: z.string(),
        role: z.string().refine(isRole, 'unknown role: expected intake, cs, cs-lead or ops'),
        digest: z.string(),
      }),
    ),
  )
  .transform((entries) => entries.map(({ name, role, digest }) => ({ name, role: role as Role, digest })));

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
/** The decision thresholds that were settings before the policy became a versioned file. */
const RETIRED_THRESHOLD_SETTINGS = [
  'KYC_FACE_PASS_THRESHOLD',
  'KYC_FACE_FAIL_THRESHOLD',
  'KYC_LIVENESS_SELFIE_MATCH_THRESHOLD',
  'KYC_LIVENESS_DOCUMENT_MATCH_THRESHOLD',
  'KYC_DUPLICATE_FACE_THRESHOLD',
] as const;
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
  /** TLS to Temporal: on by itself with TEMPORAL_TLS=true, implied by a client certificate, a CA or an API key. */
  TEMPORAL_TLS: booleanFlag.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Temporal Cloud API key (sent as a bearer token, over TLS). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
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
  /** Retired: KYC_SERVICE_TOKENS (hashed, named) for services, and sign-in for people. Read only to say so. */
  KYC_API_TOKENS: z.string().optional(),
  /** Services' bearer tokens as `name:role:<sha256 hex>`. */
  KYC_SERVICE_TOKENS: serviceTokens.optional(),
  /** People sign in with an OIDC provider: its issuer, this API's audience, and the issuer's JWKS. */
  KYC_OIDC_ISSUER: z.url().optional(),
  KYC_OIDC_AUDIENCE: z.string().min(1).optional(),
  KYC_OIDC_JWKS_URL: z.url().optional(),
  /** The claim holding a person's roles (a list, or a space-separated string); a dotted path reaches into objects. */
  KYC_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /**
   * The CS console's sign-in through the same provider (authorization code + PKCE), on when the client id is set:
   * the console's client at the provider, its secret, and the provider's endpoints (`authorization_endpoint`,
   * `token_endpoint` of <issuer>/.well-known/openid-configuration). Its redirect URI is
   * KYC_CS_BASE_URL/console/oidc/callback.
   */
  KYC_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  KYC_OIDC_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  KYC_OIDC_AUTHORIZATION_URL: z.url().optional(),
  KYC_OIDC_TOKEN_URL: z.url().optional(),
  KYC_WEBHOOK_MAX_AGE: duration.default(48 * unitMs.h),

  /** Payload keys that decrypt; new payloads are encrypted with KYC_PAYLOAD_KEY_ID (required outside local mode). */
  KYC_PAYLOAD_KEYS: payloadKeys.optional(),
  KYC_PAYLOAD_KEY_ID: z.string().min(1).optional(),
  /** Migration switch: accept unencrypted payloads (histories written before encryption). Off: they are refused. */
  KYC_PAYLOAD_ACCEPT_PLAINTEXT: booleanFlag.optional(),
  /** In AWS mode: `keyId:<base64 KMS ciphertext>` data keys, decrypted with KMS at start-up instead of KYC_PAYLOAD_KEYS. */
  KYC_PAYLOAD_KEYS_KMS: kmsPayloadKeys.optional(),
  /** Web UI origins allowed to call the codec server (CORS). */
  KYC_CODEC_CORS_ORIGINS: commaList(/^https?:\/\/[^/\s]+$/, 'expected origins such as https://ui.example.org').default([
    'http://localhost:8233',
    'http://127.0.0.1:8233',
  ]),

  /**
   * The decision policy in force: `policies/<version>.json`, thresholds and rule table (README, Compliance). Not a
   * secret, so v1 is the default; a new version is dry-run first (`npm run policy:dry-run`), then chosen here.
   */
  KYC_POLICY_VERSION: z
    .string()
    .regex(/^v\d+$/, 'expected a policy version such as v1')
    .default('v1'),
  /** Retired: the decision thresholds live in the policy file. Read only to say so. */
  KYC_FACE_PASS_THRESHOLD: z.string().optional(),
  KYC_FACE_FAIL_THRESHOLD: z.string().optional(),
  KYC_LIVENESS_SELFIE_MATCH_THRESHOLD: z.string().optional(),
  KYC_LIVENESS_DOCUMENT_MATCH_THRESHOLD: z.string().optional(),
  KYC_DUPLICATE_FACE_THRESHOLD: z.string().optional(),
  KYC_LIVENESS_THRESHOLD: ratio.default(0.9),
  /** HMAC key for the hashes of document numbers and identities that duplicate look-ups compare (32+ characters). */
  KYC_IDENTITY_HASH_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The Rekognition collection holding accepted selfies' faces (AWS mode). */
  KYC_FACE_COLLECTION_ID: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,255}$/)
    .default('kyc-accepted-faces'),
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
  /** Signs the CS review console's session cookies, CSRF tokens and image URLs; the console is closed without it. */
  KYC_CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  KYC_PRODUCT_SNS_TOPIC_ARN: z.string().startsWith('arn:').optional(),

  KYC_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  KYC_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The load balancers in front of the API (addresses or CIDRs): their X-Forwarded-For gives the audit's address. */
  KYC_HTTP_TRUST_PROXY: commaList(
    /^[0-9a-fA-F.:]+(\/\d{1,3})?$/,
    'expected addresses or CIDRs such as 10.0.0.0/8',
  ).optional(),
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

  /** `/metrics` for Prometheus, on a port of its own (never through the public load balancer); unset: not served. */
  KYC_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  KYC_METRICS_PORT: port.optional(),
  /** The worker's Temporal runtime serves its metrics on this loopback port; the worker's /metrics includes them. */
  KYC_TEMPORAL_METRICS_PORT: port.default(9465),
  /** Dead-letter queues whose depth the HTTP service's /metrics reports: `name=url,…`. */
  KYC_METRICS_DLQ_URLS: commaList(/^[a-z0-9-]+=https?:\/\/\S+$/, 'expected name=url pairs')
    .transform((pairs) =>
      Object.fromEntries(pairs.map((pair) => [pair.split('=')[0], pair.slice(pair.indexOf('=') + 1)])),
    )
    .optional(),
  /** The HTTP service publishes the task-queue backlog to CloudWatch under this namespace (worker autoscaling). */
  KYC_METRICS_BACKLOG_NAMESPACE: z.string().min(1).optional(),
  /** SSE-KMS: uploads are written encrypted under this KMS key (id, ARN or alias); unset: the bucket's default. */
  KYC_S3_KMS_KEY_ID: z.string().min(1).optional(),

  KYC_WORKER_SHUTDOWN_GRACE: duration.default(30 * unitMs.s),
  /**
   * A workflow bundle built ahead by `npm run build:workflows` (the image does it): the worker loads it instead of
   * bundling the workflow code at every start, which takes seconds of CPU. Unset: bundle at start (development).
   */
  KYC_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Workflows the worker keeps in memory between their tasks. A KycWorkflow is busy for seconds and then waits days,
   * so the cache needs to hold the cases in progress, not the idle ones; each cached KycWorkflow holds about 1.3 MiB of
   * the workflow sandbox's heap (its own instance of the bundle's modules). 500 kept an idle bench worker at 1.5 GB,
   * 50 at under 400 MiB (bench/results/2026-12-03-idle-*.json); the SDK's default (about 2,300 for Node's default
   * heap) at 4.6 GB. An evicted workflow replays its history on its next task.
   */
  KYC_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(50),
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
  /**
   * Document images and selfies are deleted this long after a final decision (PASS or FAIL), by the daily
   * `kyc-image-retention` Schedule. 90 days: a worker or agency disputing a decision is heard with the images in
   * hand (a complaint can take up to eight weeks), and the decision's evidence — outcomes, scores, register entry,
   * reviewer — stays without them. A re-check after that needs a new upload.
   */
  KYC_IMAGE_RETENTION: duration
    .refine((ms) => ms >= unitMs.d && ms % unitMs.d === 0, 'expected whole days, at least 1d')
    .default(90 * unitMs.d),
  /** Create or update the Temporal Schedules when the worker starts (`npm run schedules` does the same). */
  KYC_SCHEDULES_SETUP: booleanFlag.default(false),
});

/** A well-known key for local use only: payloads it encrypts are readable by anyone with this source code. */
const LOCAL_PAYLOAD_KEY = Buffer.alloc(32, 'local-only-payload-key-not-secret');
const LOCAL_PAYLOAD_KEYS = new Map([['local-1', LOCAL_PAYLOAD_KEY]]);
const LOCAL_ONLY_SECRET = 'local-only-secret-never-use-in-production';
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/kyc?sslmode=disable';
/** `npm start`'s service tokens: the demo's product backend, and the local Web UI's codec endpoint. */
export const LOCAL_SERVICE_TOKENS = {
  intake: 'local-intake-token-not-for-production',
  webUi: 'local-web-ui-token-not-for-production',
} as const;
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
const LOCAL_SERVICE_TOKEN_TABLE = [
  { name: 'local-product-backend', role: 'intake' as Role, digest: tokenDigest(LOCAL_SERVICE_TOKENS.intake) },
  { name: 'local-web-ui', role: 'ops' as Role, digest: tokenDigest(LOCAL_SERVICE_TOKENS.webUi) },
];
const KNOWN_DEFAULT_DIGESTS = new Set(LOCAL_SERVICE_TOKEN_TABLE.map((entry) => entry.digest));
const MIN_SECRET_LENGTH = 32;

/**
 * Which process is starting. `local` is `npm start`: it fills in public defaults while it listens on loopback only.
 * The production entry points (`npm run api`, `npm run worker`, the image's roles, the S3 bridge Lambda) never do.
 */
export type EntryPoint = 'local' | 'api' | 'worker' | 'bridge' | 'migrate';

type RawEnvironment = Record<string, string>;
interface Requirement {
  setting: string;
  howTo: string;
  /** Why the raw value is unacceptable, or null when it is fine. */
  problem(env: RawEnvironment): string | null;
}

const present =
  (setting: string, extra?: (value: string, env: RawEnvironment) => string | null) => (env: RawEnvironment) => {
    const value = env[setting];
    if (value === undefined) return 'missing';
    return extra ? extra(value, env) : null;
  };
const longSecret = (value: string) =>
  value.length < MIN_SECRET_LENGTH ? `too short (${value.length} characters; at least ${MIN_SECRET_LENGTH})` : null;
/** https, except on this machine (a JWKS served on loopback cannot be intercepted on the way). */
const httpsUrl = (value: string) =>
  value.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(value)
    ? null
    : 'must be an https:// URL';

const REQUIREMENTS = {
  DATABASE_URL: {
    setting: 'DATABASE_URL',
    howTo: "postgres://<role>:<password>@<host>:5432/kyc — the service's own database role",
    problem: present('DATABASE_URL', (value) =>
      value.replace(/\?.*$/, '') === LOCAL_DATABASE_URL.replace(/\?.*$/, '') ? 'is the local default' : null,
    ),
  },
  TEMPORAL_ADDRESS: {
    setting: 'TEMPORAL_ADDRESS',
    howTo: 'host:port of your Temporal frontend, e.g. temporal.internal:7233 or <namespace>.<account>.tmprl.cloud:7233',
    problem: present('TEMPORAL_ADDRESS'),
  },
  KYC_WEBHOOK_SECRET: {
    setting: 'KYC_WEBHOOK_SECRET',
    howTo: `a random secret of ${MIN_SECRET_LENGTH}+ characters, e.g. \`openssl rand -base64 48\``,
    problem: present('KYC_WEBHOOK_SECRET', (value) =>
      value === LOCAL_ONLY_SECRET ? 'is the public local default' : longSecret(value),
    ),
  },
  KYC_PAYLOAD_KEYS: {
    setting: 'KYC_PAYLOAD_KEYS',
    howTo:
      'keyId:<32 random bytes in base64>, e.g. key-2026a:$(openssl rand -base64 32); or KYC_PAYLOAD_KEYS_KMS with KMS-encrypted data keys',
    problem: (env) => {
      if (env.KYC_PAYLOAD_KEYS === undefined) return env.KYC_PAYLOAD_KEYS_KMS === undefined ? 'missing' : null;
      return env.KYC_PAYLOAD_KEYS.includes(LOCAL_PAYLOAD_KEY.toString('base64')) ? 'holds the public local key' : null;
    },
  },
  KYC_PAYLOAD_KEY_ID: {
    setting: 'KYC_PAYLOAD_KEY_ID',
    howTo: 'the id of the key new payloads are encrypted with (one of KYC_PAYLOAD_KEYS); see "Rotating a key"',
    problem: present('KYC_PAYLOAD_KEY_ID'),
  },
  KYC_SERVICE_TOKENS: {
    setting: 'KYC_SERVICE_TOKENS',
    howTo: 'name:intake:<sha256 hex> per calling service; `npm run accounts -- service-token <name>` makes one',
    problem: present('KYC_SERVICE_TOKENS', (value) => {
      const entries = value.split(',').map((entry) => entry.trim().split(':'));
      if (entries.some(([, , digest]) => digest && KNOWN_DEFAULT_DIGESTS.has(digest)))
        return 'holds a public local token';
      const human = entries.find(([, role]) => role && !SERVICE_ROLES.includes(role as Role));
      return human ? `gives ${human[0]} the ${human[1]} role: people sign in, services hold only intake` : null;
    }),
  },
  KYC_OIDC_ISSUER: {
    setting: 'KYC_OIDC_ISSUER',
    howTo: "your identity provider's issuer URL (the `iss` of its tokens)",
    problem: present('KYC_OIDC_ISSUER', httpsUrl),
  },
  KYC_OIDC_AUDIENCE: {
    setting: 'KYC_OIDC_AUDIENCE',
    howTo: 'the audience (`aud`) your identity provider puts in tokens for this API',
    problem: present('KYC_OIDC_AUDIENCE'),
  },
  KYC_OIDC_JWKS_URL: {
    setting: 'KYC_OIDC_JWKS_URL',
    howTo: "the issuer's `jwks_uri`, from <issuer>/.well-known/openid-configuration",
    problem: present('KYC_OIDC_JWKS_URL', httpsUrl),
  },
  KYC_OIDC_CLIENT_SECRET: {
    setting: 'KYC_OIDC_CLIENT_SECRET',
    howTo: "the console client's secret at your identity provider (required when KYC_OIDC_CLIENT_ID is set)",
    problem: (env) => (env.KYC_OIDC_CLIENT_ID === undefined ? null : present('KYC_OIDC_CLIENT_SECRET')(env)),
  },
  KYC_OIDC_CONSOLE_URLS: {
    setting: 'KYC_OIDC_AUTHORIZATION_URL, KYC_OIDC_TOKEN_URL, KYC_CS_BASE_URL',
    howTo: "the provider's authorization and token endpoints and the console's public base URL, all https://",
    problem: (env) => {
      if (env.KYC_OIDC_CLIENT_ID === undefined) return null;
      const names = ['KYC_OIDC_AUTHORIZATION_URL', 'KYC_OIDC_TOKEN_URL', 'KYC_CS_BASE_URL'] as const;
      const bad = names.filter((name) => env[name] === undefined || httpsUrl(env[name]) !== null);
      return bad.length ? `${bad.join(', ')} missing or not https://` : null;
    },
  },
  KYC_IDENTITY_HASH_KEY: {
    setting: 'KYC_IDENTITY_HASH_KEY',
    howTo: `a random secret of ${MIN_SECRET_LENGTH}+ characters, e.g. \`openssl rand -base64 48\`; keep it for as long as the hashes it made are kept`,
    problem: present('KYC_IDENTITY_HASH_KEY', (value) =>
      value === LOCAL_ONLY_SECRET ? 'is the public local default' : longSecret(value),
    ),
  },
  KYC_PRODUCT_WEBHOOK_SECRET: {
    setting: 'KYC_PRODUCT_WEBHOOK_SECRET',
    howTo: `a random secret of ${MIN_SECRET_LENGTH}+ characters shared with the product's receiver`,
    problem: (env) =>
      env.KYC_PRODUCT_WEBHOOK_URL === undefined || env.KYC_PRODUCT_WEBHOOK_SECRET === undefined
        ? null
        : longSecret(env.KYC_PRODUCT_WEBHOOK_SECRET),
  },
  KYC_CONSOLE_SESSION_SECRET: {
    setting: 'KYC_CONSOLE_SESSION_SECRET',
    howTo: `a random secret of ${MIN_SECRET_LENGTH}+ characters, e.g. \`openssl rand -base64 48\` (unset, the CS console stays closed)`,
    problem: (env) => (env.KYC_CONSOLE_SESSION_SECRET === LOCAL_ONLY_SECRET ? 'is the public local default' : null),
  },
} satisfies Record<string, Requirement>;

const COMMON = [
  REQUIREMENTS.DATABASE_URL,
  REQUIREMENTS.TEMPORAL_ADDRESS,
  REQUIREMENTS.KYC_WEBHOOK_SECRET,
  REQUIREMENTS.KYC_PAYLOAD_KEYS,
  REQUIREMENTS.KYC_PAYLOAD_KEY_ID,
  REQUIREMENTS.KYC_IDENTITY_HASH_KEY,
  REQUIREMENTS.KYC_PRODUCT_WEBHOOK_SECRET,
];
const SIGN_IN = [
  REQUIREMENTS.KYC_SERVICE_TOKENS,
  REQUIREMENTS.KYC_OIDC_ISSUER,
  REQUIREMENTS.KYC_OIDC_AUDIENCE,
  REQUIREMENTS.KYC_OIDC_JWKS_URL,
  REQUIREMENTS.KYC_OIDC_CLIENT_SECRET,
  REQUIREMENTS.KYC_OIDC_CONSOLE_URLS,
];
/** What each entry point needs when it takes no defaults. `npm start` may still run its own Temporal dev server. */
const REQUIRED: Record<EntryPoint, Requirement[]> = {
  api: [...COMMON, ...SIGN_IN, REQUIREMENTS.KYC_CONSOLE_SESSION_SECRET],
  worker: COMMON,
  /** The S3 bridge as a Lambda: it signals workflows, so it encrypts payloads, but signs no webhooks. */
  bridge: [
    REQUIREMENTS.DATABASE_URL,
    REQUIREMENTS.TEMPORAL_ADDRESS,
    REQUIREMENTS.KYC_PAYLOAD_KEYS,
    REQUIREMENTS.KYC_PAYLOAD_KEY_ID,
  ],
  migrate: [REQUIREMENTS.DATABASE_URL],
  local: [...COMMON.filter((rule) => rule !== REQUIREMENTS.TEMPORAL_ADDRESS), ...SIGN_IN],
};

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Why this start takes no defaults, or null when it may (`npm start` on loopback, not KYC_ENV=production). */
function strictReason(env: RawEnvironment, entryPoint: EntryPoint): string | null {
  if (entryPoint !== 'local') return `the production entry point (${entryPoint})`;
  if (env.KYC_ENV === 'production') return 'KYC_ENV=production';
  const host = env.KYC_HTTP_HOST ?? '127.0.0.1';
  if (!isLoopback(host)) return `npm start listening beyond loopback (KYC_HTTP_HOST=${host})`;
  return null;
}

function productionProblems(env: RawEnvironment, entryPoint: EntryPoint): string[] {
  const problems = REQUIRED[entryPoint].flatMap((rule) => {
    const problem = rule.problem(env);
    return problem ? [`  ${rule.setting}: ${problem} — set it to ${rule.howTo}`] : [];
  });
  if (entryPoint !== 'local' && env.KYC_ENV === 'local') {
    problems.push('  KYC_ENV: local is only for npm start on loopback — unset it or set production');
  }
  return problems;
}

const configSchema = environmentSchema
  .superRefine((env, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.KYC_PRODUCT_WEBHOOK_URL && !env.KYC_PRODUCT_WEBHOOK_SECRET) {
      issue('KYC_PRODUCT_WEBHOOK_SECRET', 'required when KYC_PRODUCT_WEBHOOK_URL is set (webhooks are always signed)');
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
      if (env[name] && consumed.has(env[name])) issue(name, 'must not be a queue this service consumes');
    }
    const keyIds = new Set([
      ...(env.KYC_PAYLOAD_KEYS?.keys() ?? []),
      ...(env.KYC_PAYLOAD_KEYS_KMS ?? []).map((key) => key.keyId),
    ]);
    if (env.KYC_PAYLOAD_KEY_ID && !keyIds.has(env.KYC_PAYLOAD_KEY_ID)) {
      issue('KYC_PAYLOAD_KEY_ID', 'must name one of KYC_PAYLOAD_KEYS or KYC_PAYLOAD_KEYS_KMS');
    }
    if (keyIds.size > 0 && !env.KYC_PAYLOAD_KEY_ID) {
      issue('KYC_PAYLOAD_KEY_ID', 'required with payload keys: it names the key new payloads are encrypted with');
    }
    if (env.KYC_API_TOKENS) {
      issue('KYC_API_TOKENS', 'retired: services use KYC_SERVICE_TOKENS (name:role:<sha256 hex>), people sign in');
    }
    for (const name of RETIRED_THRESHOLD_SETTINGS) {
      if (env[name] !== undefined) {
        issue(name, 'retired: thresholds live in the policy file policies/<KYC_POLICY_VERSION>.json');
      }
    }
    if (env.KYC_EMAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
      issue('SMTP_URL', 'required when KYC_EMAIL_TRANSPORT=smtp');
    }
    const oidc = [env.KYC_OIDC_ISSUER, env.KYC_OIDC_AUDIENCE, env.KYC_OIDC_JWKS_URL];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      for (const name of ['KYC_OIDC_ISSUER', 'KYC_OIDC_AUDIENCE', 'KYC_OIDC_JWKS_URL'] as const) {
        if (!env[name]) issue(name, 'required with the other KYC_OIDC_ settings');
      }
    }
    if (env.KYC_OIDC_CLIENT_ID) {
      // The console's sign-in has no defaults anywhere, `npm start` included: each comes from the provider.
      for (const name of [
        'KYC_OIDC_ISSUER',
        'KYC_OIDC_CLIENT_SECRET',
        'KYC_OIDC_AUTHORIZATION_URL',
        'KYC_OIDC_TOKEN_URL',
      ] as const) {
        if (!env[name]) issue(name, 'required when KYC_OIDC_CLIENT_ID is set (the console signs people in with OIDC)');
      }
    }
    for (const [path, message] of temporalConnectionIssues(env)) issue(path, message);
  })
  .transform(
    ({
      AWS_ACCESS_KEY_ID,
      AWS_PROFILE,
      AWS_WEB_IDENTITY_TOKEN_FILE,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
      AWS_CONTAINER_CREDENTIALS_FULL_URI,
      KYC_API_TOKENS,
      KYC_FACE_PASS_THRESHOLD,
      KYC_FACE_FAIL_THRESHOLD,
      KYC_LIVENESS_SELFIE_MATCH_THRESHOLD,
      KYC_LIVENESS_DOCUMENT_MATCH_THRESHOLD,
      KYC_DUPLICATE_FACE_THRESHOLD,
      ...env
    }) => ({
      ...env,
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
      oidc:
        env.KYC_OIDC_ISSUER && env.KYC_OIDC_AUDIENCE && env.KYC_OIDC_JWKS_URL
          ? {
              issuer: env.KYC_OIDC_ISSUER,
              audience: env.KYC_OIDC_AUDIENCE,
              jwksUrl: env.KYC_OIDC_JWKS_URL,
              rolesClaim: env.KYC_OIDC_ROLES_CLAIM,
            }
          : undefined,
      consoleOidcClient:
        env.KYC_OIDC_CLIENT_ID && env.KYC_OIDC_CLIENT_SECRET && env.KYC_OIDC_AUTHORIZATION_URL && env.KYC_OIDC_TOKEN_URL
          ? {
              clientId: env.KYC_OIDC_CLIENT_ID,
              clientSecret: env.KYC_OIDC_CLIENT_SECRET,
              authorizationUrl: env.KYC_OIDC_AUTHORIZATION_URL,
              tokenUrl: env.KYC_OIDC_TOKEN_URL,
              redirectUri: `${env.KYC_CS_BASE_URL.replace(/\/$/, '')}/console/oidc/callback`,
            }
          : undefined,
    }),
  );

/** Temporal TLS and API-key settings that contradict each other. */
function temporalConnectionIssues(env: z.output<typeof environmentSchema>): [string, string][] {
  const issues: [string, string][] = [];
  const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if (cert && !key) issues.push(['TEMPORAL_TLS_CLIENT_KEY_PATH', 'required with TEMPORAL_TLS_CLIENT_CERT_PATH (mTLS)']);
  if (key && !cert) issues.push(['TEMPORAL_TLS_CLIENT_CERT_PATH', 'required with TEMPORAL_TLS_CLIENT_KEY_PATH (mTLS)']);
  if (env.TEMPORAL_API_KEY && cert) {
    issues.push([
      'TEMPORAL_API_KEY',
      'set either an API key or a client certificate (TEMPORAL_TLS_CLIENT_*), not both',
    ]);
  }
  if (env.TEMPORAL_TLS === false) {
    const needTls = (
      [
        'TEMPORAL_API_KEY',
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
        'TEMPORAL_TLS_SERVER_NAME',
      ] as const
    ).filter((name) => env[name]);
    for (const name of needTls) issues.push(['TEMPORAL_TLS', `is false, but ${name} needs TLS`]);
  }
  return issues;
}

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

type ParsedConfig = z.infer<typeof configSchema>;

/** The parsed settings, with `npm start`'s public defaults filled in only where the start may take them. */
function withSecrets(parsed: ParsedConfig, strict: boolean) {
  const keys = parsed.KYC_PAYLOAD_KEYS ?? LOCAL_PAYLOAD_KEYS;
  const usesLocalTokens = !parsed.KYC_SERVICE_TOKENS && !strict;
  return {
    ...parsed,
    /** True when nothing falls back to a public default: every start but `npm start` on loopback. */
    production: strict,
    KYC_WEBHOOK_SECRET: parsed.KYC_WEBHOOK_SECRET ?? LOCAL_ONLY_SECRET,
    KYC_IDENTITY_HASH_KEY: parsed.KYC_IDENTITY_HASH_KEY ?? LOCAL_ONLY_SECRET,
    /**
     * Outside `npm start` on loopback there is no default: without the setting the console answers 503. A public
     * default would let anyone who read this source forge a CS lead's session.
     */
    consoleSessionSecret: parsed.KYC_CONSOLE_SESSION_SECRET ?? (strict ? undefined : LOCAL_ONLY_SECRET),
    serviceTokens: parsed.KYC_SERVICE_TOKENS ?? (strict ? [] : LOCAL_SERVICE_TOKEN_TABLE),
    /** The token `npm start` puts in its Web UI's codec endpoint (the UI can send no header). */
    webUiCodecToken: usesLocalTokens ? LOCAL_SERVICE_TOKENS.webUi : undefined,
    /** Local accounts (password sign-in) serve `npm start` only; production signs people in with OIDC. */
    localAccounts: !strict,
    payloadKeys: { keys, currentKeyId: parsed.KYC_PAYLOAD_KEY_ID ?? 'local-1' },
    acceptPlaintextPayloads: parsed.KYC_PAYLOAD_ACCEPT_PLAINTEXT ?? false,
  };
}

export type Config = ReturnType<typeof withSecrets>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates `env` for an entry point; throws a ConfigError naming every bad or missing setting at once.
 * Tests and `npm start` use the default, `local`; production entry points name themselves.
 */
/**
 * The entry points that decide, and so read the policy file at start-up. The others never apply it, and the S3
 * bridge runs as a bundled Lambda without the policies folder.
 */
const DECIDING_ENTRY_POINTS: ReadonlySet<EntryPoint> = new Set(['local', 'worker']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, entryPoint: EntryPoint = 'local'): Config {
  const raw = emptyStringsAsUnset(env);
  const strict = strictReason(raw, entryPoint);
  const parsed = configSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  const placeholders = Object.entries(raw)
    .filter(([, value]) => isDeploymentPlaceholder(value))
    .map(([setting]) => `  ${setting}: still the AWS stack's placeholder — put the real value into its secret`);
  const missing = [...placeholders, ...(strict ? productionProblems(raw, entryPoint) : [])];
  if (missing.length > 0) {
    const named = new Set(missing.map((line) => line.split(':')[0]));
    const others = problems.filter((line) => !named.has(line.split(':')[0]));
    throw new ConfigError(
      `Refusing to start: ${strict ? `${strict} takes no defaults, and ` : ''}${missing.length} setting(s) are missing or unsafe:\n` +
        `${[...missing, ...others].join('\n')}\nSee README.md, "Running in production".`,
    );
  }
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  if (DECIDING_ENTRY_POINTS.has(entryPoint)) {
    try {
      loadPolicy(parsed.data.KYC_POLICY_VERSION);
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  KYC_POLICY_VERSION: ${(error as Error).message}`);
    }
  }
  return withSecrets(parsed.data, strict !== null);
}

function emptyStringsAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}
