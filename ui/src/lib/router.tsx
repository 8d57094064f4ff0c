import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

/**
 * A small history router: the dashboard has a dozen pages, which does not justify a routing
 * library. Paths are real URLs (the server falls back to index.html), so reload and share work.
 */

interface Location {
  pathname: string;
  search: URLSearchParams;
}

interface RouterValue {
  location: Location;
  navigate(to: string, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

function readLocation(): Location {
  return { pathname: window.location.pathname, search: new URLSearchParams(window.location.search) };
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    const onPop = () => setLocation(readLocation());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    const current = window.location.pathname + window.location.search;
    if (to !== current) {
      if (options.replace) window.history.replaceState(null, "", to);
      else window.history.pushState(null, "", to);
    }
    setLocation(readLocation());
    if (!options.replace) window.scrollTo(0, 0);
  }, []);
  const value = useMemo(() => ({ location, navigate }), [location, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error("useRouter outside RouterProvider");
  return value;
}

/** Matches `/companies/:id/:tab?` style patterns; returns the named parts or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const patternParts = pattern.split("/").filter(Boolean);
  const pathParts = pathname.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(patternParts.length, pathParts.length); i++) {
    const p = patternParts[i];
    const v = pathParts[i];
    if (p === undefined) return null;
    const optional = p.endsWith("?");
    if (p.startsWith(":")) {
      const name = p.slice(1).replace(/\?$/, "");
      if (v === undefined) {
        if (optional) continue;
        return null;
      }
      params[name] = decodeURIComponent(v);
    } else if (p !== v) {
      return null;
    }
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

/** Reads and writes list filters in the address, so a filtered view can be bookmarked. */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const { location, navigate } = useRouter();
  const value = location.search.get(name) ?? "";
  const set = useCallback(
    (next: string) => {
      const search = new URLSearchParams(window.location.search);
      if (next) search.set(name, next);
      else search.delete(name);
      const text = search.toString();
      navigate(window.location.pathname + (text ? `?${text}` : ""), { replace: true });
    },
    [name, navigate],
  );
  return [value, set];
}
