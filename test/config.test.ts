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
  expect(config.move).toEqual({
    batchSize: 500,
    decisionTimeout: '24 hours',
    outageWindow: '30 minutes',
    emailDeliveryWindow: '24 hours',
  });
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
