import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  logFile: string;
  /**
   * SIGTERM, then SIGKILL after `graceMs` (default 15 s); resolves once it exited, with the
   * signal that ended it ("none" when it had exited already). serve stops within seconds of a
   * SIGTERM, so SIGKILL means something is wrong.
   */
  stop(graceMs?: number): Promise<"none" | "SIGTERM" | "SIGKILL">;
}

/** The built CLI next to this module (dist/demo → dist/cli/main.js). */
export function defaultCliPath(): string {
  return fileURLToPath(new URL("../cli/main.js", import.meta.url));
}

/**
 * Starts `devsync serve` as its own process, exactly as an operator would, with only the given
 * environment (nothing from the caller's shell or a `.env` leaks in: it runs in `cwd`, the demo
 * directory). Its output goes to `logFile`. Resolves once /healthz answers.
 */
export async function startServeProcess(options: { cliPath?: string; cwd: string; env: Record<string, string>; url: string; logFile: string; readyTimeoutMs?: number }): Promise<ServeProcess> {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(process.execPath, [options.cliPath ?? defaultCliPath(), "serve"], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? options.cwd, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a terminal's Ctrl-C reaches only the demo, which then stops serve
    // gracefully (one SIGTERM) instead of serve seeing two signals and exiting hard.
    detached: true,
  });
  // Safety net: if the demo process dies without stopping it, serve goes too.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async (graceMs = 15_000): Promise<"none" | "SIGTERM" | "SIGKILL"> => {
    let ended: "none" | "SIGTERM" | "SIGKILL" = "none";
    if (!hasExited) {
      ended = "SIGTERM";
      child.kill("SIGTERM");
      const timer = new AbortController();
      const done = await Promise.race([exited.then(() => true), delay(graceMs, false, { signal: timer.signal })]).finally(() => timer.abort());
      if (!done) {
        ended = "SIGKILL";
        child.kill("SIGKILL");
        await exited;
      }
    }
    process.removeListener("exit", killOnExit);
    await new Promise<void>((resolve) => log.end(resolve));
    return ended;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) {
      await stop();
      throw new Error(`devsync serve exited before it was ready; see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${options.url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`devsync serve did not answer ${options.url}/healthz within ${options.readyTimeoutMs ?? 60_000} ms; see ${options.logFile}`);
    }
    await delay(200);
  }
  return { child, url: options.url, logFile: options.logFile, stop };
}

/** A port nobody listens on right now (for a port given as 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
