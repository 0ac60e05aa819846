// Step 2, "Review Users": the users that will be moved to the new site.
import type { ReactElement } from 'react';
import { useMovePreview } from '../api/clients';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { REVIEW_PAGE_SIZE, ReviewItemsTable } from './ReviewItemsTable';

export function ReviewUsersStep({ clientId, offset, onOffset }: ReviewStepProps): ReactElement {
  const preview = useMovePreview(clientId, { offset, limit: REVIEW_PAGE_SIZE });
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

export interface ReviewStepProps {
  clientId: string;
  offset: number;
  onOffset: (offset: number) => void;
}
