// Step 3, "Review Phone Numbers": the numbers that will be moved; a blocked number is flagged, since
// it stops the move in Needs attention until the carrier unblocks it.
import type { ReactElement } from 'react';
import { useMovePreview } from '../api/clients';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { REVIEW_PAGE_SIZE, ReviewItemsTable } from './ReviewItemsTable';
import { useReviewed, type ReviewStepProps } from './ReviewUsersStep';

export function ReviewPhoneNumbersStep({ clientId, offset, onOffset, onSeen }: ReviewStepProps): ReactElement {
  const preview = useMovePreview(clientId, { offset, limit: REVIEW_PAGE_SIZE });
  useReviewed(preview.data?.phoneNumbers, onSeen);
  if (preview.isPending) return <Loading what="phone numbers" />;
  if (preview.isError) return <ProblemAlert error={preview.error} />;
  const { phoneNumbers } = preview.data;
  return (
    <>
      <p>Review the phone numbers that will be moved to the new site.</p>
      {phoneNumbers.blocked > 0 && <BlockedNumbersWarning blocked={phoneNumbers.blocked} />}
      <ReviewItemsTable
        caption="Phone numbers"
        noun="phone numbers"
        count={phoneNumbers.count}
        items={phoneNumbers.items}
        offset={offset}
        onOffset={onOffset}
        columns={[
          { header: 'Number', cell: (n) => n.number },
          {
            header: 'Status',
            cell: (n) => (n.status === 'BLOCKED' ? <span className="flag-blocked">Blocked</span> : 'Active'),
          },
        ]}
      />
    </>
  );
}

export function BlockedNumbersWarning({ blocked }: { blocked: number }): ReactElement {
  return (
    <p className="alert alert-warning">
      {blocked === 1 ? '1 phone number is blocked' : `${blocked} phone numbers are blocked`} by the carrier: the move
      will stop in Needs attention when it reaches {blocked === 1 ? 'it' : 'them'}, until someone unblocks{' '}
      {blocked === 1 ? 'it' : 'them'} (then Retry) or rolls the move back.
    </p>
  );
}
