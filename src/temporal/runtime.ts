// The Temporal SDK runtime of a worker process, with the SDK's own Prometheus exporter (task slots,
// poll and schedule-to-start latencies, activity failures, sticky cache) when
// WORKER_SDK_METRICS_ADDRESS is set. Runtime.install works once per process and before the first
// connection, so each entry point (npm run worker, npm start) calls this first, with its own options.
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { PortInUseError, type Config } from '../config';

export function installTemporalRuntime(
  observability: Pick<Config['observability'], 'sdkMetricsAddress'>,
  options: RuntimeOptions = {},
): Runtime {
  const bindAddress = observability.sdkMetricsAddress;
  try {
    return Runtime.install({
      ...options,
      telemetryOptions: {
        ...options.telemetryOptions,
        // Seconds and _total suffixes, as Prometheus names them (and as the app's own metrics are).
        ...(bindAddress
          ? { metrics: { prometheus: { bindAddress, useSecondsForDurations: true, countersTotalSuffix: true } } }
          : {}),
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (bindAddress && /address already in use/i.test(message)) {
      throw new PortInUseError(
        Number(bindAddress.slice(bindAddress.lastIndexOf(':') + 1)),
        'WORKER_SDK_METRICS_ADDRESS',
      );
    }
    throw error;
  }
}
