/**
 * `npm run docs:web-ui`: the README's pictures of the Temporal Web UI as ops use it, taken from a running `npm start`
 * (after `npm run demo`) with Debian's Chromium (`apt-get install chromium`) driven by playwright-core. The browser
 * does what an ops person does once: shows the KycStatus, KycStage and KycRegType columns, and saves the views of
 * src/contract/ops-queries.ts. Then it takes the KYC list (docs/web-ui-kyc-cases.png) and the pending-review view with
 * the saved views open (docs/web-ui-pending-review.png).
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config.ts';
import { opsQueries } from '../src/contract/ops-queries.ts';

const { values } = parseArgs({
  options: {
    'out-dir': { type: 'string', default: 'docs' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const config = loadConfig();
const namespace = config.TEMPORAL_NAMESPACE;
const outDir = values['out-dir'];
const listUrl = (query: string) =>
  `${config.KYC_TEMPORAL_UI_URL}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`;

async function showList(page: Page, query: string): Promise<void> {
  await page.goto(listUrl(query), { waitUntil: 'networkidle' });
  await page
    .getByText(/\d+ Workflows?\b/)
    .first()
    .waitFor();
}

const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 860 }, deviceScaleFactor: 1 });
  // The Web UI keeps its table columns in localStorage, as the column chooser would leave them.
  await page.addInitScript((namespace) => {
    const columns = ['Status', 'Workflow ID', 'KycStatus', 'KycStage', 'KycRegType', 'Start'];
    localStorage.setItem(
      'namespace-workflow-table-columns',
      JSON.stringify({ [namespace]: columns.map((label, index) => ({ label, pinned: index < 2 })) }),
    );
  }, namespace);
  for (const { name, query } of opsQueries(new Date())) {
    await showList(page, query);
    await page.getByTestId('create-view-button').click();
    await page.getByTestId('workflow-save-view-modal-input').fill(name);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor({ state: 'hidden' });
  }
  await mkdir(outDir, { recursive: true });

  await showList(page, 'WorkflowType="KycWorkflow"');
  await page.getByText('kyc-user-').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${outDir}/web-ui-kyc-cases.png` });

  await showList(page, 'KycStage="AWAITING_REVIEW"');
  await page.getByText('kyc-user-').first().waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: /Unsaved view|Pending review/ }).click();
  await page.getByText('Needs attention').first().waitFor();
  await page.screenshot({ path: `${outDir}/web-ui-pending-review.png` });
  console.log(
    `${outDir}/web-ui-kyc-cases.png, ${outDir}/web-ui-pending-review.png: from ${config.KYC_TEMPORAL_UI_URL}`,
  );
} finally {
  await browser.close();
}
