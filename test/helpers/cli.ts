import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestTarget } from "./test-db.js";

/** The built CLI (`npm test` builds first, so tests run what users run). */
export const CLI = resolve(import.meta.dirname, "../../dist/cli/main.js");

export function tempDir(prefix = "devsync-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A clean environment: nothing from the developer's shell leaks into the child. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...extra };
}

export function databaseUrlOf(target: TestTarget): string {
  switch (target.dialect) {
    case "sqlite":
      return `sqlite:${target.file}`;
    case "postgres": {
      const url = new URL(target.url);
      url.searchParams.set("options", `-c search_path=${target.schema}`);
      return url.toString();
    }
    case "mysql":
      return target.url;
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`devsync ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 90_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Starts a long-running command and resolves once a stdout JSON log line matches. */
export function startCli(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  ready: (line: Record<string, unknown>) => boolean,
): Promise<{ child: ChildProcess; line: Record<string, unknown>; output: () => { stdout: string; stderr: string }; exited: Promise<CliResult> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let done = false;
    const exited = new Promise<CliResult>((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`devsync ${args.join(" ")} did not become ready\n${stdout}\n${stderr}`));
    }, 90_000);
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      if (done) return;
      for (const text of stdout.split("\n")) {
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (ready(line)) {
            done = true;
            clearTimeout(timer);
            resolvePromise({ child, line, output: () => ({ stdout, stderr }), exited });
            return;
          }
        } catch {
          // not a JSON line
        }
      }
    });
    void exited.then((result) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`devsync ${args.join(" ")} exited early (${result.code})\n${result.stdout}\n${result.stderr}`));
      }
    });
  });
}
