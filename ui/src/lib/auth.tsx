import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, onUnauthenticated, setCsrfToken } from "../api/client";
import type { Me, Permissions, Session } from "../api/types";

type AuthState =
  | { phase: "loading" }
  | { phase: "unreachable"; message: string }
  | { phase: "setup" }
  | { phase: "login"; reason: "expired" | "logged_out" | null }
  | { phase: "ready"; me: Me };

interface AuthValue {
  state: AuthState;
  login(email: string, password: string): Promise<void>;
  setup(input: { email: string; name: string; password: string }): Promise<void>;
  logout(): Promise<void>;
  reload(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ phase: "loading" });
  const queryClient = useQueryClient();

  const reload = useCallback(async () => {
    try {
      const me = await api.get<Me>("/api/auth/me", { quiet401: true });
      setCsrfToken(me.csrf_token);
      setState({ phase: "ready", me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setCsrfToken(null);
        try {
          const setup = await api.get<{ setup_needed: boolean }>("/api/auth/setup", { quiet401: true });
          setState(setup.setup_needed ? { phase: "setup" } : { phase: "login", reason: null });
        } catch (inner) {
          setState({ phase: "unreachable", message: inner instanceof Error ? inner.message : String(inner) });
        }
        return;
      }
      setState({ phase: "unreachable", message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    onUnauthenticated(() => {
      setCsrfToken(null);
      queryClient.clear();
      setState((current) => (current.phase === "ready" ? { phase: "login", reason: "expired" } : current));
    });
    return () => onUnauthenticated(null);
  }, [queryClient]);

  const afterSession = useCallback(
    async (session: Session) => {
      setCsrfToken(session.csrf_token);
      queryClient.clear();
      await reload();
    },
    [queryClient, reload],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const session = await api.post<Session>("/api/auth/login", { email, password }, { quiet401: true });
      await afterSession(session);
    },
    [afterSession],
  );

  const setup = useCallback(
    async (input: { email: string; name: string; password: string }) => {
      const session = await api.post<Session>("/api/auth/setup", input, { quiet401: true });
      await afterSession(session);
    },
    [afterSession],
  );

  const logout = useCallback(async () => {
    try {
      await api.post("/api/auth/logout", {}, { quiet401: true });
    } catch {
      // Already logged out on the server; the page still forgets the session.
    }
    setCsrfToken(null);
    queryClient.clear();
    setState({ phase: "login", reason: "logged_out" });
  }, [queryClient]);

  const value = useMemo(() => ({ state, login, setup, logout, reload }), [state, login, setup, logout, reload]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in account; only call inside the logged-in part of the app. */
export function useMe(): Me {
  const { state } = useAuth();
  if (state.phase !== "ready") throw new Error("useMe before login");
  return state.me;
}

export function useIsAdmin(): boolean {
  return useMe().user?.role === "admin";
}

const ALL: Permissions = { view: true, run: true, manage_schedules: true, edit_connections: true };
const NONE: Permissions = { view: false, run: false, manage_schedules: false, edit_connections: false };

/** What the signed-in user may do in a company, for hiding controls they cannot use. */
export function useCompanyPermissions(companyId: number): Permissions {
  const me = useMe();
  if (me.all_companies) return ALL;
  return me.companies.find((c) => c.id === companyId)?.permissions ?? NONE;
}
