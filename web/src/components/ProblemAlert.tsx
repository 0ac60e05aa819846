// A failure, in words, where the operator is looking.
import type { ReactElement } from 'react';
import { problemMessage } from '../format/problems';

export function ProblemAlert({ error }: { error: unknown }): ReactElement {
  return (
    <p role="alert" className="alert alert-error">
      {problemMessage(error)}
    </p>
  );
}
