// An instant in the viewer's time zone, with the zone named; machines read the ISO form.
import type { ReactElement } from 'react';
import { formatTime } from '../format/time';

export function Time({ iso }: { iso: string }): ReactElement {
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}
