import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { Alert, Button, ErrorMessage, TextField } from "../components/ui";
import { useAuth } from "../lib/auth";

export function LoginPage({ reason }: { reason: "expired" | "logged_out" | null }) {
  const { login } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  const fields = error instanceof ApiError ? error.fields : {};
  return (
    <div className="center-screen">
      <main className="auth-card" aria-labelledby="login-title">
        <p className="auth-brand" aria-hidden="true">
          <span className="brand-mark">⇄</span> devsync
        </p>
        <h1 id="login-title">Log in</h1>
        <p className="muted">DevPos e-invoices, kept in step with QuickBooks.</p>
        {reason === "expired" && (
          <Alert tone="warn" role="status" title="Your session has ended">
            <p>For your security you were logged out after a period without activity. Log in again to continue where you were.</p>
          </Alert>
        )}
        {reason === "logged_out" && (
          <Alert tone="info" role="status">
            <p>You have logged out.</p>
          </Alert>
        )}
        <form onSubmit={submit} noValidate>
          <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fields.email} autoFocus />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
          />
          {error !== null && Object.keys(fields).length === 0 && <ErrorMessage error={error} />}
          <Button type="submit" variant="primary" busy={busy} className="btn-block">
            Log in
          </Button>
        </form>
        <p className="muted small">Forgot your password? Ask an administrator of your firm to reset it.</p>
      </main>
    </div>
  );
}
