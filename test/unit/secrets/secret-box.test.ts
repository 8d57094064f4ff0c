import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addKeyToFile, createKeyFileLoader, ensureKeyFile } from "../../../src/secrets/key-file.js";
import { createKeyring, generateKeyBase64, keyFromBase64 } from "../../../src/secrets/keyring.js";
import { createSecretBox, SecretBoxError } from "../../../src/secrets/secret-box.js";

describe("secret box", () => {
  const key = keyFromBase64(generateKeyBase64());
  const box = createSecretBox(() => createKeyring(key));

  it("round-trips and never shows the plaintext", () => {
    const sealed = box.seal("hunter2-refresh-token", "qbo_connections.refresh_token_enc#1");
    expect(sealed).not.toContain("hunter2");
    expect(sealed.split(".")[1]).toBe(key.id);
    expect(box.open(sealed, "qbo_connections.refresh_token_enc#1")).toBe("hunter2-refresh-token");
  });

  it("uses a fresh IV every time", () => {
    expect(box.seal("same", "c")).not.toBe(box.seal("same", "c"));
  });

  it("refuses a value moved to another context, a tampered value and an unknown key", () => {
    const sealed = box.seal("token", "qbo_connections.access_token_enc#1");
    expect(() => box.open(sealed, "qbo_connections.access_token_enc#2")).toThrow(SecretBoxError);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString("base64url")].join("."), "qbo_connections.access_token_enc#1")).toThrow(
      SecretBoxError,
    );
    const other = createSecretBox(() => createKeyring(keyFromBase64(generateKeyBase64())));
    expect(() => other.open(sealed, "qbo_connections.access_token_enc#1")).toThrow(/not configured/);
    expect(() => box.open("plaintext", "x")).toThrow(SecretBoxError);
  });

  it("opens values of retired keys and reports them stale", () => {
    const next = keyFromBase64(generateKeyBase64());
    const rotated = createSecretBox(() => createKeyring(next, [key]));
    const old = box.seal("v", "c");
    expect(rotated.open(old, "c")).toBe("v");
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.seal("v", "c"))).toBe(false);
  });
});

describe("key file", () => {
  it("is created once with mode 0600, and a rotation is picked up by a running loader", () => {
    const file = join(mkdtempSync(join(tmpdir(), "devsync-key-")), "data", "secret.key");
    expect(ensureKeyFile(file)).toEqual({ created: true });
    expect(ensureKeyFile(file)).toEqual({ created: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const loader = createKeyFileLoader(file);
    const box = createSecretBox(loader);
    const before = box.seal("v", "c");
    const firstId = box.primaryKeyId();
    const newId = addKeyToFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(box.primaryKeyId()).toBe(newId);
    expect(newId).not.toBe(firstId);
    expect(box.open(before, "c")).toBe("v");
    expect(readFileSync(file, "utf8").trim().split("\n").filter((l) => !l.startsWith("#"))).toHaveLength(2);
  });
});
