import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";

/** What `devsync sandbox --state FILE` keeps between runs: both simulators and the clock. */
export interface SandboxStateFile {
  version: 1;
  savedAt: string;
  clockOffsetMs: number;
  /** The seed the state was first created with; the demo credentials derive from it. */
  seed?: number;
  demo?: unknown;
  qbo: unknown;
  devpos: unknown;
}

/** undefined when the file does not exist yet (a first run); throws on anything unreadable. */
export async function readStateFile(path: string): Promise<SandboxStateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: Partial<SandboxStateFile>;
  try {
    parsed = JSON.parse(text) as Partial<SandboxStateFile>;
  } catch (error) {
    throw new Error(`sandbox state file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed.version !== 1) throw new Error(`sandbox state file ${path} has unsupported version ${String(parsed.version)}`);
  return parsed as SandboxStateFile;
}

/** Write a temp file next to the target, then rename: a crash mid-write never leaves half a file. */
export async function writeStateFile(path: string, state: SandboxStateFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(state), "utf8");
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface StateSaverOptions {
  path: string;
  collect: () => SandboxStateFile;
  /** Quiet period after a change before writing (default 500 ms). */
  debounceMs?: number;
  /** Safety net for changes no request announced, e.g. programmatic ones (default 30 s). */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface StateSaver {
  /** Notes a change; the write happens after the debounce. */
  schedule(): void;
  /** Writes now, after any write already in progress. */
  flush(): Promise<void>;
  /** Stops the timers and writes a last time. */
  stop(): Promise<void>;
}

/** Writes are chained so an older snapshot can never be renamed over a newer one. */
export function createStateSaver(options: StateSaverOptions): StateSaver {
  let chain: Promise<void> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;
  let stopped = false;
  const onError = options.onError ?? ((error) => console.error("sandbox: could not save state:", error));

  const flush = (): Promise<void> => {
    if (debounce) clearTimeout(debounce);
    debounce = undefined;
    const state = options.collect();
    chain = chain.then(() => writeStateFile(options.path, state)).catch(onError);
    return chain;
  };
  const interval = setInterval(() => void flush(), options.intervalMs ?? 30_000);
  interval.unref();

  return {
    schedule() {
      if (stopped) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => void flush(), options.debounceMs ?? 500);
      debounce.unref();
    },
    flush,
    async stop() {
      stopped = true;
      clearInterval(interval);
      await flush();
    },
  };
}
