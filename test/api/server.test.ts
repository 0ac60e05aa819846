// The API as a process: it listens where configured, says which setting to change when the port is
// taken, finishes requests in flight when told to stop, and exits cleanly on SIGTERM. And the
// script that creates operators.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { loadConfig, type Config } from '../../src/config';
import { hashToken } from '../../src/domain/tokens';
import { PortInUseError, freePort } from '../../src/dev/ports';
import { createTestDatabase } from '../support/database';
import { SUPER, api, eventually, startApiHarness, type ApiHarness } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let harness: ApiHarness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
  env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: harness.database.url,
    API_HOST: '127.0.0.1',
    API_PORT: String(await freePort()),
    // Nothing listens here: the API must start (and say "not ready") without Temporal.
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
  };
});
afterAll(() => harness.close());

const configWith = (overrides: NodeJS.ProcessEnv): Config => loadConfig({ ...env, ...overrides }, ROOT);
const silent = pino({ level: 'silent' });

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('startApiServer', () => {
  it('listens on API_HOST:API_PORT and answers over HTTP', async () => {
    const port = await freePort();
    const server = await startApiServer(configWith({ API_PORT: String(port) }), { logger: silent });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    } finally {
      await server.close();
    }
  });

  it('names API_PORT when the port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const attempt = startApiServer(configWith({ API_PORT: String(port) }), { logger: silent });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(attempt).rejects.toThrow(
        `Port ${port} is already in use: stop whatever holds it or set API_PORT to a free port.`,
      );
      // The command prints just that line and exits 1.
      const cli = await run('src/api/server.ts', [], { API_PORT: String(port) });
      expect(cli.code).toBe(1);
      expect(cli.stderr.trim()).toBe(
        `Port ${port} is already in use: stop whatever holds it or set API_PORT to a free port.`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe('graceful shutdown', () => {
  /** Sends the headers and half of a JSON body, and resolves once the server is handling the request. */
  async function requestInFlight(server: ApiServer, body: string) {
    const handling = new Promise<void>((resolve) => server.server.once('request', () => resolve()));
    const req = http.request(`${server.url}/api/client-site-moves`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${SUPER}`,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      },
    });
    const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.on('error', reject);
      },
    );
    req.write(body.slice(0, 10));
    await handling;
    return { finish: () => req.end(body.slice(10)), response, req };
  }

  it('stops taking connections, finishes the request in flight, then closes', async () => {
    const server = await startApiServer(configWith({ API_PORT: String(await freePort()) }), { logger: silent });
    const inFlight = await requestInFlight(server, JSON.stringify({ clientId: 'not-a-uuid' }));
    let closed = false;
    const closing = server.close().then(() => (closed = true));

    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);

    inFlight.finish();
    const res = await inFlight.response;
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ type: 'urn:connect-site-move:problem:validation-failed' });
    await closing;
    expect(closed).toBe(true);
  });

  it('cuts a request that does not finish within the grace period', async () => {
    const server = await startApiServer(configWith({ API_PORT: String(await freePort()) }), {
      logger: silent,
      shutdownGraceMs: 300,
    });
    const stuck = await requestInFlight(server, JSON.stringify({ clientId: 'never sent in full' }));
    const cut = stuck.response.then(
      () => 'answered',
      () => 'cut',
    );
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await cut).toBe('cut');
  });

  it('npm run api: SIGTERM stops the process cleanly (exit 0)', async () => {
    const port = await freePort();
    // As the script runs it: node itself gets the signal. (The tsx CLI relays a signal to its child and
    // kills it if the child has not said it got it within 60 ms: exit 143 on a busy machine.)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/server.ts'], {
      cwd: ROOT,
      env: { ...env, API_PORT: String(port) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(() => Promise.resolve(stdout.includes('"msg":"API listening"') ? true : undefined), {
      what: 'the API to listen',
      timeoutMs: 30_000,
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: stopping the API');
    expect(stdout).toContain('"msg":"API stopped"');
  });
});

describe('npm run operator:create', () => {
  it('creates an operator and prints a token once; only its hash is stored, and it works', async () => {
    const out = await run('src/api/createOperatorCli.ts', [
      '--name',
      'Robin Ops',
      '--email',
      'robin@t2.example',
      '--role',
      'T2_SUPER_ADMIN',
    ]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    const token = /Token \(shown once, store it now\): (\S+)/.exec(out.stdout)?.[1];
    if (!token) throw new Error(`No token in: ${out.stdout}`);
    expect(token).toMatch(/^csm_[\w-]{32}$/);
    const operator = await harness.db.operator.findUniqueOrThrow({ where: { email: 'robin@t2.example' } });
    expect(operator).toMatchObject({ name: 'Robin Ops', role: 'T2_SUPER_ADMIN', tokenHash: hashToken(token) });
    expect(JSON.stringify(operator)).not.toContain(token);
    expect((await api(harness.app, token).get('/api/sites')).status).toBe(200);
  });

  it('refuses a duplicate email or a bad role with one message and exit 1', async () => {
    const duplicate = await run('src/api/createOperatorCli.ts', [
      '--name',
      'Robin Again',
      '--email',
      'robin@t2.example',
      '--role',
      'T2_ADMIN',
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim()).toBe('An operator with email robin@t2.example already exists');
    const badRole = await run('src/api/createOperatorCli.ts', [
      '--name',
      'X',
      '--email',
      'x@t2.example',
      '--role',
      'ROOT',
    ]);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/--role: Invalid option/);
    expect(badRole.stderr).toContain('usage: npm run operator:create');
  });
});

describe('npm run db:seed', () => {
  it('does not put the demo data, with its well-known tokens, into a DATABASE_URL database unless SEED_DEMO_DATA=true', async () => {
    const own = await createTestDatabase();
    try {
      const refused = await run('src/dev/seedCli.ts', [], { NODE_ENV: 'development', DATABASE_URL: own.url });
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toMatch(
        /^Not seeding: DATABASE_URL names a database of your own.+SEED_DEMO_DATA=true/,
      );
      expect(await own.db.operator.count()).toBe(0);

      const production = await run('src/dev/seedCli.ts', [], {
        NODE_ENV: 'production',
        DATABASE_URL: own.url,
        SEED_DEMO_DATA: 'true',
      });
      expect(production.code).toBe(1);
      expect(production.stderr.trim()).toMatch(/^Invalid configuration: SEED_DEMO_DATA: /);
      expect(await own.db.operator.count()).toBe(0);

      const asked = await run('src/dev/seedCli.ts', [], {
        NODE_ENV: 'development',
        DATABASE_URL: own.url,
        SEED_DEMO_DATA: 'true',
      });
      expect(asked).toMatchObject({ code: 0 });
      expect(await own.db.operator.count()).toBe(2);
    } finally {
      await own.drop();
    }
  });
});
