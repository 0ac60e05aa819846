// Step 2, "Review Users": the users that will be moved to the new site.
import { useEffect, type ReactElement } from 'react';
import type { ReviewedCounts } from '../../../src/domain/move';
import { useMovePreview } from '../api/clients';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { REVIEW_PAGE_SIZE, ReviewItemsTable } from './ReviewItemsTable';

export function ReviewUsersStep({ clientId, offset, onOffset, onSeen }: ReviewStepProps): ReactElement {
  const preview = useMovePreview(clientId, { offset, limit: REVIEW_PAGE_SIZE });
  useReviewed(preview.data?.users, onSeen);
  if (preview.isPending) return <Loading what="users" />;
  if (preview.isError) return <ProblemAlert error={preview.error} />;
  const { users } = preview.data;
  return (
    <>
      <p>Review the users that will be moved to the new site.</p>
      <ReviewItemsTable
        caption="Users"
        noun="users"
        count={users.count}
        items={users.items}
        offset={offset}
        onOffset={onOffset}
        columns={[
          { header: 'Name', cell: (u) => u.name },
          { header: 'Email', cell: (u) => u.email },
        ]}
      />
    </>
  );
}

export type Reviewed = ReviewedCounts[keyof ReviewedCounts];

export interface ReviewStepProps {
  clientId: string;
  offset: number;
  onOffset: (offset: number) => void;
  /** The count and digest this step showed: Finish sends them, so the move can say what changed since. */
  onSeen: (reviewed: Reviewed) => void;
}

/** Tells the wizard what a review step has shown, each time that changes. */
export function useReviewed(shown: Reviewed | undefined, onSeen: (reviewed: Reviewed) => void): void {
  const count = shown?.count;
  const digest = shown?.digest;
  useEffect(() => {
    if (count !== undefined && digest !== undefined) onSeen({ count, digest });
    // Only when what was shown changes (onSeen is a new function at each render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [count, digest]);
}
