import type { Logger } from "pino";

/**
 * What the QuickBooks connector tells the rest of devsync about connections. The scheduler and
 * the alerts subscribe; the database row stays the source of truth (events are per process).
 */
export type ConnectionEvent =
  /** The grant was refused (invalid_grant): schedules are paused until the user reconnects. */
  | { type: "reauth_required"; companyId: number; reason: string }
  /** The grant's 5-year hard expiry is near: the user must reconnect before `hardExpiresAt`. */
  | { type: "hard_expiry_near"; companyId: number; realmId: string | null; hardExpiresAt: Date; daysLeft: number }
  | { type: "connected"; companyId: number; realmId: string; reconnected: boolean; resumedSchedules: number }
  | { type: "disconnected"; companyId: number; realmId: string | null };

export type ConnectionEventListener = (event: ConnectionEvent) => void;

export interface ConnectionEvents {
  emit(event: ConnectionEvent): void;
  /** Returns the unsubscribe function. */
  on(listener: ConnectionEventListener): () => void;
}

/** A listener that throws is logged and skipped: a broken alert channel never breaks a refresh. */
export function createConnectionEvents(logger?: Logger): ConnectionEvents {
  const listeners = new Set<ConnectionEventListener>();
  return {
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          logger?.error({ err: error, event: event.type }, "connection event listener failed");
        }
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
