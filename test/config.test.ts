// Configuration is read once, with defaults for every setting, and a bad value names itself.
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
  expect(config.move).toEqual({ batchSize: 500, decisionTimeout: '24 hours', maxAhead: '365 days' });
  expect(config.api).toMatchObject({ bodyLimit: '100kb', rateLimitPerMinute: 60, authFailuresPerMinute: 30 });
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
  ['API_PORT', '70000'],
  ['MOVE_BATCH_SIZE', '0'],
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
