// A move's phase as a coloured badge; the colour repeats the words, it never replaces them.
import type { ReactElement } from 'react';
import type { MovePhase } from '../../../src/domain/move';
import { PHASE_LABEL } from '../format/labels';

export function PhaseBadge({ phase }: { phase: MovePhase }): ReactElement {
  return <span className={`badge badge-${phase.toLowerCase().replace('_', '-')}`}>{PHASE_LABEL[phase]}</span>;
}
