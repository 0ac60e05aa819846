// The operator's token for this browser tab: kept in sessionStorage only (gone when the tab closes),
// never in a URL or a log. Signing out, or a 401 from the API, forgets it and every cached answer.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode, type ReactElement } from 'react';

const STORAGE_KEY = 'connect-site-move.operator-token';

export interface Session {
  token: string | null;
  /** Why the last session ended, when it was not the operator's choice. */
  endedBecause: string | null;
  signIn: (token: string) => void;
  signOut: (reason?: string) => void;
}

const SessionContext = createContext<Session | null>(null);

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }): ReactElement {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(storedToken);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const signIn = useCallback((next: string) => {
    sessionStorage.setItem(STORAGE_KEY, next);
    setEndedBecause(null);
    setToken(next);
  }, []);
  const signOut = useCallback(
    (reason?: string) => {
      sessionStorage.removeItem(STORAGE_KEY);
      queryClient.clear();
      setEndedBecause(reason ?? null);
      setToken(null);
    },
    [queryClient],
  );

  const session = useMemo(() => ({ token, endedBecause, signIn, signOut }), [token, endedBecause, signIn, signOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside <SessionProvider>');
  return session;
}
