// Progress per kind of item (users, phone numbers, services): a bar and "done / total" for each.
import { useId, type ReactElement } from 'react';
import type { ItemProgress } from '../../../src/domain/move';
import { ITEM_KIND_LABEL } from '../format/labels';

const KINDS: (keyof ItemProgress)[] = ['users', 'phoneNumbers', 'services'];

export function ItemProgressBars({
  items,
  started,
}: {
  items: ItemProgress;
  /** Before the move starts nothing has been counted yet: the move counts what it carries as it begins. */
  started: boolean;
}): ReactElement {
  const id = useId();
  if (!started && KINDS.every((kind) => items[kind].total === 0)) {
    return <p className="muted">Users, phone numbers and services are counted when the move starts.</p>;
  }
  return (
    <dl className="progress-bars">
      {KINDS.map((kind) => {
        const { done, total } = items[kind];
        return (
          <div key={kind} className="progress-row">
            <dt id={`${id}-${kind}`}>{ITEM_KIND_LABEL[kind]}</dt>
            <dd>
              <progress aria-labelledby={`${id}-${kind}`} max={Math.max(total, 1)} value={total === 0 ? 0 : done} />
              <span className="progress-count">
                {done} / {total}
              </span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
