// Replays the recorded histories of the main paths (test/histories) against the current workflow
// code: a change that would break running moves fails here. Such changes need `patched()`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowTracingSinks } from '../../src/telemetry/tracing';
import { workflowBundle } from '../support/temporal';

const DIR = path.join(__dirname, '..', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

it('has recorded histories of the main paths', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

it.each(files.map((f) => [f]))('replays %s deterministically', async (file: string) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));
  // The bundle is production's, with the tracing interceptors; their sink is registered as the worker's is.
  await Worker.runReplayHistory(
    { workflowBundle: workflowBundle(), sinks: workflowTracingSinks(undefined) },
    history,
    file,
  );
});
