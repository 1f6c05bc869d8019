/** The saved queries the README gives ops are accepted by a real Temporal server's visibility store. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsQueries } from '../src/contract/ops-queries.ts';
import { connectDevServer } from './support/temporal.ts';

describe('ops saved queries', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const queries = opsQueries(new Date('2026-12-02T12:00:00Z'));

  /** Every workflow id the query lists; the server refuses a query it cannot parse or whose attribute is unknown. */
  async function list(query: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const workflow of env.client.workflow.list({ query, pageSize: 10 })) ids.push(workflow.workflowId);
    return ids;
  }

  it.each(queries.filter((one) => !one.dependsOn))('$name is a query the server accepts', async ({ query }) => {
    await expect(list(query)).resolves.toEqual(expect.any(Array));
  });

  it('dates the time-bound queries from the moment they are made', () => {
    expect(queries.find((one) => one.name === 'Failed this week')?.query).toBe(
      'KycStatus="REJECTED" AND StartTime > "2026-11-25T12:00:00.000Z"',
    );
  });

  it.each(queries.filter((one) => one.dependsOn))('$name is refused until its attribute exists', async ({ query }) => {
    const refusal = await list(query).then(
      () => '',
      (error: unknown) => causeChain(error),
    );
    expect(refusal).toMatch(/KycRegisterCheckedAt/);
  });
});

/** The messages of an error and of its causes, which is where the server's reason is. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let at = error; at instanceof Error; at = at.cause) messages.push(at.message);
  return messages.join(' <- ');
}
