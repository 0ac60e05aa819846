// The project's tool installer says what to install, in one line, when Go or Java is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs one of scripts/tools.mjs's installers in an empty project folder with only `node` on PATH. */
function installWithoutToolchains(fn: 'ensureTemporalCli' | 'ensureTestServer') {
  const root = mkdtempSync(path.join(os.tmpdir(), 'csm-tools-'));
  mkdirSync(path.join(root, 'tools', 'test-server'), { recursive: true });
  copyFileSync(path.join(ROOT, 'tools', 'test-server', 'pom.xml'), path.join(root, 'tools', 'test-server', 'pom.xml'));
  // A PATH with node and nothing else (the machine's node sits beside java and mvn in /usr/bin).
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  try {
    const script = `import(${JSON.stringify(path.join(ROOT, 'scripts', 'tools.mjs'))})
      .then((m) => m.${fn}({ root: ${JSON.stringify(root)}, log: () => {} }))
      .then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
    return spawnSync(process.execPath, ['-e', script], {
      env: { PATH: bin, HOME: root },
      encoding: 'utf8',
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

it('missing Go: says Go is needed to build the Temporal CLI and how to get it on PATH', () => {
  const result = installWithoutToolchains('ensureTemporalCli');
  expect(result.status).toBe(1);
  const message = result.stderr.trim();
  expect(message).toMatch(/^Go is needed once to build the Temporal CLI v1\.5\.1 .*`go` is not on PATH/);
  expect(message.split('\n')).toHaveLength(1);
});

it('missing Java: says a JRE 17+ is needed for the time-skipping test server', () => {
  const result = installWithoutToolchains('ensureTestServer');
  expect(result.status).toBe(1);
  const message = result.stderr.trim();
  expect(message).toMatch(/^Java is needed to run the Temporal time-skipping test server, and `java` is not on PATH/);
  expect(message.split('\n')).toHaveLength(1);
});
