// Once per `npm test`: a real PostgreSQL on a free port with a migrated template database, and
// the workflow bundle built once. Test files read what they need from TEST_* variables.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureDatabase } from '../../src/dev/databases';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/dev/embeddedPostgres';
import { migrateDatabase } from '../../src/db/migrate';
import { freePort } from '../../src/dev/ports';
import { readProjectTool } from '../../src/dev/tools';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/tracing';

export const TEMPLATE_DATABASE = 'csm_template';

declare global {
  var __csmTestPostgres: RunningPostgres | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-test-'));
  // PostgreSQL runs as its own system user and must be able to reach its data folder.
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
  globalThis.__csmTestPostgres = pg;
  const templateUrl = pg.urlFor(TEMPLATE_DATABASE);
  await ensureDatabase(templateUrl);
  await migrateDatabase(templateUrl);

  // The production bundle: the workflow with its (tracing) interceptors.
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: {
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: console.warn,
      error: console.error,
      log: () => {},
    },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);

  process.env.TEST_PG_ADMIN_URL = pg.urlFor('postgres');
  process.env.TEST_TEMPLATE_DATABASE = TEMPLATE_DATABASE;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TEMPORAL_CLI = readProjectTool('temporalCli');
  process.env.TEST_TEMPORAL_TEST_SERVER = readProjectTool('testServer');
  process.env.TEST_PROMTOOL = readProjectTool('promtool');
  process.env.TEST_TMP_DIR = dir;
  console.log(`\n[test] PostgreSQL on :${pg.port}, template migrated, workflows bundled in ${Date.now() - started} ms`);
}
