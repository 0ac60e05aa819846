// One page of what would move (users, phone numbers or services) with the total: the API pages each
// list, so a client with thousands of items loads as fast as a small one.
import type { ReactNode, ReactElement } from 'react';
import { Pager } from '../components/Pager';

export const REVIEW_PAGE_SIZE = 50;

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
}

export function ReviewItemsTable<T extends { id: string }>({
  caption,
  noun,
  count,
  items,
  offset,
  columns,
  onOffset,
}: {
  caption: string;
  noun: string;
  count: number;
  items: T[];
  offset: number;
  columns: Column<T>[];
  onOffset: (offset: number) => void;
}): ReactElement {
  const captionId = `${noun.replace(/\s+/g, '-')}-caption`;
  const next = offset + REVIEW_PAGE_SIZE;
  return (
    <>
      <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
        <table>
          <caption id={captionId}>
            {caption} ({count})
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col">
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                {columns.map((c) => (
                  <td key={c.header}>{c.cell(item)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {count === 0 && <p className="muted">None: nothing of this kind moves.</p>}
      <Pager
        page={{ offset, limit: REVIEW_PAGE_SIZE, total: count, nextOffset: next < count ? next : null }}
        noun={noun}
        onOffset={onOffset}
      />
    </>
  );
}
