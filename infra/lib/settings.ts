/**
 * The deployment's settings, read from CDK context (`cdk.json`, or `-c kyc:name=value`) and validated, so a typo
 * fails the synth with the setting's name instead of producing a stack that cannot start.
 */
import type { Node } from 'constructs';
import { z } from 'zod';

const settingsSchema = z
  .object({
    /** Where to deploy. The region is needed at synth time (availability zones, ALB log delivery). */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
    account: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    /** The seed's upload bucket. S3 names are global: another account may own `kyc-raw`, then set your own. */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    keyPrefix: z.string().regex(/^[a-z0-9-]+\/$/),
    /** Uploaded documents and selfies are deleted this many days after upload. */
    retentionDays: z.coerce.number().int().min(1).max(3650),
    /** `cloud`: Temporal Cloud, with an API key or mTLS client certificate; `self-hosted`: an existing cluster. */
    temporalMode: z.enum(['cloud', 'self-hosted']),
    temporalAuth: z.enum(['api-key', 'mtls', 'none']),
    temporalAddress: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port'),
    temporalNamespace: z.string().min(1),
    taskQueue: z.string().min(1),
    /** ACM certificate of the HTTP service's public name; the ALB serves HTTPS only. */
    certificateArn: z.string().startsWith('arn:'),
    /** The HTTP service's public URL, used in links in CS email. */
    publicBaseUrl: z.url(),
    /** The domain (or single address) SES sends from. */
    sesIdentity: z.string().min(3),
    emailFrom: z.email(),
    csEmail: z.email(),
    /** Ops get the alarms here; unset, subscribe to the ops topic yourself. */
    opsEmail: z.email().optional(),
    workerMinTasks: z.coerce.number().int().min(1),
    workerMaxTasks: z.coerce.number().int().min(1),
    /**
     * `false` for the first deploy of the service stack: the task definitions exist, no task runs, so the
     * migration task can create the schema before any service starts.
     */
    runServices: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]),
    /** Scale-out target: task-queue backlog per worker task. */
    backlogPerWorker: z.coerce.number().int().min(1),
  })
  .superRefine((settings, ctx) => {
    if (settings.temporalMode === 'cloud' && settings.temporalAuth === 'none') {
      ctx.addIssue({ code: 'custom', path: ['temporalAuth'], message: 'Temporal Cloud needs api-key or mtls' });
    }
    if (settings.workerMaxTasks < settings.workerMinTasks) {
      ctx.addIssue({ code: 'custom', path: ['workerMaxTasks'], message: 'must be at least kyc:workerMinTasks' });
    }
  });

export type KycSettings = z.infer<typeof settingsSchema>;

const KEYS = Object.keys(settingsSchema.shape) as Array<keyof KycSettings>;

export function readSettings(node: Node): KycSettings {
  const raw = Object.fromEntries(KEYS.map((key) => [key, node.tryGetContext(`kyc:${key}`)]));
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `kyc:${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid CDK context:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * The Temporal credentials, kept in the `kyc/temporal` secret under `field` and handed to the service as the setting
 * its client reads (src/starters/temporal-client.ts). The TLS settings name files: the value is written to a private
 * file at start and the setting points at it.
 */
export interface TemporalCredential {
  setting: string;
  field: string;
  asFile: boolean;
}

export function temporalCredentials(settings: KycSettings): TemporalCredential[] {
  switch (settings.temporalAuth) {
    case 'api-key':
      return [{ setting: 'TEMPORAL_API_KEY', field: 'TEMPORAL_API_KEY', asFile: false }];
    case 'mtls':
      return [
        { setting: 'TEMPORAL_TLS_CLIENT_CERT_PATH', field: 'TEMPORAL_TLS_CERT', asFile: true },
        { setting: 'TEMPORAL_TLS_CLIENT_KEY_PATH', field: 'TEMPORAL_TLS_KEY', asFile: true },
        // Temporal Cloud's server certificate is publicly trusted; a self-hosted cluster's may need its own CA.
        ...(settings.temporalMode === 'self-hosted'
          ? [{ setting: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', field: 'TEMPORAL_TLS_CA', asFile: true }]
          : []),
      ];
    case 'none':
      return [];
  }
}
