// Previous / next page over an offset-paged list, with where the operator is: "21–40 of 120 users".
import type { ReactElement } from 'react';
import type { Page } from '../../../src/api/schemas';

export function Pager({
  page,
  noun,
  onOffset,
}: {
  page: Page;
  noun: string;
  onOffset: (offset: number) => void;
}): ReactElement {
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.limit, page.total);
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <span role="status">
        {first}–{last} of {page.total} {noun}
      </span>
      <button
        type="button"
        className="button-secondary"
        disabled={page.offset === 0}
        onClick={() => onOffset(Math.max(0, page.offset - page.limit))}
      >
        Previous page
      </button>
      <button
        type="button"
        className="button-secondary"
        disabled={page.nextOffset === null}
        onClick={() => page.nextOffset !== null && onOffset(page.nextOffset)}
      >
        Next page
      </button>
    </nav>
  );
}
