// Heartbeats when running as a Temporal activity; a no-op when a test calls the function directly.
import { Context } from '@temporalio/activity';

export function heartbeat(details: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    // Outside an activity there is no server to tell, and nothing to time out.
    return;
  }
  context.heartbeat(details);
}
