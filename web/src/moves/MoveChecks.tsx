// What the checks around a move found, as its page and its dashboard task show them: the check before
// moving holding it in Needs attention (nothing has moved: Retry after a fix, or Cancel), that check's
// warnings, and what was added to or removed from the client since the operator reviewed it.
import type { ReactElement } from 'react';
import type { ItemKind, MovePhase, MoveProgress, ReviewChanges } from '../../../src/domain/move';
import { MoveWarnings } from '../components/CheckFindings';
import { ITEM_KIND_LABEL } from '../format/labels';

/** True while the check before moving holds the move in Needs attention, before anything moved. */
export function heldByCheck(phase: MovePhase, progress: MoveProgress | null): boolean {
  return phase === 'NEEDS_ATTENTION' && progress?.currentStep === 'PREFLIGHT';
}

export function MoveChecks({
  phase,
  progress,
  canDecide,
}: {
  phase: MovePhase;
  progress: MoveProgress;
  /** Whether the viewer has the Retry and Cancel buttons (a T2 Super Admin on the move's page). */
  canDecide: boolean;
}): ReactElement {
  return (
    <>
      {heldByCheck(phase, progress) && (
        <p className="alert alert-error held-by-check">
          The check before moving holds this move: nothing has moved.{' '}
          {canDecide
            ? 'Put the problems below right, then Retry (the check runs again); or Cancel the move.'
            : 'A T2 Super Admin can retry it once the problems are put right, or cancel it.'}
        </p>
      )}
      <MoveWarnings warnings={progress.warnings} />
      {progress.sinceReview && <SinceReview changes={progress.sinceReview} />}
    </>
  );
}

const KIND_OF_ITEM: Record<ItemKind, keyof ReviewChanges['added']> = {
  USER: 'users',
  PHONE_NUMBER: 'phoneNumbers',
  SERVICE: 'services',
};

/** What changed since the review, per kind, and the first few items; the move takes the client as it is. */
export function SinceReview({ changes }: { changes: ReviewChanges }): ReactElement {
  const kinds = (['users', 'phoneNumbers', 'services'] as const).filter(
    (kind) => changes.added[kind] > 0 || changes.removed[kind] > 0,
  );
  if (kinds.length === 0) {
    return <p className="hint since-review">Nothing was added or removed since the review.</p>;
  }
  return (
    <div className="alert alert-warning since-review">
      <p className="alert-title">Changed since the review</p>
      <p>The move takes the client as it is now:</p>
      <ul>
        {kinds.map((kind) => (
          <li key={kind}>
            {ITEM_KIND_LABEL[kind]}: {changes.added[kind]} added, {changes.removed[kind]} removed
          </li>
        ))}
      </ul>
      {changes.items.length > 0 && (
        <ul className="since-review-items">
          {changes.items.map((item) => (
            <li key={`${item.change}-${item.id}`}>
              {item.change === 'added' ? 'Added' : 'Removed'}: {item.label} (
              {ITEM_KIND_LABEL[KIND_OF_ITEM[item.kind]].toLowerCase()})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
