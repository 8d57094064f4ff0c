import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { Button, ErrorMessage, TextField } from "../components/ui";
import { useAuth } from "../lib/auth";

const MIN_PASSWORD = 10;

/** Shown only while no account exists: creates the first administrator and logs in. */
export function SetupPage() {
  const { setup, reload } = useAuth();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = "Enter your name.";
    if (!email.includes("@")) problems.email = "Enter an email address such as anna@example.com.";
    if (password.length < MIN_PASSWORD) problems.password = `Choose a password of at least ${MIN_PASSWORD} characters.`;
    else if (confirm !== password) problems.confirm = "The two passwords are not the same.";
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await setup({ name: name.trim(), email: email.trim(), password });
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.code === "setup_done") {
        await reload();
        return;
      }
      setError(e);
    }
  }

  const server = error instanceof ApiError ? error.fields : {};
  return (
    <div className="center-screen">
      <main className="auth-card" aria-labelledby="setup-title">
        <p className="auth-brand" aria-hidden="true">
          <span className="brand-mark">⇄</span> devsync
        </p>
        <h1 id="setup-title">Welcome to devsync</h1>
        <p className="muted">Create the first administrator account. You can invite your colleagues afterwards.</p>
        <form onSubmit={submit} noValidate>
          <TextField label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={localErrors.name ?? server.name} autoFocus />
          <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={localErrors.email ?? server.email} />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={`At least ${MIN_PASSWORD} characters. A short sentence is easy to remember and hard to guess.`}
            error={localErrors.password ?? server.password}
          />
          <TextField label="Repeat the password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={localErrors.confirm} />
          {error !== null && Object.keys(server).length === 0 && <ErrorMessage error={error} />}
          <Button type="submit" variant="primary" busy={busy} className="btn-block">
            Create administrator
          </Button>
        </form>
      </main>
    </div>
  );
}
