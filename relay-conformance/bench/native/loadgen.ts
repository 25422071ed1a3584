/**
 * The native load generator (loadgen.c) as a child process: one command per line on its
 * stdin, one JSON line back per command. Each instance holds one set of connections (a TCP
 * or TLS block echo, or SMP queues on a relay), kept open between measuring periods.
 */
import { spawn, ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { parseServerAddress, serverPort } from "../../../firmware/transport/smp/server-address";

export interface LoadgenRun {
  count: number;
  elapsedS: number;
  /** after the period: until every connection finished its last message */
  drainS: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU (user + system) of the load generator during the period */
  cpuUs: number;
  errors: number;
  firstError: string;
}

export interface LoadgenConnected {
  conns: number;
  setupMs: number;
  version: number;
  tls: string;
}

function base64url(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

export class NativeLoadgen {
  private readonly child: ChildProcess;
  private readonly waiting: ((line: string) => void)[] = [];
  private exited: string | undefined;

  constructor(binary: string) {
    this.child = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
    createInterface({ input: this.child.stdout! }).on("line", (line) => this.waiting.shift()?.(line));
    this.child.on("exit", (code, signal) => {
      this.exited = `native load generator exited (${signal ?? code})`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  private command<T>(line: string): Promise<T> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => {
        const r = JSON.parse(reply) as T & { error?: string };
        if (r.error !== undefined) reject(new Error(r.error));
        else resolve(r);
      });
      this.child.stdin!.write(line + "\n");
    });
  }

  /** Connections to a block echo server (each sends a 16 KiB block and waits for it back). */
  connectEcho(kind: "tcp-echo" | "tls-echo", port: number, conns: number): Promise<LoadgenConnected> {
    return this.command(`connect ${kind} 127.0.0.1 ${port} ${conns}`);
  }

  /** TLS + SMP handshake + one subscribed queue (NEW) per connection. */
  connectSmp(address: string, conns: number, bodyBytes: number): Promise<LoadgenConnected> {
    const a = parseServerAddress(address);
    if (!a.ok) return Promise.reject(new Error(a.error));
    const host = a.value.hosts[0] === "localhost" ? "127.0.0.1" : a.value.hosts[0];
    return this.command(`connect smp ${host} ${serverPort(a.value)} ${base64url(a.value.keyHash as Uint8Array)} ${conns} ${bodyBytes}`);
  }

  /** One measuring period of the connected workload (returns after the drain). */
  run(seconds: number): Promise<LoadgenRun> {
    return this.command(`run ${seconds}`);
  }

  quit(): void {
    if (this.exited === undefined) this.child.stdin!.end("quit\n");
  }
}
