// The database being unreachable is nobody's mistake in the move: every activity reports it as a
// retryable DatabaseUnavailable failure, which the workflow waits out (showing it on the move)
// instead of asking an operator. Recognised as the API recognises it (src/db/unavailable.ts).
import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { OutageFailureType } from '../../domain/errors';

/** The same activity, reporting an unreachable database as a retryable DatabaseUnavailable failure. */
export function reportingOutages<A extends unknown[], R>(
  activity: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await activity(...args);
    } catch (error) {
      if (error instanceof ApplicationFailure || !isDatabaseUnavailable(error)) throw error;
      const detail = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
      throw ApplicationFailure.create({
        type: OutageFailureType.DatabaseUnavailable,
        message: `The database is unreachable: ${detail}`,
        nonRetryable: false,
        cause: error instanceof Error ? error : undefined,
      });
    }
  };
}
