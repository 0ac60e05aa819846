// Findings of the API's checks on a move (the check before Finish, the pre-move check): each in the
// check's own words, with the item it is about when the words do not already name it.
import type { ReactElement, ReactNode } from 'react';
import type { MoveCheck } from '../../../src/domain/move';
import { SUBJECT_KIND_LABEL } from '../format/labels';

export function CheckFindings({
  findings,
  lead,
}: {
  findings: MoveCheck[];
  /** What goes before each finding's words, e.g. a link to the field it is about. */
  lead?: (finding: MoveCheck) => ReactNode;
}): ReactElement {
  return (
    <ul className="check-findings">
      {findings.map((finding, i) => (
        <li key={`${finding.type}-${finding.field ?? ''}-${finding.item?.id ?? i}`}>
          {lead?.(finding)}
          {finding.message}
          {finding.item &&
            !finding.message.includes(finding.item.label) &&
            ` (${SUBJECT_KIND_LABEL[finding.item.kind]}: ${finding.item.label})`}
        </li>
      ))}
    </ul>
  );
}

/** The pre-move check's warnings on a move, as its page and its dashboard task show them. */
export function MoveWarnings({ warnings }: { warnings: MoveCheck[] }): ReactElement | null {
  if (warnings.length === 0) return null;
  return (
    <div className="alert alert-warning move-warnings">
      <p className="alert-title">
        {warnings.length === 1 ? 'Warning' : `${warnings.length} warnings`} from the check before moving
      </p>
      <CheckFindings findings={warnings} />
    </div>
  );
}
