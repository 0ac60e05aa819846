// What every activity receives. The worker passes the real things, tests pass their own: no globals.
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Mailer } from '../../mail/mailer';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  /**
   * Temporal Web, for the link in outcome emails: either the UI's base URL (the default namespace is
   * assumed) or a namespace URL such as http://127.0.0.1:8233/namespaces/moves.
   */
  temporalWebUrl?: string;
  /** Where activities start workflows of their own (the outcome email's): the worker's client and queue. */
  temporal?: { client: Client; taskQueue: string };
  /** The clock behind every timestamp an activity writes, so tests can pin it. */
  now: () => Date;
}
