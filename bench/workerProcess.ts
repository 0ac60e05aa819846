// The bench's worker: the product's own worker (src/worker.ts) in a process of its own, configured
// from the environment as `npm run worker` is, but on the workflow bundle the bench built once.
import { DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { startWorker, type StartWorkerOverrides } from '../src/worker';

async function main(): Promise<void> {
  // The bundle, then (for experiments) a JSON object of worker tuning, e.g. {"workflowThreadPoolSize":2}.
  const [codePath, tuningJson] = process.argv.slice(2);
  const tuning = tuningJson ? (JSON.parse(tuningJson) as StartWorkerOverrides['tuning']) : undefined;
  const config = loadConfig();
  installTemporalRuntime(config.observability, { logger: new DefaultLogger('WARN') });
  const worker = await startWorker(config, { workflowBundle: codePath ? { codePath } : undefined, tuning });
  process.once('SIGTERM', () => void worker.stop());
  // The bench waits for this line before it starts any move.
  process.stdout.write(`ready ${process.pid}\n`);
  await worker.running;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
