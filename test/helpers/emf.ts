/**
 * What `act` prints on stdout, parsed line by line, with metrics turned on for its duration (the
 * test run turns them off, as local mode does): embedded-metric-format lines, and nothing else.
 */
export async function printedMetrics(act: () => unknown): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.stdout.write = ((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await act();
  } finally {
    process.stdout.write = write;
    if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}
