/** A minimal DevPos client for tests, speaking plain HTTP like devsync's connector will. */
export const SPA_CLIENT = `Basic ${Buffer.from("fiskalizimi_spa:").toString("base64")}`;

export async function requestToken(
  base: string,
  o: { tenant?: string; username: string; password: string; authorization?: string | null },
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (o.authorization !== null) headers.authorization = o.authorization ?? SPA_CLIENT;
  if (o.tenant) headers.tenant = o.tenant;
  const body = new URLSearchParams({ grant_type: "password", username: o.username, password: o.password });
  return fetch(`${base}/connect/token`, { method: "POST", headers, body });
}

export async function login(base: string, tenant: string, username: string, password: string): Promise<string> {
  const res = await requestToken(base, { tenant, username, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function listInvoices(
  base: string,
  kind: "GetSalesInvoice" | "GetPurchaseInvoice",
  o: { token?: string; tenant?: string; fromDate?: string; toDate?: string; extra?: Record<string, string> },
): Promise<Response> {
  const query = new URLSearchParams();
  if (o.fromDate) query.set("fromDate", o.fromDate);
  if (o.toDate) query.set("toDate", o.toDate);
  for (const [k, v] of Object.entries(o.extra ?? {})) query.set(k, v);
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.tenant) headers.tenant = o.tenant;
  return fetch(`${base}/api/v3/EInvoice/${kind}?${query}`, { headers });
}

export async function adminJson(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
