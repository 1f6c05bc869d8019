/**
 * A different workflow registered under the name KycWorkflow: its history cannot replay on the real KycWorkflow,
 * which is what the pre-deploy replay check must catch. Bundled on its own by test/replay-cli.test.ts.
 */
import { sleep } from '@temporalio/workflow';

export async function KycWorkflow(): Promise<void> {
  await sleep('1 day');
}
