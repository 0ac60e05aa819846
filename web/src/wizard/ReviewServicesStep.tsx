// Step 4, "Review Services": the live services that will be moved (decommissioned ones stay behind).
import type { ReactElement } from 'react';
import { useMovePreview } from '../api/clients';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { REVIEW_PAGE_SIZE, ReviewItemsTable } from './ReviewItemsTable';
import { useReviewed, type ReviewStepProps } from './ReviewUsersStep';

const typeLabel = (type: string) => type.charAt(0) + type.slice(1).toLowerCase().replace(/_/g, ' ');

export function ReviewServicesStep({ clientId, offset, onOffset, onSeen }: ReviewStepProps): ReactElement {
  const preview = useMovePreview(clientId, { offset, limit: REVIEW_PAGE_SIZE });
  useReviewed(preview.data?.services, onSeen);
  if (preview.isPending) return <Loading what="services" />;
  if (preview.isError) return <ProblemAlert error={preview.error} />;
  const { services } = preview.data;
  return (
    <>
      <p>
        Review the services that will be moved to the new site. All services and phone numbers move; change them before
        or after the move if needed.
      </p>
      <ReviewItemsTable
        caption="Services"
        noun="services"
        count={services.count}
        items={services.items}
        offset={offset}
        onOffset={onOffset}
        columns={[
          { header: 'Service', cell: (s) => s.name },
          { header: 'Type', cell: (s) => typeLabel(s.type) },
        ]}
      />
    </>
  );
}
