import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client";
import { paths } from "../../api/paths";
import { keys, useDevpos } from "../../api/queries";
import type { Company, DevposCredentialsStatus, DevposTestResult } from "../../api/types";
import { ConfirmDialog } from "../../components/dialog";
import { DevposBadge } from "../../components/status";
import { useToast } from "../../components/toasts";
import { Alert, Button, Card, ErrorMessage, Loading, TextField } from "../../components/ui";
import { formatDateTime } from "../../lib/format";

/** DevPos login: tenant and username shown, password write-only; Test logs in with what is stored. */
export function DevposCard({ company }: { company: Company }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const status = useDevpos(company.id);
  const canEdit = company.permissions.edit_connections;
  const [tenant, setTenant] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [removing, setRemoving] = useState(false);
  const [testResult, setTestResult] = useState<DevposTestResult | null>(null);

  useEffect(() => {
    if (status.data) {
      setTenant(status.data.tenant ?? "");
      setUsername(status.data.username ?? "");
    }
  }, [status.data]);

  const refresh = (data: DevposCredentialsStatus) => {
    queryClient.setQueryData(keys.devpos(company.id), data);
    void queryClient.invalidateQueries({ queryKey: keys.company(company.id) });
    void queryClient.invalidateQueries({ queryKey: keys.companies });
  };
  const save = useMutation({
    mutationFn: () => api.put<DevposCredentialsStatus>(paths.devpos(company.id), { tenant, username, password }),
    onSuccess: (data) => {
      setPassword("");
      setTestResult(null);
      refresh(data);
      toast("DevPos login saved. Press Test to check it.");
    },
  });
  const test = useMutation({
    mutationFn: () => api.post<DevposTestResult>(paths.devposTest(company.id)),
    onSuccess: (result) => {
      setTestResult(result);
      refresh(result.credentials);
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete<DevposCredentialsStatus>(paths.devpos(company.id)),
    onSuccess: (data) => {
      setRemoving(false);
      setPassword("");
      refresh(data);
      toast("DevPos login removed.");
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const configured = status.data?.configured ?? false;
  return (
    <Card title="DevPos" actions={status.data && <DevposBadge status={status.data.status} lastError={status.data.last_error} />}>
      {status.isPending && <Loading />}
      {status.error && <ErrorMessage error={status.error} />}
      {status.data && (
        <>
          {status.data.status === "failing" && (
            <Alert tone="bad" title="DevPos refused the login">
              <p>{status.data.last_error}</p>
              <p>Check the tenant, username and password, save them again, then press Test.</p>
            </Alert>
          )}
          {status.data.last_ok_at && <p className="muted small">Last successful login {formatDateTime(status.data.last_ok_at)}.</p>}
          <form onSubmit={submit} aria-label="DevPos login">
            <div className="form-row">
              <TextField label="Tenant" hint="Your DevPos company code (the NUIS)." value={tenant} onChange={(e) => setTenant(e.target.value)} error={fields.tenant} disabled={!canEdit} autoComplete="off" required />
              <TextField label="Username" value={username} onChange={(e) => setUsername(e.target.value)} error={fields.username} disabled={!canEdit} autoComplete="off" required />
            </div>
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              placeholder={configured ? "Saved — type a new one to replace it" : ""}
              hint={configured ? "For your security the saved password is never shown." : "Stored encrypted; it is never shown again."}
              error={fields.password}
              disabled={!canEdit}
              required
            />
            {save.error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={save.error} title="The DevPos login was not saved" />}
            {canEdit && (
              <div className="form-actions">
                <Button type="submit" variant="primary" busy={save.isPending} disabled={!tenant || !username || !password}>
                  Save login
                </Button>
                <Button onClick={() => test.mutate()} busy={test.isPending} disabled={!configured}>
                  Test
                </Button>
                {configured && (
                  <Button variant="ghost" onClick={() => setRemoving(true)}>
                    Remove
                  </Button>
                )}
              </div>
            )}
          </form>
          {testResult && (
            <div className={`alert ${testResult.ok ? "alert-ok" : "alert-bad"}`} role="status" style={{ marginTop: "0.9rem" }}>
              <p>{testResult.ok ? "✓ " : ""}{testResult.message}</p>
            </div>
          )}
          {test.error && <ErrorMessage error={test.error} title="The test could not run" />}
        </>
      )}
      <ConfirmDialog
        open={removing}
        title="Remove the DevPos login?"
        body={<p>Syncs of {company.name} will stop working until a login is saved again.</p>}
        confirmLabel="Remove login"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setRemoving(false)}
      />
    </Card>
  );
}
