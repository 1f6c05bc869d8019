/** Reads Prometheus' text exposition format into samples, enough for the tests to look metrics up. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): { samples: Sample[]; families: Set<string> } {
  const samples: Sample[] = [];
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) \S+/.exec(line);
    if (declared) families.add(declared[1] as string);
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, families };
}

/** The metric family a sample belongs to (histogram and summary series carry suffixes). */
export function familyOf(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}
