// The worker's two metrics ports: a taken one is one line naming its setting (the SDK's own message
// does not say which setting to change); the app's server answers /metrics and nothing else.
import net from 'node:net';
import { Counter, Registry } from 'prom-client';
import { serveMetrics } from '../../src/telemetry/metricsServer';
import { installTemporalRuntime } from '../../src/temporal/runtime';

async function takenPort<T>(use: (port: number) => Promise<T> | T): Promise<T> {
  const taken = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => taken.once('listening', resolve));
  try {
    return await use((taken.address() as net.AddressInfo).port);
  } finally {
    taken.close();
  }
}

it('a taken port for the SDK metrics names WORKER_SDK_METRICS_ADDRESS', async () => {
  await takenPort((port) =>
    expect(() => installTemporalRuntime({ sdkMetricsAddress: `127.0.0.1:${port}` })).toThrow(
      `Port ${port} is already in use: stop whatever holds it or set WORKER_SDK_METRICS_ADDRESS to a free port.`,
    ),
  );
});

it('a taken port for the app metrics names WORKER_METRICS_ADDRESS', async () => {
  await takenPort((port) =>
    expect(serveMetrics(new Registry(), `127.0.0.1:${port}`, 'WORKER_METRICS_ADDRESS')).rejects.toThrow(
      `Port ${port} is already in use: stop whatever holds it or set WORKER_METRICS_ADDRESS to a free port.`,
    ),
  );
});

it('serves the registry at /metrics in the Prometheus format, and 404 elsewhere', async () => {
  const registry = new Registry();
  new Counter({ name: 'csm_test_total', help: 'a test counter', registers: [registry] }).inc(3);
  const server = await serveMetrics(registry, '127.0.0.1:0', 'WORKER_METRICS_ADDRESS');
  try {
    const res = await fetch(server.url);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(await res.text()).toMatch(/^csm_test_total 3$/m);
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
  } finally {
    await server.close();
  }
});
