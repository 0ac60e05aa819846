// The signed-in operator, for every page: who they are, and whether their role may change moves
// (only a T2 Super Admin may; the API refuses anyone else on its own as well).
import { createContext, useContext } from 'react';
import type { Me } from '../../../src/api/schemas';

export const OperatorContext = createContext<Me | null>(null);

export function useOperator(): Me {
  const operator = useContext(OperatorContext);
  if (!operator) throw new Error('useOperator() outside a signed-in page');
  return operator;
}

/** True for a T2 Super Admin: action buttons are shown to them only. */
export function useCanChangeMoves(): boolean {
  return useOperator().role === 'T2_SUPER_ADMIN';
}
