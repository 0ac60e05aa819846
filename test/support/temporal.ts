// Temporal environments for tests, on the project-installed executables (nothing is downloaded):
// the Java time-skipping server for workflow tests, the CLI dev server for end-to-end tests.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../src/temporal/searchAttributes';
import { MOVE_SEARCH_ATTRIBUTES } from '../../src/workflows/searchAttributes';
import { testEnv } from './env';

export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await withStartRetries(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testEnv('TEST_TEMPORAL_TEST_SERVER') } },
    }),
  );
  // The Java server takes no --search-attribute flags; it accepts them through the operator API.
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: testEnv('TEST_TEMPORAL_CLI') },
        ip: '127.0.0.1',
        searchAttributes: MOVE_SEARCH_ATTRIBUTES,
      },
    }),
  );
}

/**
 * The SDK gives a server it starts 5 s to listen, a fixed limit; a loaded machine (a JVM starting
 * beside other test files) can miss it. Only that failure is tried again (five attempts in all): a
 * server that does not start at all still fails the test.
 */
async function withStartRetries(start: () => Promise<TestWorkflowEnvironment>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 5 || !/did not start within/.test(String(error))) throw error;
    }
  }
}

/** The workflow bundle globalSetup built, so each test's worker starts without bundling again. */
export function workflowBundle(): { codePath: string } {
  return { codePath: testEnv('TEST_WORKFLOW_BUNDLE') };
}
