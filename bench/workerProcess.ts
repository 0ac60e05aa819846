// The bench's worker: the product's own worker (src/worker.ts) in a process of its own, configured
// from the environment as `npm run worker` is, but on the workflow bundle the bench built once.
import { DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { startWorker } from '../src/worker';

async function main(): Promise<void> {
  const [codePath] = process.argv.slice(2);
  const config = loadConfig();
  installTemporalRuntime(config.observability, { logger: new DefaultLogger('WARN') });
  const worker = await startWorker(config, { workflowBundle: codePath ? { codePath } : undefined });
  process.once('SIGTERM', () => void worker.stop());
  // The bench waits for this line before it starts any move.
  process.stdout.write(`ready ${process.pid}\n`);
  await worker.running;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
