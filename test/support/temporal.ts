// Temporal environments for tests, on the project-installed executables (nothing is downloaded):
// the Java time-skipping server for workflow tests, the CLI dev server for end-to-end tests.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../src/temporal/searchAttributes';
import { MOVE_SEARCH_ATTRIBUTES } from '../../src/workflows/searchAttributes';
import { testEnv } from './env';

export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testEnv('TEST_TEMPORAL_TEST_SERVER') } },
  });
  // The Java server takes no --search-attribute flags; it accepts them through the operator API.
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: testEnv('TEST_TEMPORAL_CLI') },
      ip: '127.0.0.1',
      searchAttributes: MOVE_SEARCH_ATTRIBUTES,
    },
  });
}

/** The workflow bundle globalSetup built, so each test's worker starts without bundling again. */
export function workflowBundle(): { codePath: string } {
  return { codePath: testEnv('TEST_WORKFLOW_BUNDLE') };
}
