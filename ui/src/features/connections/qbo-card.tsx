import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { paths } from "../../api/paths";
import { keys, useQbo } from "../../api/queries";
import type { Company, QboConnectionStatus, QboConnectMessage } from "../../api/types";
import { ConfirmDialog } from "../../components/dialog";
import { QboBadge } from "../../components/status";
import { useToast } from "../../components/toasts";
import { Alert, Button, Card, ErrorMessage, Loading } from "../../components/ui";
import { formatDateTime } from "../../lib/format";

type ConnectState = { phase: "idle" } | { phase: "waiting" } | { phase: "done"; ok: boolean; message: string };

/**
 * "Connect to QuickBooks": opens Intuit's consent page in a popup; the callback page posts a
 * message back to this window, and the status refreshes without a reload.
 */
export function QboCard({ company }: { company: Company }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const status = useQbo(company.id);
  const canEdit = company.permissions.edit_connections;
  const [connect, setConnect] = useState<ConnectState>({ phase: "idle" });
  const [disconnecting, setDisconnecting] = useState(false);
  const popupRef = useRef<Window | null>(null);
  const connectedAtBefore = useRef<string | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.qbo(company.id) });
    void queryClient.invalidateQueries({ queryKey: keys.company(company.id) });
    void queryClient.invalidateQueries({ queryKey: keys.companies });
    void queryClient.invalidateQueries({ queryKey: keys.companySchedules(company.id) });
  };

  useEffect(() => {
    function onMessage(event: MessageEvent) {
      if (event.origin !== window.location.origin) return;
      const data = event.data as Partial<QboConnectMessage> | null;
      if (!data || data.type !== "devsync:qbo-connect") return;
      if (data.company_id !== null && data.company_id !== undefined && data.company_id !== company.id) return;
      setConnect({ phase: "done", ok: Boolean(data.ok), message: data.ok ? "QuickBooks is connected. Syncs can now send documents to it." : (data.message ?? "QuickBooks was not connected.") });
      if (data.ok) toast(`QuickBooks is connected to ${company.name}.`);
      refresh();
    }
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [company.id]);

  // The popup normally reports back by message; the status is also re-read while waiting, so the
  // card updates even when a browser cut the link to the popup.
  useEffect(() => {
    if (connect.phase !== "waiting") return;
    const timer = window.setInterval(() => void queryClient.invalidateQueries({ queryKey: keys.qbo(company.id) }), 2000);
    return () => window.clearInterval(timer);
  }, [connect.phase, company.id, queryClient]);
  useEffect(() => {
    const data = status.data;
    if (connect.phase !== "waiting" || !data || data.status !== "connected" || data.connected_at === connectedAtBefore.current) return;
    setConnect({ phase: "done", ok: true, message: "QuickBooks is connected. Syncs can now send documents to it." });
    refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status.data, connect.phase]);

  // If the person closes the popup without finishing, stop waiting and re-read the status.
  useEffect(() => {
    if (connect.phase !== "waiting") return;
    const timer = window.setInterval(() => {
      if (popupRef.current?.closed) {
        window.clearInterval(timer);
        setConnect((c) => (c.phase === "waiting" ? { phase: "idle" } : c));
        refresh();
      }
    }, 700);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connect.phase]);

  const start = useMutation({
    mutationFn: () => api.post<{ authorize_url: string }>(paths.qboConnect(company.id)),
  });

  async function openConnect() {
    // Open the window inside the click, so popup blockers allow it; point it at Intuit once the
    // server has made the one-time state.
    const popup = window.open("about:blank", "devsync-qbo-connect", "popup,width=620,height=760");
    popupRef.current = popup;
    connectedAtBefore.current = status.data?.connected_at ?? null;
    setConnect({ phase: "waiting" });
    try {
      const { authorize_url } = await start.mutateAsync();
      if (popup && !popup.closed) popup.location.href = authorize_url;
      else window.location.href = authorize_url;
    } catch {
      popup?.close();
      setConnect({ phase: "idle" });
    }
  }

  const disconnect = useMutation({
    mutationFn: () => api.post<QboConnectionStatus>(paths.qboDisconnect(company.id)),
    onSuccess: (data) => {
      queryClient.setQueryData(keys.qbo(company.id), data);
      setDisconnecting(false);
      setConnect({ phase: "idle" });
      refresh();
      toast("QuickBooks disconnected.");
    },
  });

  const s = status.data;
  const connected = s?.status === "connected";
  return (
    <Card title="QuickBooks Online" actions={s && <QboBadge status={s.status} nearHardExpiry={s.near_hard_expiry} hardExpiresAt={s.refresh_hard_expires_at} />}>
      {status.isPending && <Loading />}
      {status.error && <ErrorMessage error={status.error} />}
      {s && (
        <>
          {s.reconnect_needed && (
            <Alert tone="bad" title="Connect QuickBooks again">
              <p>QuickBooks no longer accepts devsync's access for this company{s.last_error ? ` (${s.last_error})` : ""}. Schedules are paused until you connect again; nothing is lost.</p>
            </Alert>
          )}
          {s.near_hard_expiry && (
            <Alert tone="warn" title="The QuickBooks connection ends soon">
              <p>Intuit ends every connection after a while. Connect again before {formatDateTime(s.refresh_hard_expires_at)} to keep syncs running.</p>
            </Alert>
          )}
          {connected ? (
            <dl className="kv">
              <dt>QuickBooks company id</dt>
              <dd className="mono">{s.realm_id}</dd>
              <dt>Connected</dt>
              <dd>{formatDateTime(s.connected_at)}</dd>
              <dt>Access renewed</dt>
              <dd>{s.last_refreshed_at ? formatDateTime(s.last_refreshed_at) : "Not yet"}</dd>
              <dt>Connection valid until</dt>
              <dd>{formatDateTime(s.refresh_hard_expires_at)}</dd>
            </dl>
          ) : (
            !s.reconnect_needed && <p>Connect the company's QuickBooks Online so devsync can create invoices and bills in it. You will sign in to Intuit in a new window.</p>
          )}
          {connect.phase === "waiting" && (
            <p className="muted" role="status">
              Waiting for you to finish in the QuickBooks window…
            </p>
          )}
          {connect.phase === "done" && (
            <div className={`alert ${connect.ok ? "alert-ok" : "alert-bad"}`} role="status">
              <p>{connect.message}</p>
            </div>
          )}
          {start.error && <ErrorMessage error={start.error} title="QuickBooks could not be opened" />}
          {canEdit && (
            <div className="form-actions">
              <Button variant={connected ? "secondary" : "primary"} onClick={() => void openConnect()} busy={connect.phase === "waiting"}>
                {connected ? "Reconnect QuickBooks" : s.reconnect_needed ? "Reconnect QuickBooks" : "Connect to QuickBooks"}
              </Button>
              {(connected || s.reconnect_needed) && (
                <Button variant="danger" onClick={() => setDisconnecting(true)}>
                  Disconnect
                </Button>
              )}
            </div>
          )}
        </>
      )}
      <ConfirmDialog
        open={disconnecting}
        title="Disconnect QuickBooks?"
        body={
          <>
            <p>devsync will stop sending documents to QuickBooks for {company.name}. What is already in QuickBooks stays there.</p>
            {disconnect.error && <ErrorMessage error={disconnect.error} />}
          </>
        }
        confirmLabel="Disconnect"
        danger
        busy={disconnect.isPending}
        onConfirm={() => disconnect.mutate()}
        onCancel={() => setDisconnecting(false)}
      />
    </Card>
  );
}
