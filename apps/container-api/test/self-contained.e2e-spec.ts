// The repository holds what it needs: the contract and the OS1 reference live under docs/, tests
// and docs read nothing beside the clone (a CI checkout has no ../shared), and the relative links
// of the main documents lead to files that exist.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const SKIPPED = new Set(['node_modules', 'dist', '.turbo', '.git', 'data', 'generated']);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : /\.(ts|js|mjs|json|md|sh|yaml|yml)$/.test(entry.name) ? [full] : [];
  });
}

describe('the repository is self-contained', () => {
  it('keeps the contract and the OS1 reference under docs/', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs/contract.md'), 'utf8')).toMatch(/^# Container Service — batch processing: the HTTP contract/);
    expect(fs.readFileSync(path.join(ROOT, 'docs/reference/os1-container-api.yaml'), 'utf8')).toMatch(/^openapi: 3/m);
  });

  it('reads and names no file beside the clone (../shared)', () => {
    const files = [
      ...['apps', 'packages', 'tools', 'docs', '.ci'].flatMap((dir) => filesUnder(path.join(ROOT, dir))),
      path.join(ROOT, 'README.md'),
      path.join(ROOT, 'package.json'),
    ];
    const outside = files.filter(
      (file) => file !== __filename && /\.\.\/shared\b|(?:\.\.\/)+shared\/(?:reference|CONTRACT)/.test(fs.readFileSync(file, 'utf8')),
    );
    expect(outside.map((file) => path.relative(ROOT, file))).toEqual([]);
  });

  it.each(['README.md', 'docs/api.md', 'docs/contract.md', 'docs/examples/README.md'])('%s links only to files that exist', (document) => {
    const text = fs.readFileSync(path.join(ROOT, document), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
    const missing = targets.filter((target) => !fs.existsSync(path.resolve(path.dirname(path.join(ROOT, document)), target)));
    expect(missing).toEqual([]);
  });
});
