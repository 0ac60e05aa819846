// Durations as people write them in settings and inputs ("24 hours", "90 minutes", "2d"), read the
// way Temporal reads them. Pure: the workflow, the API's schemas and the configuration use it.
import { msToNumber } from '@temporalio/common/lib/time';

/** Milliseconds in a duration such as "24 hours"; throws on one that is not a duration. */
export function durationMs(value: string): number {
  return msToNumber(value as Parameters<typeof msToNumber>[0]);
}
