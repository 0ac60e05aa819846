// Move failures as non-retryable ApplicationFailures that name the item, so the workflow, the
// dashboard and the operator can say which user, number, service or space stopped the move.
import { ApplicationFailure } from '@temporalio/common';
import type { MoveFailureDetails, MoveFailureType } from '../../domain/errors';

export type FailedItem = NonNullable<MoveFailureDetails['item']>;

export function moveFailure(type: MoveFailureType, message: string, items: FailedItem[] = []): ApplicationFailure {
  const details: MoveFailureDetails = { item: items[0] ?? null, moreFailedItems: Math.max(0, items.length - 1) };
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

/** Names the first few items in a message; the details carry the first, the count the rest. */
export function describeItems(items: FailedItem[], limit = 3): string {
  const named = items.slice(0, limit).map((i) => i.label);
  const more = items.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}
