/**
 * `npm run build:workflows -- <file>`: bundles the workflow code into <file> for KYC_WORKFLOW_BUNDLE, so a worker
 * starts without bundling (src/workers/workflow-bundle.ts). Build it from the same sources the worker runs: the
 * image does, in one layer with them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createLogger } from '../src/logger.ts';
import { buildWorkflowBundle } from '../src/workers/workflow-bundle.ts';

const [target, ...rest] = process.argv.slice(2);
if (!target || rest.length > 0 || target.startsWith('-')) {
  console.error('usage: npm run build:workflows -- <output file, e.g. dist/workflow-bundle.js>');
  process.exit(2);
}
const output = resolve(target);
const started = performance.now();
const { code } = await buildWorkflowBundle(createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));
await mkdir(dirname(output), { recursive: true });
await writeFile(output, code);
console.log(
  `workflow bundle: ${output} (${(code.length / 1024 / 1024).toFixed(1)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
