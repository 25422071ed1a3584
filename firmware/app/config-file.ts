/**
 * `tsense.cfg`, the configuration `tsense provision` writes to the device's flash: a small
 * JSON object — {"name", "relay", "invitation", "interval", "wifi": {"ssid", "password"}},
 * optionally "kinds": "temperature,humidity" (report only those reading kinds).
 * Portable code has no JSON (Lua lacks it), so this reads exactly that shape: objects,
 * strings with escapes, integers. Anything else is an error naming the position.
 */
import { Bytes, toBinaryString } from "../port/bytes";

export const CONFIG_FILE = "tsense.cfg";

export class ProvisionedConfig {
  name: string;
  relay: string;
  invitation: string;
  intervalS: number;
  wifiSsid: string;
  wifiPassword: string;
  /** Reading kinds to report, comma-separated; "" = every kind the board measures. */
  kinds: string;
  constructor() {
    this.name = "";
    this.relay = "";
    this.invitation = "";
    this.intervalS = 60;
    this.wifiSsid = "";
    this.wifiPassword = "";
    this.kinds = "";
  }
}

class Cursor {
  s: string;
  i: number;
  constructor(s: string) {
    this.s = s;
    this.i = 0;
  }
  skip(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
        return;
      }
      this.i++;
    }
  }
  peek(): string {
    this.skip();
    return this.s.charAt(this.i);
  }
  expect(ch: string): void {
    if (this.peek() !== ch) {
      throw new Error("tsense.cfg: expected '" + ch + "' at " + this.i);
    }
    this.i++;
  }
}

function readString(c: Cursor): string {
  c.expect('"');
  let out = "";
  while (c.i < c.s.length) {
    const ch = c.s.charAt(c.i);
    c.i++;
    if (ch === '"') {
      return out;
    }
    if (ch === "\\") {
      const e = c.s.charAt(c.i);
      c.i++;
      if (e === "n") {
        out += "\n";
      } else if (e === "t") {
        out += "\t";
      } else if (e === '"' || e === "\\" || e === "/") {
        out += e;
      } else {
        throw new Error("tsense.cfg: unsupported escape \\" + e + " at " + c.i);
      }
    } else {
      out += ch;
    }
  }
  throw new Error("tsense.cfg: unterminated string");
}

function readInteger(c: Cursor): number {
  c.skip();
  let n = 0;
  let digits = 0;
  while (c.i < c.s.length) {
    const d = c.s.charCodeAt(c.i) - 48;
    if (d < 0 || d > 9) {
      break;
    }
    n = n * 10 + d;
    digits++;
    c.i++;
  }
  if (digits === 0) {
    throw new Error("tsense.cfg: expected a number at " + c.i);
  }
  return n;
}

/** Reads one object; `field` gets each key with a string or integer value, `nested` each sub-object. */
function readObject(c: Cursor, field: (k: string, s: string, n: number) => void, nested: (k: string) => void): void {
  c.expect("{");
  if (c.peek() === "}") {
    c.i++;
    return;
  }
  for (;;) {
    const key = readString(c);
    c.expect(":");
    const p = c.peek();
    if (p === '"') {
      field(key, readString(c), 0);
    } else if (p === "{") {
      nested(key);
    } else {
      field(key, "", readInteger(c));
    }
    const sep = c.peek();
    c.i++;
    if (sep === "}") {
      return;
    }
    if (sep !== ",") {
      throw new Error("tsense.cfg: expected ',' or '}' at " + (c.i - 1));
    }
  }
}

export function parseConfig(b: Bytes): ProvisionedConfig {
  const cfg = new ProvisionedConfig();
  const c = new Cursor(toBinaryString(b));
  readObject(
    c,
    (k, s, n) => {
      if (k === "name") {
        cfg.name = s;
      } else if (k === "relay") {
        cfg.relay = s;
      } else if (k === "invitation") {
        cfg.invitation = s;
      } else if (k === "interval") {
        cfg.intervalS = n;
      } else if (k === "kinds") {
        cfg.kinds = s;
      }
    },
    (k) => {
      readObject(
        c,
        (k2, s2) => {
          if (k === "wifi" && k2 === "ssid") {
            cfg.wifiSsid = s2;
          } else if (k === "wifi" && k2 === "password") {
            cfg.wifiPassword = s2;
          }
        },
        () => {
          throw new Error("tsense.cfg: objects nest only one level");
        },
      );
    },
  );
  if (cfg.name === "" || cfg.relay === "" || cfg.invitation === "") {
    throw new Error("tsense.cfg: name, relay and invitation are required (run tsense provision)");
  }
  if (cfg.intervalS < 1) {
    throw new Error("tsense.cfg: interval must be at least 1 s");
  }
  return cfg;
}
