/** Runs catalogue cases against one relay address with a pluggable transport. */
import type { CryptoProvider } from "../../firmware/crypto/provider";
import { CaseContext, CaseFailure, ConformanceCase } from "./cases";
import type { ConformanceTransport } from "./connection";
import { TestClient } from "./connection";

export interface CaseResult {
  id: string;
  title: string;
  ref: string;
  status: "passed" | "failed" | "skipped";
  message?: string;
  durationMs: number;
}

export interface RunOptions {
  address: string;
  transports: ConformanceTransport[];
  provider: CryptoProvider;
  cases: readonly ConformanceCase[];
  only?: string[];
  skip?: string[];
  caseTimeoutMs?: number;
  quotaLimit?: number;
  onResult?: (r: CaseResult) => void;
}

/** glob-ish selection: "syntax.*" matches by prefix, otherwise exact id */
export function matches(id: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith("*") ? id.startsWith(p.slice(0, -1)) : id === p || id.startsWith(p + ".")));
}

export async function runCases(o: RunOptions): Promise<CaseResult[]> {
  const scheme = o.address.slice(0, o.address.indexOf("://"));
  const transport = o.transports.find((t) => t.scheme === scheme);
  if (!transport) throw new Error(`no transport for ${scheme}:// (have: ${o.transports.map((t) => t.scheme).join(", ")})`);
  const results: CaseResult[] = [];
  for (const c of o.cases) {
    if (o.only?.length && !matches(c.id, o.only)) continue;
    const base = { id: c.id, title: c.title, ref: c.ref };
    if ((o.skip?.length && matches(c.id, o.skip)) || (c.schemes && !c.schemes.includes(scheme))) {
      const r: CaseResult = { ...base, status: "skipped", durationMs: 0, message: c.schemes && !c.schemes.includes(scheme) ? `not for ${scheme}://` : "--skip" };
      results.push(r);
      o.onResult?.(r);
      continue;
    }
    const clients: TestClient[] = [];
    const ctx: CaseContext = {
      address: o.address,
      transport,
      provider: o.provider,
      quotaLimit: o.quotaLimit ?? 1000,
      async connect(opts) {
        const conn = await transport.connect(o.address, opts);
        const t = new TestClient(conn, o.provider);
        clients.push(t);
        return t;
      },
    };
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let r: CaseResult;
    try {
      await Promise.race([
        c.run(ctx),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new CaseFailure(`case timed out after ${o.caseTimeoutMs ?? 30_000} ms`)), o.caseTimeoutMs ?? 30_000))),
      ]);
      r = { ...base, status: "passed", durationMs: performance.now() - start };
    } catch (e) {
      const msg = (e as Error).message;
      r = { ...base, status: msg.startsWith("skipped:") ? "skipped" : "failed", message: msg, durationMs: performance.now() - start };
    } finally {
      clearTimeout(timer);
      for (const t of clients) t.conn.close();
    }
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}
