import type { QboClientRegistration } from "../options.js";
import type { QboState } from "../state.js";

/** Parses `Authorization: Basic base64(id:secret)` and checks it against the registered apps. */
export function authenticateClient(state: QboState, header: string | undefined): QboClientRegistration | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const clientId = decoded.slice(0, colon);
  const clientSecret = decoded.slice(colon + 1);
  return state.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
}

export function findClient(state: QboState, clientId: string | undefined): QboClientRegistration | undefined {
  return state.clients.find((c) => c.clientId === clientId);
}

export function isRedirectAllowed(client: QboClientRegistration, redirectUri: string): boolean {
  if (!client.redirectUris || client.redirectUris.length === 0) return /^https?:\/\//.test(redirectUri);
  return client.redirectUris.includes(redirectUri);
}

export function registerClient(state: QboState, client: QboClientRegistration): void {
  state.clients = state.clients.filter((c) => c.clientId !== client.clientId);
  state.clients.push({ ...client });
}
