/**
 * An in-process MQTT broker (aedes) on 127.0.0.1 for simulations and tests, so nothing has to
 * be installed. aedes speaks MQTT 3.1.1 only: clients must use protocolVersion 4.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
  url: string;
  port: number;
  broker: Aedes;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(o: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
  const host = o.host ?? "127.0.0.1";
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    broker.handle(s);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    await new Promise<void>((r) => broker.close(() => r()));
    throw new Error(`embedded MQTT broker: cannot listen on ${host}:${o.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  const port = (server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    broker,
    close: () => {
      closed ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        for (const s of sockets) s.destroy();
        await stopped;
        await new Promise<void>((r) => broker.close(() => r()));
      })();
      return closed;
    },
  };
}
