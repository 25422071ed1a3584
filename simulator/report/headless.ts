/**
 * Opens a report in headless Chromium (Debian's `chromium`; CI installs it) through its
 * command line only: `--dump-dom` for the rendered DOM and `--screenshot` for a PNG, each
 * with a fresh profile and every background network feature off. `pngStats` decodes the
 * screenshot (8-bit RGB/RGBA, no interlace: what Chromium writes) to tell a drawn page
 * from a blank one.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"];

/** The Chromium binary: $CHROMIUM if set, else the usual Debian paths; undefined if none. */
export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM;
  if (env !== undefined && env !== "") return existsSync(env) ? env : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export interface ChromiumRender {
  dom: string;
  /** Console errors and uncaught exceptions Chromium logged while loading the page. */
  consoleErrors: string[];
  png: Buffer;
}

function run(chromium: string, args: string[], timeoutMs: number): { stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), "tsense-chromium-"));
  try {
    const r = spawnSync(chromium, [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
    if (r.error !== undefined) throw new Error(`chromium: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status ?? r.signal}: ${r.stderr.split("\n").slice(-5).join(" | ")}`);
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Loads `htmlPath` twice: once for the DOM, once for a screenshot of `width`×`height`. */
export function renderInChromium(chromium: string, htmlPath: string, options: { width?: number; height?: number; timeoutMs?: number } = {}): ChromiumRender {
  const url = pathToFileURL(htmlPath).href;
  const timeout = options.timeoutMs ?? 60_000;
  const dom = run(chromium, ["--dump-dom", url], timeout);
  const dir = mkdtempSync(join(tmpdir(), "tsense-shot-"));
  try {
    const shot = join(dir, "shot.png");
    const s = run(chromium, [`--screenshot=${shot}`, `--window-size=${options.width ?? 1000},${options.height ?? 1400}`, url], timeout);
    const consoleErrors = `${dom.stderr}\n${s.stderr}`.split("\n").filter((l) => /CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError/.test(l));
    return { dom: dom.stdout, consoleErrors, png: readFileSync(shot) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PngStats {
  width: number;
  height: number;
  /** Distinct colours (counting stops at 4096). */
  colours: number;
  /** Share of pixels that are not (near) white. */
  inkFraction: number;
}

export function pngStats(png: Buffer): PngStats {
  if (png.length < 33 || png.toString("latin1", 1, 4) !== "PNG") throw new Error("pngStats: not a PNG");
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("latin1", off + 4, off + 8);
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const colourType = body[9];
      if (depth !== 8 || body[12] !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`pngStats: only 8-bit RGB/RGBA without interlace (depth ${depth}, type ${colourType})`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === "IDAT") {
      idat.push(body);
    } else if (type === "IEND") {
      break;
    }
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  const colours = new Set<number>();
  let ink = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >>> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const r = cur[x * channels];
      const g = cur[x * channels + 1];
      const bl = cur[x * channels + 2];
      if (colours.size < 4096) colours.add((r << 16) | (g << 8) | bl);
      if (r < 240 || g < 240 || bl < 240) ink++;
    }
    prev.set(cur);
  }
  return { width, height, colours: colours.size, inkFraction: width * height === 0 ? 0 : ink / (width * height) };
}
