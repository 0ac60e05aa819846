// A move's last failure: what went wrong, in which step, and the item it is about (e.g. the blocked
// phone number), with whether retrying can help.
import type { ReactElement } from 'react';
import type { MoveError } from '../../../src/domain/move';
import { stepLabel } from '../format/labels';
import { Time } from '../components/Time';

const ITEM_KIND: Record<NonNullable<MoveError['item']>['kind'], string> = {
  USER: 'User',
  PHONE_NUMBER: 'Phone number',
  SERVICE: 'Service',
  SPACE: 'Space',
  CLIENT: 'Client',
  SERVICE_TYPE: 'Kind of service',
};

export function LastError({ error, title = 'Last error' }: { error: MoveError; title?: string }): ReactElement {
  return (
    <div className="last-error">
      <p className="last-error-title">{title}</p>
      <p>{error.message}</p>
      <dl className="details details-compact">
        {error.item && (
          <>
            <dt>{ITEM_KIND[error.item.kind]}</dt>
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
          <Time iso={error.at} />
        </dd>
      </dl>
      {error.nonRetryable && <p className="hint">Retrying as it is cannot help: put the cause right first.</p>}
    </div>
  );
}
