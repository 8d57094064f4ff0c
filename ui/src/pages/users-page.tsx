import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, query } from "../api/client";
import { paths } from "../api/paths";
import type { Page, Permissions, Role, User, UserDetail } from "../api/types";
import { useAllCompanies } from "../api/use-all-companies";
import { ConfirmDialog, Dialog } from "../components/dialog";
import { useToast } from "../components/toasts";
import { Badge, Button, Card, EmptyState, ErrorMessage, LoadMore, Loading, PageHeader, SelectField, TextField, Toggle } from "../components/ui";
import { useMe } from "../lib/auth";
import { formatRelative } from "../lib/format";
import { useDebounced } from "../lib/use-debounced";

const PERMISSION_LABEL: [keyof Permissions, string][] = [
  ["view", "View"],
  ["run", "Run syncs"],
  ["manage_schedules", "Manage schedules"],
  ["edit_connections", "Edit connections & settings"],
];

export function UsersPage() {
  const [search, setSearch] = useState("");
  const term = useDebounced(search.trim(), 250);
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const users = useInfiniteQuery({
    queryKey: ["users", term],
    queryFn: ({ pageParam }) => api.get<Page<User>>(paths.users + query({ search: term, cursor: pageParam, limit: 50 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Administrators see every company. Members see only the companies granted to them."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add user
          </Button>
        }
      />
      <div className="filters">
        <TextField className="field-grow" label="Search users" type="search" placeholder="Name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="grid-2 users-layout">
        <div>
          {users.isPending && <Loading />}
          {users.error && <ErrorMessage error={users.error} />}
          {users.isSuccess && rows.length === 0 && <EmptyState title={term ? "No user matches" : "No users"} />}
          {rows.length > 0 && (
            <div className="table-wrap">
              <table className="responsive-table">
                <caption className="visually-hidden">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Last login</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((u) => (
                    <tr key={u.id} aria-selected={selected === u.id} className={selected === u.id ? "selected" : undefined}>
                      <td data-label="Name">
                        <button className="link-button cell-title" onClick={() => setSelected(u.id)} aria-label={`Manage ${u.name}`}>
                          {u.name}
                        </button>
                        <div className="cell-sub">{u.email}</div>
                      </td>
                      <td data-label="Role">
                        {u.role === "admin" ? <Badge tone="busy">Administrator</Badge> : <Badge>Member</Badge>} {!u.active && <Badge tone="warn">Deactivated</Badge>}
                      </td>
                      <td data-label="Last login">{u.last_login_at ? formatRelative(u.last_login_at) : <span className="muted">Never</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadMore hasMore={Boolean(users.hasNextPage)} loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()} />
            </div>
          )}
        </div>
        <div>{selected !== null ? <UserPanel key={selected} userId={selected} onDeleted={() => setSelected(null)} /> : <Card><EmptyState title="Choose a user">Pick someone on the left to change their role, password or company access.</EmptyState></Card>}</div>
      </div>
      <AddUserDialog open={adding} onClose={() => setAdding(false)} onCreated={(u) => setSelected(u.id)} />
    </>
  );
}

function UserPanel({ userId, onDeleted }: { userId: number; onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useMe();
  const user = useQuery({ queryKey: ["user", userId], queryFn: () => api.get<UserDetail>(paths.user(userId)) });
  const companies = useAllCompanies();
  const [password, setPassword] = useState("");
  const [deleting, setDeleting] = useState(false);
  const afterChange = (u: UserDetail) => {
    queryClient.setQueryData(["user", userId], u);
    void queryClient.invalidateQueries({ queryKey: ["users"] });
  };
  const patch = useMutation({
    mutationFn: (body: Partial<{ role: Role; active: boolean; password: string; name: string }>) => api.patch<UserDetail>(paths.user(userId), body),
    onSuccess: (u, body) => {
      afterChange(u);
      if (body.password) {
        setPassword("");
        toast("Password changed.");
      } else toast("User updated.");
    },
  });
  const grant = useMutation({
    mutationFn: ({ companyId, permissions }: { companyId: number; permissions: Permissions }) =>
      permissions.view ? api.put<UserDetail>(paths.userCompany(userId, companyId), permissions) : api.delete<UserDetail>(paths.userCompany(userId, companyId)),
    onSuccess: afterChange,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(paths.user(userId)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      toast("User deleted.");
      onDeleted();
    },
  });
  if (user.isPending) return <Loading />;
  if (user.error) return <ErrorMessage error={user.error} />;
  const u = user.data;
  const isSelf = me.user?.id === u.id;
  const fields = patch.error instanceof ApiError ? patch.error.fields : {};
  return (
    <Card title={u.name} actions={!isSelf && <Button variant="danger" size="small" onClick={() => setDeleting(true)}>Delete user</Button>}>
      <p className="muted">{u.email}</p>
      <div className="row" style={{ marginBottom: "1rem" }}>
        <SelectField
          label="Role"
          value={u.role}
          onChange={(e) => patch.mutate({ role: e.target.value as Role })}
          options={[
            { value: "member", label: "Member" },
            { value: "admin", label: "Administrator" },
          ]}
          disabled={isSelf}
          hint={isSelf ? "You cannot change your own role." : undefined}
        />
        <Toggle label="Account active" checked={u.active} disabled={isSelf} onChange={(active) => patch.mutate({ active })} />
      </div>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          patch.mutate({ password });
        }}
        className="row"
        aria-label="Set a new password"
      >
        <TextField label="New password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 10 characters. Tell the person in a safe way." error={fields.password} />
        <Button type="submit" disabled={!password} busy={patch.isPending && Boolean(patch.variables?.password)}>
          Set password
        </Button>
      </form>
      {patch.error && Object.keys(fields).length === 0 && <ErrorMessage error={patch.error} />}
      <h3 className="section-title">Company access</h3>
      {u.role === "admin" ? (
        <p className="muted">Administrators can see and change every company.</p>
      ) : companies.isPending ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table className="responsive-table access-table">
            <caption className="visually-hidden">Company access of {u.name}</caption>
            <thead>
              <tr>
                <th scope="col">Company</th>
                {PERMISSION_LABEL.map(([k, label]) => (
                  <th key={k} scope="col">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(companies.data ?? []).map((c) => {
                const granted = u.companies.find((g) => g.company_id === c.id)?.permissions ?? { view: false, run: false, manage_schedules: false, edit_connections: false };
                return (
                  <tr key={c.id}>
                    <th scope="row" data-label="Company">
                      {c.name}
                    </th>
                    {PERMISSION_LABEL.map(([k, label]) => (
                      <td key={k} data-label={label}>
                        <input
                          type="checkbox"
                          aria-label={`${label}: ${c.name}`}
                          checked={granted[k]}
                          disabled={grant.isPending || (k !== "view" && !granted.view && false)}
                          onChange={(e) => {
                            const next = { ...granted, [k]: e.target.checked };
                            // Any permission implies seeing the company; removing "view" removes all.
                            if (k !== "view" && e.target.checked) next.view = true;
                            if (k === "view" && !e.target.checked) Object.assign(next, { run: false, manage_schedules: false, edit_connections: false });
                            grant.mutate({ companyId: c.id, permissions: next });
                          }}
                        />
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {grant.error && <ErrorMessage error={grant.error} />}
      <ConfirmDialog
        open={deleting}
        title={`Delete ${u.name}?`}
        body={
          <>
            <p>They will be logged out and can no longer sign in. Their actions stay in the audit log.</p>
            {remove.error && <ErrorMessage error={remove.error} />}
          </>
        }
        confirmLabel="Delete user"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setDeleting(false)}
      />
    </Card>
  );
}

function AddUserDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (u: UserDetail) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("member");
  const create = useMutation({
    mutationFn: () => api.post<UserDetail>(paths.users, { name, email, password, role }),
    onSuccess: (u) => {
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      setName("");
      setEmail("");
      setPassword("");
      onClose();
      onCreated(u);
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Dialog open={open} title="Add a user" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required autoFocus />
        <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fields.email} required />
        <TextField label="Password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fields.password} hint="At least 10 characters." required />
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={[
            { value: "member", label: "Member — sees only companies you grant" },
            { value: "admin", label: "Administrator — sees and changes everything" },
          ]}
        />
        {create.error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={create.error} />}
        <div className="dialog-footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add user
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
