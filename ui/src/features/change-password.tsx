import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "../api/client";
import { Dialog } from "../components/dialog";
import { useToast } from "../components/toasts";
import { Button, ErrorMessage, TextField } from "../components/ui";

/** The user menu's "Change password": needs the current one; other sessions are logged out. */
export function ChangePasswordButton() {
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const toast = useToast();
  const close = () => {
    setOpen(false);
    setCurrent("");
    setNext("");
    change.reset();
  };
  const change = useMutation({
    mutationFn: () => api.post<{ ok: true; other_sessions_ended: number }>("/api/auth/password", { current_password: current, new_password: next }),
    onSuccess: (result) => {
      close();
      toast(result.other_sessions_ended > 0 ? "Password changed. Your other sessions were logged out." : "Password changed.");
    },
  });
  const fields = change.error instanceof ApiError ? change.error.fields : {};
  return (
    <>
      <Button size="small" variant="ghost" onClick={() => setOpen(true)}>
        Change password
      </Button>
      <Dialog open={open} title="Change your password" onClose={close}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            change.mutate();
          }}
        >
          <TextField label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={fields.current_password} required autoFocus />
          <TextField label="New password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={fields.new_password} hint="At least 10 characters; not a common password or your email." required />
          {change.error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={change.error} />}
          <div className="dialog-footer">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" busy={change.isPending}>
              Change password
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
