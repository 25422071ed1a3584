/**
 * The worker side of RelayThread: a RelayHost in this thread, driven by the fleet's
 * messages. Its sockets and CPU are this thread's, so the relay's work runs beside the
 * station (main thread) and the device shards instead of between them.
 */
import { parentPort } from "node:worker_threads";
import { RelayHost } from "./relay-host";
import type { FromRelayThread, ToRelayThread } from "./relay-thread-protocol";

const port = parentPort;
if (port === null) throw new Error("relay-thread-worker.ts runs only as a worker thread");
const heapBefore = process.memoryUsage().heapUsed;
const host = await RelayHost.start();
const post = (m: FromRelayThread): void => port.postMessage(m);
post({ type: "started", address: host.address, grpAddress: host.grpAddress });
const heapReport = setInterval(() => post({ type: "heap", bytes: Math.max(0, process.memoryUsage().heapUsed - heapBefore) }), 1000);
// one operation at a time, in the order they were asked for (stop before resume)
let queue: Promise<void> = Promise.resolve();
port.on("message", (m: ToRelayThread) => {
  queue = queue.then(async () => {
    let error: string | undefined;
    try {
      await host[m.op]();
    } catch (e) {
      error = (e as Error).message;
    }
    post({ type: "done", id: m.id, error });
    if (m.op === "close") {
      clearInterval(heapReport);
      port.close();
    }
  });
});
