// `npm start`'s program itself, run as a child process: it comes up healthy on free ports, stops
// cleanly on SIGTERM, survives hostile requests to its mail sink, comes up again after being
// SIGKILLed (stopping what the killed run left), and bad configuration fails fast with one line
// that says what to do.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stopLeftovers } from '../../src/dev/leftovers';
import { freePort } from '../../src/dev/ports';

const ROOT = path.resolve(__dirname, '..', '..');

interface Run {
  output: () => string;
  hasExited: () => boolean;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function runStart(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

async function freePorts(): Promise<Record<string, string>> {
  const names = ['API_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'MAIL_SINK_PORT', 'PG_PORT'];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  return ports;
}

async function waitFor(run: Run, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.hasExited()) throw new Error(`"${text}" did not appear; output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'csm-start-'));
  // PostgreSQL runs as its own system user and must be able to reach its data folder.
  await chmod(dataDir, 0o755);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it('brings up PostgreSQL, Temporal with Temporal Web, the mail sink, the worker and a healthy API; SIGTERM stops it all', async () => {
  const ports = await freePorts();
  const run = runStart({ ...ports, DATA_DIR: dataDir });
  try {
    await waitFor(run, 'Connect Site Move is up', 150_000);
    const api = `http://127.0.0.1:${ports.API_PORT}`;
    expect(run.output()).toContain(api);
    expect(run.output()).toContain('dev-super-admin');
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    const sites = await fetch(`${api}/api/sites`, { headers: { authorization: 'Bearer dev-admin' } });
    expect(sites.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.MAIL_SINK_PORT}/messages`)).status).toBe(200);
  } finally {
    run.kill('SIGTERM');
  }
  expect(await run.exited).toBe(0);
  expect(run.output()).toContain('stopped PostgreSQL');
  expect(run.output()).toContain('stopped Temporal dev server');
  // Everything it started is gone: the ports are free again.
  for (const port of Object.values(ports)) {
    await expect(canConnect(Number(port))).resolves.toBe(false);
  }
});

it('a taken port fails fast with one line naming the setting', async () => {
  const ports = await freePorts();
  const blocker = net.createServer().listen(Number(ports.TEMPORAL_UI_PORT), '127.0.0.1');
  await new Promise((resolve) => blocker.once('listening', resolve));
  try {
    const run = runStart({ ...ports, DATA_DIR: dataDir });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      `Port ${ports.TEMPORAL_UI_PORT} is already in use: stop whatever holds it or set TEMPORAL_UI_PORT to a free port.`,
    );
  } finally {
    blocker.close();
  }
});

it('an unreachable DATABASE_URL fails fast and says what to do', async () => {
  const ports = await freePorts();
  const run = runStart({
    ...ports,
    DATA_DIR: dataDir,
    DATABASE_URL: `postgresql://app:pw@127.0.0.1:${await freePort()}/app`,
  });
  expect(await run.exited).toBe(1);
  const output = run.output().trim();
  expect(output).toMatch(/^Cannot reach the database in DATABASE_URL \(127\.0\.0\.1:\d+\/app\): ECONNREFUSED\./);
  expect(output).toContain('unset it to use the embedded PostgreSQL');
  expect(output).not.toMatch(/\n\s+at /);
});

it('invalid configuration is named, not thrown as a stack trace', async () => {
  const run = runStart({ API_PORT: 'three thousand', DATA_DIR: dataDir });
  expect(await run.exited).toBe(1);
  expect(run.output().trim()).toMatch(/^Invalid configuration: API_PORT: /);
});

describe('after a crash', () => {
  it('a bad request to its mail sink harms nothing; SIGKILLed, it leaves its servers running, and the next npm start stops them and comes up', async () => {
    const ports = await freePorts();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-crash-'));
    await chmod(dir, 0o755);
    const api = `http://127.0.0.1:${ports.API_PORT}`;
    let second: Run | undefined;
    try {
      const first = runStart({ ...ports, DATA_DIR: dir });
      await waitFor(first, 'Connect Site Move is up', 150_000);
      // Each of these once threw inside the sink and took the API and the worker down with it.
      for (const body of ['null', '{"personalizations":{}}', '[null]', '{"personalizations":[{"to":"a@b.c"}]}']) {
        const res = await fetch(`http://127.0.0.1:${ports.MAIL_SINK_PORT}/v3/mail/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      expect((await fetch(`${api}/healthz`)).status).toBe(200);
      expect(first.hasExited()).toBe(false);

      first.kill('SIGKILL');
      await first.exited;
      // No handler runs on SIGKILL: the servers it started are still there, holding their ports.
      expect(await canConnect(Number(ports.TEMPORAL_PORT))).toBe(true);

      second = runStart({ ...ports, DATA_DIR: dir });
      await waitFor(second, 'Connect Site Move is up', 150_000);
      expect(second.output()).toMatch(/stopping Temporal dev server \(pid \d+\), left running by an earlier npm start/);
      expect((await fetch(`${api}/readyz`)).status).toBe(200);
    } finally {
      second?.kill('SIGTERM');
      await second?.exited;
      // Whatever happened above, nothing this test started stays running.
      await stopLeftovers(dir, () => undefined);
    }
    expect(await second.exited).toBe(0);
    for (const port of Object.values(ports)) {
      await expect(canConnect(Number(port))).resolves.toBe(false);
    }
    await rm(dir, { recursive: true, force: true });
  });
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
