// Configuration is read once, with defaults for every setting, and a bad value names itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

it('defaults to the embedded stack on its documented ports', () => {
  const config = loadConfig({}, '/srv/app');
  expect(config.database).toEqual({
    url: 'postgresql://postgres:postgres@127.0.0.1:5433/connect_site_move',
    embedded: true,
    embeddedPort: 5433,
  });
  expect(config.api.port).toBe(3000);
  expect(config.temporal).toMatchObject({
    address: undefined,
    port: 7233,
    uiPort: 8233,
    taskQueue: 'client-site-move',
  });
  expect(config.dataDir).toBe('/srv/app/.data');
  expect(config.move).toEqual({
    batchSize: 2000,
    decisionTimeout: '24 hours',
    outageWindow: '30 minutes',
    emailDeliveryWindow: '24 hours',
    maxAhead: '365 days',
    preflightLead: '1 hour',
  });
  expect(config.api).toMatchObject({
    bodyLimit: '100kb',
    rateLimitPerMinute: 60,
    authFailuresPerMinute: 30,
    progressMaxAgeMs: 1_000,
  });
  expect(config.seedDemoData).toBe(true);
});

it('uses DATABASE_URL and TEMPORAL_ADDRESS when set, and treats empty values as unset', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://u:p@db:5432/app',
    TEMPORAL_ADDRESS: 'temporal:7233',
    API_PORT: '',
  });
  expect(config.database).toMatchObject({ url: 'postgresql://u:p@db:5432/app', embedded: false });
  expect(config.temporal.address).toBe('temporal:7233');
  expect(config.api.port).toBe(3000);
});

it.each([
  ['MOVE_DECISION_TIMEOUT', 'P1D'],
  ['MOVE_DECISION_TIMEOUT', 'soon'],
  ['MOVE_OUTAGE_WINDOW', 'a while'],
  ['EMAIL_DELIVERY_WINDOW', '-1 hours'],
  ['API_PORT', '70000'],
  ['MOVE_BATCH_SIZE', '0'],
  ['PROGRESS_MAX_AGE_MS', '60001'],
  ['PROGRESS_MAX_AGE_MS', '1s'],
  ['DATABASE_URL', 'not a url'],
])('refuses %s=%s, naming it', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
});

it('accepts the duration forms the README shows', () => {
  for (const value of ['24 hours', '90 minutes', '2d', '30s']) {
    expect(loadConfig({ MOVE_DECISION_TIMEOUT: value }).move.decisionTimeout).toBe(value);
  }
});

describe('Temporal TLS and API key settings', () => {
  let dir: string;
  let pem: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csm-config-'));
    pem = path.join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(path.join(dir, 'not-pem.txt'), 'hello');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const remote = { TEMPORAL_ADDRESS: 'temporal.example:7233' };

  it('is plaintext with no key when nothing is set', () => {
    expect(loadConfig(remote).temporal).toMatchObject({ tls: false, apiKey: undefined });
  });

  it('reads the certificate files once, at start-up, with the server name', () => {
    const config = loadConfig({
      ...remote,
      TEMPORAL_TLS_CA: pem,
      TEMPORAL_TLS_CERT: pem,
      TEMPORAL_TLS_KEY: pem,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(config.temporal.tls).toEqual({
      serverRootCACertificate: readFileSync(pem),
      clientCertPair: { crt: readFileSync(pem), key: readFileSync(pem) },
      serverNameOverride: 'temporal.internal',
    });
  });

  it('an API key or TEMPORAL_TLS=true turns TLS on with the system CAs; TEMPORAL_TLS=false keeps it off', () => {
    expect(loadConfig({ ...remote, TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ tls: {}, apiKey: 'k' });
    expect(loadConfig({ ...remote, TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
    expect(loadConfig({ ...remote, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }).temporal.tls).toBe(false);
  });

  it.each([
    [{ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' }, 'TEMPORAL_TLS_CA: cannot read /nonexistent/ca.pem (ENOENT).'],
    [{ TEMPORAL_TLS_CA: '<dir>' }, 'TEMPORAL_TLS_CA: cannot read <dir> (EISDIR).'],
    [
      { TEMPORAL_TLS_CA: '<dir>/not-pem.txt' },
      'TEMPORAL_TLS_CA: <dir>/not-pem.txt is not a PEM file (no -----BEGIN line).',
    ],
    [
      { TEMPORAL_TLS_CERT: '<dir>/ca.pem' },
      'TEMPORAL_TLS_KEY is not set: a client certificate (mTLS) needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY.',
    ],
    [
      { TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '<dir>/ca.pem' },
      'TEMPORAL_TLS is false but TEMPORAL_TLS_CA set: unset one or the other.',
    ],
  ])('%j stops start-up with one line naming the setting', (settings, message) => {
    const resolve = (value: string) => value.replace('<dir>', dir);
    const env = { ...remote, ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, resolve(v)])) };
    expect(() => loadConfig(env)).toThrow(new ConfigError(`Invalid configuration: ${resolve(message)}`));
  });

  it('refuses TLS settings without TEMPORAL_ADDRESS (npm start runs its own plaintext dev server)', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CA: pem })).toThrow(
      /^Invalid configuration: TEMPORAL_TLS_CA set without TEMPORAL_ADDRESS/,
    );
  });
});

describe('metrics and tracing settings', () => {
  it('serves no worker metrics and records no traces unless asked', () => {
    expect(loadConfig({}).observability).toEqual({
      workerMetricsAddress: undefined,
      sdkMetricsAddress: undefined,
      tracing: undefined,
    });
  });

  it('takes the worker metrics addresses as host:port', () => {
    const config = loadConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_SDK_METRICS_ADDRESS: '[::1]:9465' });
    expect(config.observability).toMatchObject({
      workerMetricsAddress: '0.0.0.0:9464',
      sdkMetricsAddress: '[::1]:9465',
    });
    expect(() => loadConfig({ WORKER_METRICS_ADDRESS: '9464' })).toThrow(
      /^Invalid configuration: WORKER_METRICS_ADDRESS: must be host:port/,
    );
  });

  it('reads the standard OTEL_* variables: the base endpoint gets /v1/traces, the traces endpoint is used as it is', () => {
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%20def, tenant=moves',
        OTEL_SERVICE_NAME: 'moves-eu',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod',
      }).observability.tracing,
    ).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      headers: { 'api-key': 'abc def', tenant: 'moves' },
      serviceName: 'moves-eu',
      resourceAttributes: { 'deployment.environment': 'prod' },
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
      }).observability.tracing?.endpoint,
    ).toBe('https://traces.example/otlp');
  });

  it('OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none turn tracing off; other protocols are refused by name', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).observability.tracing).toBeUndefined();
    expect(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).observability.tracing).toBeUndefined();
    expect(() => loadConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /^Invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL: only http\/protobuf is supported/,
    );
  });
});

