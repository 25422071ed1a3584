// Real pseudo-terminal pairs through Debian's socat, to run the tools over the kernel's tty
// layer exactly as against a USB serial adapter. A pty carries no DTR/RTS (the ioctl fails),
// so boards behind a pty are reset by the test, not by the tool.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import type { Board } from "../emulator/board.js";

export interface PtyPair {
  /** The end the tool opens (like /dev/ttyUSB0). */
  hostPath: string;
  /** The end the emulated board sits on. */
  devicePath: string;
  close(): Promise<void>;
}

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "tsense-pty-"));
  const hostPath = join(dir, "host");
  const devicePath = join(dir, "device");
  let child: ChildProcess;
  try {
    child = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start socat (${e instanceof Error ? e.message : e}); install it: apt-get install socat`, { cause: e });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let spawnError: Error | null = null;
  child.once("error", (e) => { spawnError = e; });
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(hostPath) && existsSync(devicePath))) {
    if (spawnError) throw new Error(`cannot start socat (${(spawnError as Error).message}); install it: apt-get install socat`);
    if (Date.now() > deadline) { child.kill(); throw new Error("socat did not create the pty pair in time"); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hostPath, devicePath,
    close: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Put an emulated board on the device end of a pty pair. Returns a function that detaches it. */
export async function bridgeBoard(board: Board, devicePath: string): Promise<() => Promise<void>> {
  const port = new SerialPort({ path: devicePath, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  board.ignoreBaud = true;
  board.attachHost({
    onData: (bytes) => { port.write(Buffer.from(bytes)); },
    onDisconnect: () => { port.close(); },
  });
  port.on("data", (chunk: Buffer) => board.write(new Uint8Array(chunk)));
  return async () => {
    board.detachHost();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  };
}
