/**
 * The compiled firmware the `--mix` devices boot: built once per board and target (as
 * `tsense build` builds it) into a directory of this process, then booted by every
 * artifact device that asks for it.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../../firmware/node/build";

export type ArtifactTarget = "lua" | "espruino";

const builds = new Map<string, Promise<string>>();
let outRoot: string | undefined;

/** The artifact's code (the Lua bundle or the Espruino bundle) for a board; builds on first use. */
export function artifactCode(board: string, target: ArtifactTarget): Promise<string> {
  const key = `${board}/${target}`;
  let code = builds.get(key);
  if (code === undefined) {
    outRoot ??= mkdtempSync(join(tmpdir(), "tsense-sim-artifacts-"));
    const out = outRoot;
    // The board's budget is `tsense build`'s business; the simulator runs what it builds.
    code = buildFirmware(board, target, out, false).then(() => readFileSync(join(out, board, target, target === "lua" ? "app.lua" : "app.js"), "latin1"));
    // A failed build is not cached: the next device (or run) tries again and reports it.
    code.catch(() => builds.delete(key));
    builds.set(key, code);
  }
  return code;
}