it.each([
  ['BODY_LIMIT', '100k'],
  ['BODY_LIMIT', '1e9'],
  ['BODY_LIMIT', 'abc'],
  ['BODY_LIMIT', '100'],
  ['BODY_LIMIT', '11mb'],
  ['RATE_LIMIT_PER_MINUTE', '1e3'],
  ['RATE_LIMIT_PER_MINUTE', 'abc'],
  ['AUTH_FAILURES_PER_MINUTE', '0'],
  ['PG_PORT', '5432.5'],
  ['CORS_ORIGIN', 'connect.example.com'],
  ['TEMPORAL_ADDRESS', 'temporal'],
  ['TEMPORAL_WEB_URL', 'ftp://temporal'],
  ['MOVE_MAX_AHEAD', 'forever'],
  ['MOVE_MAX_AHEAD', '20000 days'],
  ['MOVE_PREFLIGHT_LEAD', 'soon'],
  ['MOVE_PREFLIGHT_LEAD', '30 days'],
  ['SEED_DEMO_DATA', 'yes'],
])('refuses %s=%s with one line that names it and the value', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(
    new RegExp(`^Invalid configuration: ${name}: .+ \\(got ${JSON.stringify(value)}\\)$`),
  );
});

it('takes sizes and durations as the README writes them', () => {
  expect(loadConfig({ BODY_LIMIT: '1mb' }).api.bodyLimit).toBe('1mb');
  expect(loadConfig({ BODY_LIMIT: '512kb' }).api.bodyLimit).toBe('512kb');
  expect(loadConfig({ MOVE_MAX_AHEAD: '90 days' }).move.maxAhead).toBe('90 days');
  expect(loadConfig({ MOVE_PREFLIGHT_LEAD: '2 hours' }).move.preflightLead).toBe('2 hours');
  expect(loadConfig({ CORS_ORIGIN: 'https://a.example, https://b.example:8443' }).api.corsOrigin).toBe(
    'https://a.example, https://b.example:8443',
  );
});

it('says every bad value, one line each, and never echoes a secret', () => {
  let message = '';
  try {
    loadConfig({ BODY_LIMIT: '100k', API_PORT: 'x', DATABASE_URL: 'mysql://root:hunter2@db/app' });
  } catch (error) {
    message = (error as Error).message;
  }
  const lines = message.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines.every((line) => line.startsWith('Invalid configuration: '))).toBe(true);
  expect(message).toContain('BODY_LIMIT');
  expect(message).toContain('API_PORT');
  expect(message).toContain('DATABASE_URL: must be a postgresql:// URL');
  expect(message).not.toContain('hunter2');
});

it('seeds the demo data into the embedded database only, unless SEED_DEMO_DATA says otherwise; never in production', () => {
  const own = 'postgresql://u:p@db:5432/app';
  expect(loadConfig({}).seedDemoData).toBe(true);
  expect(loadConfig({ DATABASE_URL: own }).seedDemoData).toBe(false);
  expect(loadConfig({ DATABASE_URL: own, SEED_DEMO_DATA: 'true' }).seedDemoData).toBe(true);
  expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seedDemoData).toBe(false);
  expect(loadConfig({ NODE_ENV: 'production' }).seedDemoData).toBe(false);
  expect(() => loadConfig({ NODE_ENV: 'production', SEED_DEMO_DATA: 'true' })).toThrow(
    /^Invalid configuration: SEED_DEMO_DATA: /,
  );
});
