// Registers the move's custom search attributes on a Temporal server that does not have them yet
// (the dev server gets them as start flags; an external server, or the test server, gets them here).
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MOVE_SEARCH_ATTRIBUTES } from '../workflows/searchAttributes';

const ALREADY_EXISTS = 6;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // One at a time: some servers refuse the whole request when any one of them already exists.
  for (const key of MOVE_SEARCH_ATTRIBUTES) {
    const searchAttributes = { [key.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD };
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    } catch (error) {
      if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
    }
  }
}

/** The dev server's `--search-attribute` flags for the same attributes. */
export function searchAttributeFlags(): string[] {
  return MOVE_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
