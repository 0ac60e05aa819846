// Connecting to a secured Temporal for real: the CLI dev server behind a TLS-terminating proxy that
// demands client certificates (mTLS), with certificates made here. The worker and the API, built
// from TEMPORAL_TLS_* settings as in production, run a move through it; a client without a
// certificate, or with one from another CA, is refused with a line that names the settings.
import { spawnSync } from 'node:child_process';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ApiServer, startApiServer } from '../../src/api/server';
import { loadConfig, type Config } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import { freePort } from '../../src/dev/ports';
import { connectTemporalWorker, startWorker, type RunningWorker } from '../../src/worker';
import { eventually, startBody, SUPER } from '../api/harness';
import {
  issueCertificate,
  makeCertificateAuthority,
  type CertificateAuthority,
  type CertificateFiles,
} from '../support/certificates';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { connectTemporalClient, temporalConnectionOptions } from '../../src/temporal/connection';
import { startDevServerEnv, workflowBundle } from '../support/temporal';
import { startTlsProxy, type TlsProxy } from '../support/tlsProxy';

const SERVER_NAME = 'temporal.test';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sink: MailSink;
let proxy: TlsProxy;
let serverCa: CertificateAuthority;
let serverCert: CertificateFiles;
let clientCert: CertificateFiles;
let foreignCert: CertificateFiles;

beforeAll(async () => {
  [env, database, sink] = await Promise.all([startDevServerEnv(), createTestDatabase(), startMailSink()]);
  await seedDemoData(database.db, { env: 'development' });
  const dir = os.tmpdir();
  serverCa = await makeCertificateAuthority(dir, 'server-ca');
  const clientCa = await makeCertificateAuthority(dir, 'client-ca');
  const otherCa = await makeCertificateAuthority(dir, 'other-ca');
  serverCert = await issueCertificate(serverCa, 'temporal', { server: SERVER_NAME });
  clientCert = await issueCertificate(clientCa, 'connect-site-move', { client: true });
  foreignCert = await issueCertificate(otherCa, 'intruder', { client: true });
  proxy = await startTlsProxy({
    target: env.address,
    cert: serverCert.cert,
    key: serverCert.key,
    clientCa: clientCa.cert,
  });
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([env?.teardown(), database?.drop(), sink?.close()]);
});

/** The app's configuration with the given certificate settings, pointed at the proxy. */
async function secureConfig(settings: Record<string, string>): Promise<Config> {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    API_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_TASK_QUEUE: `tls-${process.pid}`,
    TEMPORAL_TLS_CA: serverCa.certPath,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    SENDGRID_BASE_URL: sink.url,
    ...settings,
  });
}

it('the worker and the API connect with the client certificate, and a move runs through them', async () => {
  const config = await secureConfig({ TEMPORAL_TLS_CERT: clientCert.certPath, TEMPORAL_TLS_KEY: clientCert.keyPath });
  expect(config.temporal.tls).toMatchObject({ serverNameOverride: SERVER_NAME });
  let worker: RunningWorker | undefined;
  let api: ApiServer | undefined;
  try {
    worker = await startWorker(config, { workflowBundle: workflowBundle() });
    api = await startApiServer(config);
    const headers = { authorization: `Bearer ${SUPER}`, 'content-type': 'application/json' };
    const started = await fetch(`${api.url}/api/client-site-moves`, {
      method: 'POST',
      headers,
      body: JSON.stringify(startBody('Brightwave Studios', 'MAN-SPF')),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const status = await eventually(
      async () => {
        const move = (await (await fetch(`${api!.url}/api/client-site-moves/${id}`, { headers })).json()) as {
          status: string;
        };
        return move.status === 'COMPLETED' ? move.status : undefined;
      },
      { what: 'the move to complete over mTLS' },
    );
    expect(status).toBe('COMPLETED');
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  } finally {
    await api?.close();
    await worker?.stop();
  }
  expect(proxy.refusals).toEqual([]);
});

/** The worker fails to start with `message`; the API starts but is not ready; the proxy says why it refused. */
async function expectRefused(config: Config, message: RegExp, refusal: RegExp): Promise<void> {
  const before = proxy.refusals.length;
  await expect(startWorker(config, { workflowBundle: workflowBundle() })).rejects.toThrow(message);
  const api = await startApiServer(config);
  try {
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { temporal: { ok: boolean } } }).checks.temporal.ok).toBe(false);
  } finally {
    await api.close();
  }
  expect(proxy.refusals.slice(before)).toContainEqual(expect.stringMatching(refusal));
}

it('a client without a certificate is refused, with a line saying mTLS needs TEMPORAL_TLS_CERT and _KEY', async () => {
  await expectRefused(
    await secureConfig({}),
    new RegExp(
      `^Could not connect to Temporal at ${proxy.address} \\(TLS\\): .*If the server wants a client certificate \\(mTLS\\), set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`,
    ),
    /peer did not return a certificate/,
  );
});

it('a client with a certificate from another CA is refused, with a line naming the certificate settings', async () => {
  await expectRefused(
    await secureConfig({ TEMPORAL_TLS_CERT: foreignCert.certPath, TEMPORAL_TLS_KEY: foreignCert.keyPath }),
    new RegExp(
      `^Could not connect to Temporal at ${proxy.address} \\(mTLS\\): .*The server may not trust the client certificate \\(TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY\\)`,
    ),
    // Clients send only a certificate from a CA the server lists, so the server may see none at all.
    /unknown ca|peer did not return a certificate/,
  );
});

it('an API key goes to Temporal as a bearer token over TLS, from the worker and from clients alike', async () => {
  // A stand-in gRPC server that records each call's headers and answers UNAUTHENTICATED.
  const seen: http2.IncomingHttpHeaders[] = [];
  const server = http2.createSecureServer({ cert: serverCert.cert, key: serverCert.key }, (req, res) => {
    seen.push(req.headers);
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'application/grpc' });
      res.addTrailers({ 'grpc-status': '16', 'grpc-message': 'API key not accepted here' });
      res.end();
    });
  });
  // A failed client connect leaves its channel open; closing the server must not wait for it.
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const config = loadConfig({
      TEMPORAL_ADDRESS: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      TEMPORAL_TLS_CA: serverCa.certPath,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
      TEMPORAL_API_KEY: 'key-from-the-environment',
    });
    const options = temporalConnectionOptions(config.temporal);
    await expect(connectTemporalWorker(options)).rejects.toThrow(
      /\(TLS, API key\): .*API key not accepted here.*check TEMPORAL_API_KEY\.$/,
    );
    await expect(connectTemporalClient(options)).rejects.toThrow(
      /\(TLS, API key\): .*API key not accepted here.*check TEMPORAL_API_KEY\.$/,
    );
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const headers of seen) expect(headers.authorization).toBe('Bearer key-from-the-environment');
  } finally {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const session of sessions) session.destroy();
    await closed;
  }
});

it.each([['src/worker.ts'], ['src/api/server.ts']])(
  '%s stops at start-up with one line naming the setting of a missing certificate file',
  (entry) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CA: '/nonexistent/ca.pem' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: TEMPORAL_TLS_CA: cannot read /nonexistent/ca.pem (ENOENT).',
    );
  },
);
