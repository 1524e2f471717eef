// Benchmark of CSV file batches on their own, the service running as its own process
// (the app's dist/main.js) on a fresh SQLite file per file size, for files of 10 000 and 200 000 rows:
// upload to 202, rows per second from the 202 to the final status, the service's peak resident
// memory (VmHWM), and the driver baseline in the same run. `npm run bench` runs this as scenario 4.
// Usage: npm run bench:csv [-- rows rows ...]; BENCH_TRACE=1 prints the resident size at each poll.
import { performance } from 'node:perf_hooks';
import { driverBaseline, machine, memoryMiB, startService, untilFinal, upload } from './support';

async function measure(rows: number) {
  const service = await startService();
  const idleRss = memoryMiB(service.child.pid!, 'VmHWM');
  const { batchId, acceptedMs } = await upload(service, rows);
  const uploadPeak = memoryMiB(service.child.pid!, 'VmHWM');
  const t0 = performance.now();
  const trace = process.env.BENCH_TRACE ? setInterval(() => process.stderr.write(`rss ${memoryMiB(service.child.pid!, 'VmRSS').toFixed(0)} MiB\n`), 500) : null;
  const meta = await untilFinal(service, batchId);
  if (trace) clearInterval(trace);
  const processMs = performance.now() - t0;
  if (meta.success !== rows) throw new Error(`expected ${rows} successes: ${JSON.stringify(meta)}`);
  const peak = memoryMiB(service.child.pid!, 'VmHWM');
  await service.stop();
  return { rows, acceptedMs, processMs, rate: rows / (processMs / 1000), idleRss, uploadPeak, peak };
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const results = [];
  for (const rows of sizes.length > 0 ? sizes : [10_000, 200_000]) results.push({ ...(await measure(rows)), base: await driverBaseline(rows) });
  const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const lines = [
    `CSV uploads, ${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
    '',
    '| rows | upload to 202 | 202 to final | rows/s (service) | rows/s (driver baseline) | ratio | RSS idle | RSS peak by the 202 | RSS peak |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${n(r.rows)} | ${(r.acceptedMs / 1000).toFixed(2)} s | ${(r.processMs / 1000).toFixed(1)} s | ${n(r.rate)} | ${n(r.base)} | ${(r.rate / r.base).toFixed(3)} | ${r.idleRss.toFixed(0)} MiB | ${r.uploadPeak.toFixed(0)} MiB | ${r.peak.toFixed(0)} MiB |`,
    ),
  ];
  if (results.length > 1) {
    const peaks = results.map((r) => r.peak);
    lines.push('', `Peak RSS spread across file sizes: ${(Math.max(...peaks) - Math.min(...peaks)).toFixed(0)} MiB (must stay within 64 MiB).`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
