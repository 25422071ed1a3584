/**
 * The fleet's embedded relay in a worker thread of its own (used when the devices run in
 * shards, i.e. for large fleets): the relay is a fifth of a round's CPU, and in the main
 * thread it queued behind the station's work and the fleet's accounting. Same surface as
 * RelayHost; every operation is answered by the worker, and a relay thread that dies
 * fails every operation after it with the reason.
 */
import { Worker } from "node:worker_threads";
import type { EmbeddedRelay } from "./relay-host";
import type { FromRelayThread, RelayOp, ToRelayThread } from "./relay-thread-protocol";
import { tsxWorkerUrl } from "./tsx-worker";

/** Longest the relay thread may take to start or to carry out one operation, wall ms. */
const RELAY_THREAD_ANSWER_MS = 60_000;

export class RelayThread implements EmbeddedRelay {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;
  private heap = 0;

  private constructor(
    private readonly worker: Worker,
    readonly address: string,
    readonly grpAddress: string,
  ) {
    worker.on("message", (m: FromRelayThread) => {
      if (m.type === "heap") this.heap = m.bytes;
      if (m.type !== "done") return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error === undefined) w?.resolve();
      else w?.reject(new Error(`relay thread: ${m.error}`));
    });
    const fail = (e: Error): void => {
      this.failed ??= e;
      for (const w of this.waiting.values()) w.reject(this.failed);
      this.waiting.clear();
    };
    worker.on("error", (e) => fail(new Error(`relay thread failed: ${e.message}`)));
    worker.on("exit", (code) => fail(new Error(`relay thread exited (code ${code})`)));
  }

  static async start(): Promise<RelayThread> {
    const worker = new Worker(tsxWorkerUrl(new URL("./relay-thread-worker.ts", import.meta.url)));
    try {
      const started = await new Promise<Extract<FromRelayThread, { type: "started" }>>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`the relay thread did not start within ${RELAY_THREAD_ANSWER_MS} ms`)), RELAY_THREAD_ANSWER_MS);
        worker.once("message", (m: FromRelayThread) => {
          clearTimeout(guard);
          if (m.type === "started") resolve(m);
          else reject(new Error(`relay thread: unexpected first message ${m.type}`));
        });
        worker.once("error", (e) => reject(new Error(`relay thread failed to start: ${e.message}`)));
        worker.once("exit", (code) => reject(new Error(`relay thread exited (code ${code}) before it started`)));
      });
      return new RelayThread(worker, started.address, started.grpAddress);
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  private ask(op: RelayOp): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`relay thread did not ${op} within ${RELAY_THREAD_ANSWER_MS} ms`));
      }, RELAY_THREAD_ANSWER_MS);
      const done = (f: () => void) => () => {
        clearTimeout(guard);
        f();
      };
      this.waiting.set(id, { resolve: done(resolve), reject: (e) => done(() => reject(e))() });
      this.worker.postMessage({ id, op } satisfies ToRelayThread);
    });
  }

  heapBytes(): number {
    return this.heap;
  }

  stop(): Promise<void> {
    return this.ask("stop");
  }

  resume(): Promise<void> {
    return this.ask("resume");
  }

  async close(): Promise<void> {
    try {
      if (this.failed === undefined) await this.ask("close");
    } finally {
      await this.worker.terminate();
    }
  }
}
