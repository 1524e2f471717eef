import { judgeNodeVersion, nodeVersionLine } from './node-version';

describe('judgeNodeVersion', () => {
  it.each(['20.19.0', '20.20.2', 'v20.19.5', '20.99.0'])('runs %s: the versions this service is tested on', (version) => {
    expect(judgeNodeVersion(version)).toEqual({ kind: 'tested' });
  });

  it.each(['24.0.0', '24.11.1', 'v25.2.0', '26.0.0'])('refuses %s: better-sqlite3 12 crashes Node 24 and later during a CSV upload', (version) => {
    expect(judgeNodeVersion(version)).toEqual({ kind: 'refused', why: expect.stringContaining('better-sqlite3 12') });
  });

  it.each(['18.20.4', '20.18.3', '21.7.3', '22.11.0'])('refuses %s: it cannot load the ES modules NestJS 12 is made of', (version) => {
    expect(judgeNodeVersion(version)).toEqual({ kind: 'refused', why: expect.stringContaining('ES modules') });
  });

  it.each(['22.12.0', '22.20.0', '23.11.1', 'not-a-version'])('runs %s with a warning: untested here', (version) => {
    expect(judgeNodeVersion(version).kind).toBe('untested');
  });
});

describe('nodeVersionLine', () => {
  it('says nothing on a tested version', () => {
    expect(nodeVersionLine('container-api', '20.20.2')).toBeNull();
  });

  it('names the program, the version and why, and points at the operations guide, in one line', () => {
    expect(nodeVersionLine('container-api', '24.1.0')).toBe(
      'container-api: Node 24.1.0 is not supported: better-sqlite3 12, the SQLite driver, crashes it during a CSV upload; ' +
        'the service is tested on Node 20.19 or later on 20 (see docs/operations.md, "Node versions")\n',
    );
    expect(nodeVersionLine('container-worker', '22.12.0')).toMatch(/^container-worker: Node 22\.12\.0 is not tested: [^\n]+docs\/operations\.md[^\n]+\n$/);
  });
});
