/**
 * The workflow code a worker runs: built ahead into one file (`npm run build:workflows`, which the image runs), or
 * bundled from the sources at start. A worker that restarts — after a crash, a deploy, a scale-out — then polls within
 * a second or two instead of after webpack's several seconds of CPU, which is most of how long a case waits on a
 * worker that died.
 */
import { access } from 'node:fs/promises';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { failureConverterPath } from '../data-protection/data-converter.ts';
import type { Logger } from '../logger.ts';
import { bundlerLogger } from './runtime-logger.ts';
import { workflowsPath } from './workflows-path.ts';

export class MissingWorkflowBundle extends Error {
  override name = 'MissingWorkflowBundle';
}

/** The bundle at `prebuiltPath` when one is named (it must exist), else the workflow sources bundled now. */
export async function workflowBundle(prebuiltPath: string | undefined, logger: Logger): Promise<WorkflowBundleOption> {
  if (prebuiltPath === undefined) return await buildWorkflowBundle(logger);
  try {
    await access(prebuiltPath);
  } catch {
    throw new MissingWorkflowBundle(
      `KYC_WORKFLOW_BUNDLE=${prebuiltPath} does not exist: build it with \`npm run build:workflows -- ${prebuiltPath}\`, or unset KYC_WORKFLOW_BUNDLE to bundle at start`,
    );
  }
  logger.debug({ codePath: prebuiltPath }, 'workflow bundle built ahead');
  return { codePath: prebuiltPath };
}

/**
 * The workflow sources with the data converter's failure converter: a bundle handed to the worker must carry it
 * itself, or failures raised in workflow code would reach the history with their messages in clear.
 */
export async function buildWorkflowBundle(logger: Logger): Promise<{ code: string }> {
  return await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: bundlerLogger(logger) });
}
