import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, query } from "../api/client";
import { paths } from "../api/paths";
import type { ApiKey, CreatedApiKey, Page, Permissions } from "../api/types";
import { useAllCompanies } from "../api/use-all-companies";
import { ConfirmDialog, Dialog } from "../components/dialog";
import { useToast } from "../components/toasts";
import { Alert, Badge, Button, EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, TextField, Toggle } from "../components/ui";
import { formatDate, formatDateTime, formatRelative } from "../lib/format";

export function ApiKeysPage() {
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const companies = useAllCompanies();
  const names = new Map((companies.data ?? []).map((c) => [c.id, c.name]));
  const keysList = useInfiniteQuery({
    queryKey: ["api-keys", showRevoked],
    queryFn: ({ pageParam }) => api.get<Page<ApiKey>>(paths.apiKeys + query({ include_revoked: showRevoked || undefined, cursor: pageParam, limit: 50 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.delete<ApiKey>(paths.apiKey(id)),
    onSuccess: (k) => {
      setRevoking(null);
      toast(`Key “${k.name}” revoked. Programs using it are refused from now on.`);
      void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });
  const rows = keysList.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Keys let other programs use devsync's REST API for the companies you choose."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create API key
          </Button>
        }
      />
      <div className="filters">
        <Toggle label="Show revoked keys" checked={showRevoked} onChange={setShowRevoked} />
        <span className="spacer" />
        <a href="/api/docs" target="_blank" rel="noreferrer">
          API documentation
        </a>
      </div>
      {keysList.isPending && <Loading />}
      {keysList.error && <ErrorMessage error={keysList.error} />}
      {keysList.isSuccess && rows.length === 0 && (
        <div className="card">
          <EmptyState title="No API keys" action={<Button onClick={() => setCreating(true)}>Create API key</Button>}>
            <p>Create one when an integration needs to read runs or start syncs.</p>
          </EmptyState>
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Companies</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name" className="cell-title">
                    {k.name} {k.revoked_at && <Badge tone="neutral">Revoked</Badge>}
                  </td>
                  <td data-label="Key starts with" className="mono">
                    {k.prefix}…
                  </td>
                  <td data-label="Companies">{k.companies.map((c) => names.get(c.company_id) ?? `#${c.company_id}`).join(", ")}</td>
                  <td data-label="Last used" title={formatDateTime(k.last_used_at)}>
                    {k.last_used_at ? formatRelative(k.last_used_at) : <span className="muted">Never</span>}
                  </td>
                  <td data-label="Expires">{k.expires_at ? formatDate(k.expires_at) : "Never"}</td>
                  <td data-label="Actions">
                    {!k.revoked_at && (
                      <Button size="small" variant="danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(keysList.hasNextPage)} loading={keysList.isFetchingNextPage} onClick={() => void keysList.fetchNextPage()} />
        </div>
      )}
      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
          void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
        }}
      />
      <Dialog
        open={created !== null}
        title="Copy your new API key now"
        onClose={() => setCreated(null)}
        footer={
          <Button variant="primary" onClick={() => setCreated(null)}>
            I have stored the key
          </Button>
        }
      >
        {created && (
          <>
            <Alert tone="warn">
              <p>This is the only time the key is shown. devsync keeps only a fingerprint of it. If you lose it, revoke it and create a new one.</p>
            </Alert>
            <p className="secret-box" data-testid="new-api-key">
              {created.key}
            </p>
            <Button
              onClick={() => {
                void navigator.clipboard?.writeText(created.key).then(
                  () => toast("Key copied."),
                  () => toast("Copy failed: select the key and copy it by hand.", "bad"),
                );
              }}
            >
              Copy key
            </Button>
            <p className="muted small" style={{ marginTop: "0.75rem" }}>
              Send it as <code>Authorization: Bearer {created.api_key.prefix}…</code>
            </p>
          </>
        )}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        body={
          <>
            <p>Programs using this key will be refused immediately. This cannot be undone.</p>
            {revoke.error && <ErrorMessage error={revoke.error} />}
          </>
        }
        confirmLabel="Revoke key"
        danger
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}

function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (k: CreatedApiKey) => void }) {
  const companies = useAllCompanies();
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const [chosen, setChosen] = useState<number[]>([]);
  const [perms, setPerms] = useState<Omit<Permissions, "view">>({ run: true, manage_schedules: false, edit_connections: false });
  const create = useMutation({
    mutationFn: () =>
      api.post<CreatedApiKey>(paths.apiKeys, {
        name,
        ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
        companies: chosen.map((company_id) => ({ company_id, view: true, ...perms })),
      }),
    onSuccess: (k) => {
      setName("");
      setExpires("");
      setChosen([]);
      onCreated(k);
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Dialog open={open} title="Create an API key" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextField label="Name" hint="Who or what uses it, e.g. “Reporting spreadsheet”." value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required autoFocus />
        <TextField label="Expires on (optional)" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} error={fields.expires_at} />
        <fieldset>
          <legend>Companies it may use</legend>
          {companies.isPending && <Loading />}
          {(companies.data ?? []).length === 0 && companies.isSuccess && <p className="muted">Add a company first.</p>}
          <div style={{ maxHeight: 180, overflow: "auto" }}>
            {(companies.data ?? []).map((c) => (
              <label key={c.id} className="check">
                <input type="checkbox" checked={chosen.includes(c.id)} onChange={(e) => setChosen((list) => (e.target.checked ? [...list, c.id] : list.filter((x) => x !== c.id)))} />
                {c.name}
              </label>
            ))}
          </div>
          {fields.companies && <p className="field-error">{fields.companies}</p>}
        </fieldset>
        <fieldset>
          <legend>It may also</legend>
          <label className="check">
            <input type="checkbox" checked={perms.run} onChange={(e) => setPerms({ ...perms, run: e.target.checked })} /> Start syncs
          </label>
          <label className="check">
            <input type="checkbox" checked={perms.manage_schedules} onChange={(e) => setPerms({ ...perms, manage_schedules: e.target.checked })} /> Manage schedules
          </label>
          <label className="check">
            <input type="checkbox" checked={perms.edit_connections} onChange={(e) => setPerms({ ...perms, edit_connections: e.target.checked })} /> Change connections and settings
          </label>
          <p className="field-hint">It can always read the chosen companies' syncs and documents.</p>
        </fieldset>
        {create.error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={create.error} />}
        <div className="dialog-footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim() || chosen.length === 0}>
            Create key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
