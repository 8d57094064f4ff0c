/**
 * The few REST calls the demo makes, as a signed-in administrator would from the dashboard:
 * the session cookie plus the CSRF header. Errors carry the API's own message.
 */
export interface DemoApiClient {
  readonly baseUrl: string;
  call<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T>;
  /** GET with the session cookie, redirects not followed (the OAuth callback). */
  getRaw(url: string): Promise<{ status: number; text: string }>;
  /** After login/setup: the session cookie was captured from the answer; this adds the CSRF token. */
  useCsrfToken(token: string): void;
}

export class DemoApiError extends Error {
  override readonly name = "DemoApiError";
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
  }
}

export function createDemoApiClient(baseUrl: string): DemoApiClient {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const headers = (json: boolean): Record<string, string> => ({
    accept: "application/json",
    ...(json ? { "content-type": "application/json" } : {}),
    ...(cookie ? { cookie } : {}),
    ...(csrf ? { "x-csrf-token": csrf } : {}),
  });
  return {
    baseUrl,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) cookie = setCookie.split(";")[0];
      const text = await response.text();
      const json = text ? (JSON.parse(text) as Record<string, any>) : {};
      if (!response.ok) {
        const error = json.error as { code?: string; message?: string; fields?: unknown } | undefined;
        const fields = error?.fields ? ` ${JSON.stringify(error.fields)}` : "";
        throw new DemoApiError(response.status, error?.code, `${method} ${path} answered ${response.status}: ${error?.message ?? text.slice(0, 200)}${fields}`);
      }
      return json as T;
    },
    async getRaw(url) {
      const response = await fetch(url, { headers: headers(false), redirect: "manual" });
      return { status: response.status, text: await response.text() };
    },
    useCsrfToken(token) {
      csrf = token;
    },
  };
}
