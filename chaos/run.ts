/**
 * `npm run chaos -- [--count 200] [--seed 1] [--worker-kills 12] [--api-kills 4] [--load-window 420]`
 *
 * Runs the chaos run (see chaos-run.ts) and prints its report; exits 1 unless every check holds.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runChaos } from './chaos-run.ts';

const optionsSchema = z.object({
  count: z.coerce.number().int().min(1).max(2_000).default(200),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1),
  'worker-kills': z.coerce.number().int().min(0).max(100).default(12),
  'api-kills': z.coerce.number().int().min(0).max(100).default(4),
  /** Seconds over which sign-ups are spread; by default two seconds per verification, at least a minute. */
  'load-window': z.coerce.number().int().min(10).max(7_200).optional(),
});

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    seed: { type: 'string' },
    'worker-kills': { type: 'string' },
    'api-kills': { type: 'string' },
    'load-window': { type: 'string' },
  },
});
const parsed = optionsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`--${String(parsed.error.issues[0]?.path[0])}: ${parsed.error.issues[0]?.message}`);
  process.exit(2);
}
const options = parsed.data;
const report = await runChaos({
  count: options.count,
  seed: options.seed,
  workerKills: options['worker-kills'],
  apiKills: options['api-kills'],
  loadWindowMs: (options['load-window'] ?? Math.max(60, options.count * 2)) * 1000,
  settleMs: 15 * 60_000,
  log: (line) => console.log(`[chaos] ${line}`),
});
console.log(report.lines.join('\n'));
process.exitCode = report.ok ? 0 : 1;
