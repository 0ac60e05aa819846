// A move's last failure: what went wrong, in which step, and the item it is about (e.g. the blocked
// phone number), with whether retrying can help.
import type { ReactElement } from 'react';
import type { MoveError } from '../../../src/domain/move';
import { SUBJECT_KIND_LABEL, stepLabel } from '../format/labels';
import { SiteTime } from '../components/Time';

export function LastError({
  error,
  timeZone,
  title = 'Last error',
}: {
  error: MoveError;
  /** The destination site's: a move's times are shown at its site. */
  timeZone: string;
  title?: string;
}): ReactElement {
  return (
    <div className="last-error">
      <p className="last-error-title">{title}</p>
      <p>{error.message}</p>
      <dl className="details details-compact">
        {error.item && (
          <>
            <dt>{SUBJECT_KIND_LABEL[error.item.kind]}</dt>
            <dd>{error.item.label}</dd>
          </>
        )}
        {error.step && (
          <>
            <dt>Step</dt>
            <dd>{stepLabel(error.step)}</dd>
          </>
        )}
        <dt>When</dt>
        <dd>
          <SiteTime iso={error.at} zone={timeZone} />
        </dd>
      </dl>
      {error.nonRetryable && <p className="hint">Retrying as it is cannot help: put the cause right first.</p>}
    </div>
  );
}
