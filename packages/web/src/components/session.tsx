import { createContext, useContext } from 'react';
import { Center, Loader } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Navigate, Outlet, useLocation } from 'react-router';
import { auth } from '../api/endpoints.js';
import { ApiError, setCsrfToken } from '../api/client.js';
import type { Session } from '../api/types.js';

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside RequireSession');
  return s;
}

export function useCanEdit(): boolean {
  const s = useSession();
  return s.account.role !== 'tenantViewer';
}

export function useSessionQuery() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const s = await auth.session();
        setCsrfToken(s.csrfToken ?? null);
        return s;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return async () => {
    try {
      await auth.logout();
    } finally {
      setCsrfToken(null);
      qc.clear();
      window.location.assign('/login');
    }
  };
}

/** Routes below need a session; the privacy notice comes first until it is accepted. */
export function RequireSession() {
  const q = useSessionQuery();
  const loc = useLocation();
  if (q.isPending) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (!q.data) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (q.data.privacyNoticeRequired && loc.pathname !== '/privacy') {
    return <Navigate to={`/privacy?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  }
  return (
    <SessionContext.Provider value={q.data}>
      <Outlet />
    </SessionContext.Provider>
  );
}
