// What a page shows while its data is on its way.
import type { ReactElement } from 'react';
export function Loading({ what }: { what: string }): ReactElement {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
