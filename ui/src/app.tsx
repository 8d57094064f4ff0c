import { useEffect, type ReactNode } from "react";
import { Button, Loading } from "./components/ui";
import { ChangePasswordButton } from "./features/change-password";
import { useAuth, useIsAdmin, useMe } from "./lib/auth";
import { Link, matchPath, useRouter } from "./lib/router";
import { ApiKeysPage } from "./pages/api-keys-page";
import { AuditPage } from "./pages/audit-page";
import { CompaniesPage } from "./pages/companies-page";
import { CompanyPage } from "./pages/company-page";
import { LoginPage } from "./pages/login-page";
import { NotFoundPage } from "./pages/not-found-page";
import { RunDetailPage } from "./pages/run-detail-page";
import { RunsPage } from "./pages/runs-page";
import { SchedulesPage } from "./pages/schedules-page";
import { SetupPage } from "./pages/setup-page";
import { UsersPage } from "./pages/users-page";

export function App() {
  const { state, reload } = useAuth();
  if (state.phase === "loading") {
    return (
      <div className="center-screen">
        <Loading label="Opening devsync…" />
      </div>
    );
  }
  if (state.phase === "unreachable") {
    return (
      <div className="center-screen">
        <div className="auth-card">
          <h1>devsync cannot be reached</h1>
          <p>{state.message}</p>
          <Button variant="primary" onClick={() => void reload()}>
            Try again
          </Button>
        </div>
      </div>
    );
  }
  if (state.phase === "setup") return <SetupPage />;
  if (state.phase === "login") return <LoginPage reason={state.reason} />;
  return (
    <Shell>
      <Routes />
    </Shell>
  );
}

function Routes() {
  const { location } = useRouter();
  const path = location.pathname;
  const isAdmin = useIsAdmin();
  const page = resolve(path, isAdmin);
  useEffect(() => {
    document.title = page.title ? `${page.title} · devsync` : "devsync";
  }, [page.title]);
  return page.element;
}

function resolve(path: string, isAdmin: boolean): { title: string; element: ReactNode } {
  if (path === "/" || path === "/companies") return { title: "Companies", element: <CompaniesPage /> };
  let m = matchPath("/companies/:id/:tab?", path);
  if (m && /^\d+$/.test(m.id!)) return { title: "Company", element: <CompanyPage companyId={Number(m.id)} tab={m.tab ?? "syncs"} /> };
  if (path === "/schedules") return { title: "Schedules", element: <SchedulesPage /> };
  if (path === "/runs") return { title: "Runs", element: <RunsPage /> };
  m = matchPath("/runs/:id", path);
  if (m && /^\d+$/.test(m.id!)) return { title: `Run ${m.id}`, element: <RunDetailPage runId={Number(m.id)} /> };
  if (isAdmin) {
    if (path === "/admin/users") return { title: "Users", element: <UsersPage /> };
    if (path === "/admin/api-keys") return { title: "API keys", element: <ApiKeysPage /> };
    if (path === "/admin/audit") return { title: "Audit log", element: <AuditPage /> };
  }
  return { title: "Not found", element: <NotFoundPage /> };
}

function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const isAdmin = useIsAdmin();
  const { logout } = useAuth();
  const { location } = useRouter();
  const path = location.pathname;
  const nav: { to: string; label: string; active: boolean }[] = [
    { to: "/", label: "Companies", active: path === "/" || path.startsWith("/companies") },
    { to: "/schedules", label: "Schedules", active: path.startsWith("/schedules") },
    { to: "/runs", label: "Runs", active: path.startsWith("/runs") },
  ];
  if (isAdmin) {
    nav.push(
      { to: "/admin/users", label: "Users", active: path.startsWith("/admin/users") },
      { to: "/admin/api-keys", label: "API keys", active: path.startsWith("/admin/api-keys") },
      { to: "/admin/audit", label: "Audit log", active: path.startsWith("/admin/audit") },
    );
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand" aria-label="devsync home">
            <span className="brand-mark" aria-hidden="true">
              ⇄
            </span>
            devsync
          </Link>
          <nav aria-label="Main" className="mainnav">
            <ul>
              {nav.map((item) => (
                <li key={item.to}>
                  <Link to={item.to} aria-current={item.active ? "page" : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="usermenu">
            <span className="user-name" title={me.user?.email}>
              {me.user?.name ?? me.api_key?.name}
              {isAdmin && <span className="role-tag">Admin</span>}
            </span>
            {me.kind === "user" && <ChangePasswordButton />}
            <Button size="small" variant="ghost" onClick={() => void logout()}>
              Log out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
