// The project's tool installer: a compatible Temporal CLI already on the machine is used as it is
// (no Go needed), a wrong TEMPORAL_CLI is refused in one line, and a missing Go or Java is named
// with how to get it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testEnv } from '../support/env';

const ROOT = path.resolve(__dirname, '..', '..');

interface Sandbox {
  /** An empty project folder (only the test server's pom.xml). */
  root: string;
  /** A folder on the sandbox's PATH, which holds `node` and nothing else until a test adds to it. */
  bin: string;
}

/**
 * Runs one of scripts/tools.mjs's installers in an empty project folder with a PATH that has node
 * and whatever `prepare` puts beside it; prints the path it returned.
 */
function install(
  fn: 'ensureTemporalCli' | 'ensureTestServer',
  prepare: (sandbox: Sandbox) => Record<string, string> = () => ({}),
) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'csm-tools-'));
  mkdirSync(path.join(root, 'tools', 'test-server'), { recursive: true });
  copyFileSync(path.join(ROOT, 'tools', 'test-server', 'pom.xml'), path.join(root, 'tools', 'test-server', 'pom.xml'));
  // A PATH with node and nothing else (the machine's node sits beside java and mvn in /usr/bin).
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  try {
    const env = prepare({ root, bin });
    const script = `import(${JSON.stringify(path.join(ROOT, 'scripts', 'tools.mjs'))})
      .then((m) => m.${fn}({ root: ${JSON.stringify(root)}, log: (line) => console.error('log: ' + line) }))
      .then((found) => { console.log(found); process.exit(0); }, (e) => { console.error(e.message); process.exit(1); });`;
    const result = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: bin, HOME: root, ...env },
      encoding: 'utf8',
    });
    return { ...result, root, bin };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A stand-in `temporal` that reports the given version and does nothing else. */
function fakeCli(file: string, version: string): string {
  writeFileSync(file, `#!/bin/sh\necho "temporal version ${version} (Server 1.0.0, UI 2.0.0)"\n`, { mode: 0o755 });
  return file;
}

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line && !line.startsWith('log: '));

it('TEMPORAL_CLI names a compatible CLI: it is used as it is, without Go', () => {
  const cli = testEnv('TEST_TEMPORAL_CLI');
  const result = install('ensureTemporalCli', () => ({ TEMPORAL_CLI: cli }));
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe(path.resolve(cli));
});

it('a compatible `temporal` on PATH is used, without Go, and says so', () => {
  const result = install('ensureTemporalCli', ({ bin }) => {
    symlinkSync(testEnv('TEST_TEMPORAL_CLI'), path.join(bin, 'temporal'));
    return {};
  });
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe(path.join(result.bin, 'temporal'));
  expect(result.stderr).toMatch(/^log: Using the Temporal CLI on PATH: .*\/temporal \(version 1\.5\.1\)/m);
});

it('an incompatible `temporal` on PATH is passed over (and Go is then needed)', () => {
  const result = install('ensureTemporalCli', ({ bin }) => {
    fakeCli(path.join(bin, 'temporal'), '0.13.2');
    return {};
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^log: Not using .*temporal from PATH: it reports version 0\.13\.2/m);
  expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^Go is needed once/)]);
});

it('TEMPORAL_CLI at an incompatible version is refused in one line naming it', () => {
  const result = install('ensureTemporalCli', ({ root }) => ({
    TEMPORAL_CLI: fakeCli(path.join(root, 'old-temporal'), '2.0.0'),
  }));
  expect(result.status).toBe(1);
  expect(errorLines(result.stderr)).toEqual([
    expect.stringMatching(/^TEMPORAL_CLI=.*old-temporal is Temporal CLI 2\.0\.0; this project needs 1\.5\.0 or newer/),
  ]);
});

it('TEMPORAL_CLI that does not run is refused in one line naming it', () => {
  const result = install('ensureTemporalCli', () => ({ TEMPORAL_CLI: '/nonexistent/temporal' }));
  expect(result.status).toBe(1);
  expect(errorLines(result.stderr)).toEqual([
    expect.stringMatching(/^TEMPORAL_CLI=\/nonexistent\/temporal is not a Temporal CLI that runs/),
  ]);
});

it('missing Go: says Go is needed to build the Temporal CLI, how to get it on PATH, or TEMPORAL_CLI', () => {
  const result = install('ensureTemporalCli');
  expect(result.status).toBe(1);
  const message = result.stderr.trim();
  expect(message).toMatch(
    /^Go is needed once to build the Temporal CLI v1\.5\.1 .*`go` is not on PATH.*set TEMPORAL_CLI/,
  );
  expect(message.split('\n')).toHaveLength(1);
});

it('missing Java: says a JRE 17+ is needed for the time-skipping test server', () => {
  const result = install('ensureTestServer');
  expect(result.status).toBe(1);
  const message = result.stderr.trim();
  expect(message).toMatch(/^Java is needed to run the Temporal time-skipping test server, and `java` is not on PATH/);
  expect(message.split('\n')).toHaveLength(1);
});
