// Offset paging, the same for every list.
import type { Page } from './schemas';

export function page(query: { limit: number; offset: number }, total: number): Page {
  const next = query.offset + query.limit;
  return { limit: query.limit, offset: query.offset, total, nextOffset: next < total ? next : null };
}
