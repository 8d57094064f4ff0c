import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError } from "./runtime.js";

/** The whole of standard input, without the trailing newline (`--password-stdin`). */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Asks on the terminal without echoing, twice, so a typo cannot lock the first admin out. */
export async function promptNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError("no terminal to ask for a password on: pipe it in with --password-stdin", 2);
  }
  const first = await promptHidden("Password: ");
  const second = await promptHidden("Repeat password: ");
  if (first !== second) throw new CliError("the two passwords differ", 2);
  return first;
}

function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}
