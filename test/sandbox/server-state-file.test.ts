import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createStateSaver, readStateFile, writeStateFile, type SandboxStateFile } from "../../src/sandbox/state-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "devsync-sandbox-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state = (n: number): SandboxStateFile => ({ version: 1, savedAt: "2025-01-01T00:00:00.000Z", clockOffsetMs: n, qbo: { n }, devpos: {} });

describe("sandbox state file", () => {
  it("reads back what it wrote, leaving no temp files, and reports a first run as undefined", async () => {
    const path = join(dir, "nested", "state.json");
    expect(await readStateFile(path)).toBeUndefined();
    await writeStateFile(path, state(5));
    expect(await readStateFile(path)).toEqual(state(5));
    expect(await readdir(join(dir, "nested"))).toEqual(["state.json"]);
  });

  it("refuses a corrupt or foreign file instead of starting empty over it", async () => {
    const path = join(dir, "state.json");
    await writeFile(path, "{not json");
    await expect(readStateFile(path)).rejects.toThrow(/not valid JSON/);
    await writeFile(path, JSON.stringify({ version: 7 }));
    await expect(readStateFile(path)).rejects.toThrow(/unsupported version/);
  });

  it("debounces saves and writes the latest state on stop", async () => {
    const path = join(dir, "state.json");
    let n = 0;
    const saver = createStateSaver({ path, collect: () => state(++n), debounceMs: 20 });
    saver.schedule();
    saver.schedule();
    saver.schedule();
    await new Promise((r) => setTimeout(r, 80));
    expect(JSON.parse(await readFile(path, "utf8")).clockOffsetMs).toBe(1);
    await saver.stop();
    expect(JSON.parse(await readFile(path, "utf8")).clockOffsetMs).toBe(2);
    saver.schedule();
    await new Promise((r) => setTimeout(r, 40));
    expect(n).toBe(2);
  });
});
