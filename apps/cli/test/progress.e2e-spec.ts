// `upload --watch` on a file big enough that the service reports progress several times: in a
// pseudo-terminal the bar is drawn and redrawn in place with percent, items/s and ETA; with
// stdout piped the same upload prints one plain line per event. Both end with the summary, the
// failed rows in the --failed-out file and exit 2.
import fs from 'node:fs';
import path from 'node:path';
import { runCli, runCliInTerminal } from './support/cli';
import { Service, startService } from './support/service';

jest.setTimeout(90_000);

// Big enough that processing spans several of the event stream's ticks on a quiet machine
// (40 000 rows/s and more here); the bar must show it moving, not only its start and end.
const ROWS = 150_000;
/** Every 1000th row has a weight that is not a number. */
const FAILING = ROWS / 1000;
const ESC = String.fromCharCode(27);

describe('container-batch upload --watch', () => {
  let service: Service;
  let env: Record<string, string>;
  let csv: string;

  beforeAll(async () => {
    service = await startService();
    env = { CONTAINER_API_URL: service.url, COREOS_TID: 'acme', COREOS_ACCESS: service.token('acme') };
    const attributes = path.join(service.dir, 'attributes.json');
    fs.writeFileSync(attributes, JSON.stringify([{ name: 'weight', dataType: 'number' }]));
    expect((await runCli(['types', 'create', 'bag', '--attributes', attributes], env)).code).toBe(0);
    csv = path.join(service.dir, 'bags.csv');
    const rows = Array.from({ length: ROWS }, (_, i) => `r-${String(i)},${i % 1000 === 999 ? 'heavy' : String(i)}`);
    fs.writeFileSync(csv, ['refID,attributes.weight', ...rows, ''].join('\n'));
  });
  afterAll(() => service.stop());

  it('draws a progress bar with percent, items/s and ETA, redrawn in place, on a terminal', async () => {
    const failedOut = path.join(service.dir, 'failed-tty.csv');
    const run = await runCliInTerminal(['upload', csv, '--type', 'bag', '--watch', '--failed-out', failedOut], env);

    expect(run.code).toBe(2);
    const out = run.stdout;
    expect(out).toMatch(/^batch:[0-9a-f-]{36}\r\n/);
    // Each drawing: `<bar> 12.3% | 3072/150000 items | 2900 items/s | ETA 8s | IN_PROGRESS`.
    const drawings = [...out.matchAll(new RegExp(`(\\d+\\.\\d)% \\| (\\d+)/${String(ROWS)} items \\| (\\d+) items/s \\| ETA (\\S+) \\| ([A-Z_]+)`, 'g'))];
    const percents = new Set(drawings.map((d) => d[1]));
    expect(percents.size).toBeGreaterThanOrEqual(3);
    expect(percents).toContain('100.0');
    expect(drawings.some((d) => Number(d[3]) > 0)).toBe(true);
    expect(drawings.some((d) => /^\d+[smh]/.test(d[4] ?? ''))).toBe(true);
    // Redrawn in place: the drawings share one terminal line, each started by a return to its
    // first column (cli-progress writes CSI 1G; a bare CR would do the same).
    const barLine = out.split('\n').find((line) => line.includes('items/s')) ?? '';
    expect(barLine.match(/items\/s/g)?.length).toBe(drawings.length);
    expect(barLine.split(new RegExp(`${ESC}\\[1G|\\r(?!$)`)).length).toBeGreaterThan(percents.size);
    expect(out).toMatch(new RegExp(`PARTIAL_SUCCESS: ${String(ROWS - FAILING)} succeeded, ${String(FAILING)} failed, 0 cancelled of ${String(ROWS)}\\r\\n`));
    expect(out).toContain(`${String(FAILING)} failed rows written to ${failedOut}`);
    const failedRows = fs.readFileSync(failedOut, 'utf8').trim().split(/\r?\n/);
    expect(failedRows).toHaveLength(FAILING + 1);
    expect(failedRows[1]).toMatch(/^r-999,heavy,/);
  });

  it('prints plain progress lines instead when stdout is piped', async () => {
    const failedOut = path.join(service.dir, 'failed-pipe.csv');
    const run = await runCli(['upload', csv, '--type', 'bag', '--watch', '--failed-out', failedOut], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).not.toContain('\r');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^batch:[0-9a-f-]{36}$/);
    const progress = lines.slice(1, -2);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress)
      expect(line).toMatch(new RegExp(`^(QUEUED|IN_PROGRESS|PARTIAL_SUCCESS) \\d+\\.\\d% \\d+/${String(ROWS)} \\d+ items/s ETA (\\?|\\d+s|\\d+m\\d\\ds)$`));
    expect(progress.at(-1)).toMatch(new RegExp(`^PARTIAL_SUCCESS 100\\.0% ${String(ROWS)}/${String(ROWS)} \\d+ items/s ETA 0s$`));
    expect(lines.at(-2)).toMatch(new RegExp(`^batch:[0-9a-f-]{36} PARTIAL_SUCCESS: ${String(ROWS - FAILING)} succeeded, ${String(FAILING)} failed`));
    expect(lines.at(-1)).toBe(`${String(FAILING)} failed rows written to ${failedOut}`);
    expect(fs.readFileSync(failedOut, 'utf8').trim().split(/\r?\n/)).toHaveLength(FAILING + 1);
  });
});
