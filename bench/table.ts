/** The results table: one row per figure, with the floor's figure and the ratio beside KycWorkflow's where compared. */

export interface Row {
  figure: string;
  value: string;
  floor?: string;
  ratio?: string;
}

export interface PartResult {
  part: string;
  rows: Row[];
  /** Every raw figure behind the rows, for bench/results. */
  figures: Record<string, unknown>;
}

export function markdownTable(parts: PartResult[]): string {
  const lines = ['| part | figure | KycWorkflow (or value) | floor | KYC ÷ floor |', '| --- | --- | --- | --- | --- |'];
  for (const { part, rows } of parts) {
    for (const row of rows)
      lines.push(`| ${part} | ${row.figure} | ${row.value} | ${row.floor ?? ''} | ${row.ratio ?? ''} |`);
  }
  return lines.join('\n');
}
