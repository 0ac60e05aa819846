// Any failure as words for the operator: the API's own `detail`, prefixed for the statuses that need
// explaining (a 409 means the move's state moved on, not that something broke).
import { ApiProblem, ApiUnreachable } from '../api/client';

export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.status === 409) return `Not possible now: ${error.problem.detail}`;
    if (error.status === 403) return `Not allowed: ${error.problem.detail}`;
    if (error.status === 503) return `Try again shortly: ${error.problem.detail}`;
    if (error.status >= 500)
      return `Something went wrong on our side (request ${error.problem.requestId ?? 'unknown'}).`;
    return error.problem.detail;
  }
  if (error instanceof ApiUnreachable) return error.message;
  return 'Something went wrong in this page; reload it and try again.';
}
