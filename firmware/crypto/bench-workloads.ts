/**
 * The crypto benchmark's workloads, in portable code so that the same operations on the
 * same inputs are timed on Node (every provider) and inside the Lua build. Each workload
 * prepares its inputs once (which may call the provider, e.g. sign before timing verify)
 * and returns the operation to time; a provider that lacks the primitive throws there.
 */
import { Bytes, alloc } from "../port/bytes";
import { CryptoProvider } from "./provider";

/** The timed operation; returns nothing so nothing is kept alive between runs. */
export type BenchOp = () => void;
export type BenchSetup = (p: CryptoProvider) => BenchOp;

export class Workload {
  /** Row name, e.g. "sha256 1KiB". */
  name: string;
  /** Provider family it exercises (matches nativePrimitives in crypto/node/native.ts). */
  family: string;
  /** Bytes processed per operation (reported as MB/s), or 0 to report operations/s. */
  bytes: number;
  setup: BenchSetup;
  constructor(name: string, family: string, bytes: number, setup: BenchSetup) {
    this.name = name;
    this.family = family;
    this.bytes = bytes;
    this.setup = setup;
  }
}

/** n deterministic bytes (not random: the same on every target). */
function pattern(n: number, salt: number): Bytes {
  const b = alloc(n);
  for (let i = 0; i < n; i++) {
    b[i] = (i * 7 + salt * 13 + 1) & 0xff;
  }
  return b;
}

const MSG = 1024;

export function benchWorkloads(): Workload[] {
  const msg = pattern(MSG, 1);
  const key = pattern(32, 2);
  const empty = alloc(0);
  const w: Workload[] = [];
  w.push(new Workload("sha256 1KiB", "sha256", MSG, (p) => () => void p.sha256(msg)));
  w.push(new Workload("sha512 1KiB", "sha512", MSG, (p) => () => void p.sha512(msg)));
  w.push(new Workload("blake2s 1KiB", "blake2s", MSG, (p) => () => void p.blake2s(msg, 32, empty)));
  w.push(new Workload("sha3-256 1KiB", "sha3_256", MSG, (p) => () => void p.sha3_256(msg)));
  w.push(new Workload("hmac-sha256 64B", "hmacSha256", 0, (p) => {
    const m = pattern(64, 3);
    return () => void p.hmacSha256(key, m);
  }));
  w.push(new Workload("hkdf-sha256 32B", "hkdfSha256", 0, (p) => {
    const salt = pattern(32, 4);
    const info = pattern(16, 5);
    return () => void p.hkdfSha256(key, salt, info, 32);
  }));
  w.push(new Workload("chacha20poly1305 1KiB", "chacha20poly1305", MSG, (p) => {
    const nonce = pattern(12, 6);
    return () => void p.chacha20poly1305Seal(key, nonce, empty, msg);
  }));
  w.push(new Workload("secretbox 1KiB", "secretbox", MSG, (p) => {
    const nonce = pattern(24, 7);
    return () => void p.secretboxSeal(key, nonce, msg);
  }));
  w.push(new Workload("aes256gcm 1KiB", "aes256gcm", MSG, (p) => {
    const iv = pattern(12, 8);
    return () => void p.aes256gcmSeal(key, iv, empty, msg);
  }));
  w.push(new Workload("x25519", "x25519", 0, (p) => {
    const u = p.x25519PublicKey(pattern(32, 9));
    return () => void p.x25519(key, u);
  }));
  w.push(new Workload("ed25519 sign 64B", "ed25519", 0, (p) => {
    const m = pattern(64, 10);
    return () => void p.ed25519Sign(key, m);
  }));
  w.push(new Workload("ed25519 verify 64B", "ed25519", 0, (p) => {
    const m = pattern(64, 10);
    const pub = p.ed25519PublicKey(key);
    const sig = p.ed25519Sign(key, m);
    return () => {
      if (!p.ed25519Verify(pub, m, sig)) {
        throw new Error("ed25519 verify: valid signature rejected");
      }
    };
  }));
  w.push(new Workload("mlkem768 keygen", "mlkem768", 0, (p) => {
    const seed = pattern(64, 11);
    return () => void p.mlkem768Keygen(seed);
  }));
  w.push(new Workload("mlkem768 encaps", "mlkem768", 0, (p) => {
    const kp = p.mlkem768Keygen(pattern(64, 11));
    const m = pattern(32, 12);
    return () => void p.mlkem768Encapsulate(kp.publicKey, m);
  }));
  w.push(new Workload("mlkem768 decaps", "mlkem768", 0, (p) => {
    const kp = p.mlkem768Keygen(pattern(64, 11));
    const ct = p.mlkem768Encapsulate(kp.publicKey, pattern(32, 12)).ciphertext;
    return () => void p.mlkem768Decapsulate(kp.secretKey, ct);
  }));
  return w;
}

export class Measurement {
  iterations: number;
  seconds: number;
  constructor(iterations: number, seconds: number) {
    this.iterations = iterations;
    this.seconds = seconds;
  }
}

/**
 * Runs op for a quarter of `budget` to warm up (JIT, caches), then repeatedly until
 * `budget` seconds of `now()` have passed; at least one timed run.
 */
export function measure(op: BenchOp, budget: number, now: () => number): Measurement {
  const warm = now();
  op();
  while (now() - warm < budget / 4) {
    op();
  }
  const start = now();
  let n = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    op();
    n++;
    elapsed = now() - start;
  }
  return new Measurement(n, elapsed);
}
