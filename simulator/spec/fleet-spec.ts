/**
 * The fleet spec: what `tsense simulate` runs. Read from YAML or JSON, checked against
 * schema.json (ajv) and then semantically (durations > 0, names unique, boards known),
 * and normalised into `FleetSpec` (milliseconds, fractions, explicit defaults). Every
 * problem is one line naming the field and what was expected, e.g.
 * `devices[1].interval: expected a duration like "10s" or "5m", got "fast"`.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import type { ClockMode } from "../clock/scheduler";
import { Rng } from "../models/rng";
import { boardKinds, boardRunsArtifact, boardRuntimes } from "./board-kinds";
import { parseDuration } from "./duration";
import { type Artifact, type ArtifactMix, formatMix, parseMix } from "./mix";

export const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), "schema.json");

export const READING_KINDS = ["temperature", "humidity", "pressure", "illuminance", "battery"] as const;
export type ReadingKindName = (typeof READING_KINDS)[number];
export type Protocol = "grp" | "smp";
export type CryptoProviderName = "portable" | "noble" | "native";
export const FAULT_KINDS = ["link-loss", "latency", "relay-restart", "device-reboot", "clock-skew", "battery-drain", "sensor-stuck", "sensor-spike"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type RelayTarget = { kind: "embedded" } | { kind: "external"; scheme: Protocol; url: string };
export type MqttTarget = { kind: "embedded" } | { kind: "off" } | { kind: "external"; url: string };
/** Which devices a fault hits. */
export type DeviceSelector = { all: true } | { share: number } | { count: number } | { names: string[] };

export interface DeviceTemplate {
  /** Name pattern: `{n}` is the 1-based number within the template, `{n:3}` zero-padded. */
  name: string;
  board: string;
  /** Reading kinds to model; undefined = what the board's sensors measure. */
  sensors: ReadingKindName[] | undefined;
  intervalMs: number;
  protocol: Protocol;
  crypto: CryptoProviderName;
  count: number;
}

export interface FaultSpec {
  kind: FaultKind;
  /** Start, ms; undefined = placed at random (count times). */
  atMs: number | undefined;
  /** Length, ms (windows; relay restart downtime; stuck time). */
  forMs: number | undefined;
  count: number;
  devices: DeviceSelector;
  latencyMs: number;
  jitterMs: number;
  ppm: number;
  offsetMs: number;
  drainPerHour: number;
  powerCut: boolean;
  sensor: ReadingKindName | undefined;
  magnitude: number;
}

export interface FleetSpec {
  seed: string;
  durationMs: number;
  /** Time of day at virtual time 0, ms after midnight (drives the diurnal cycle). */
  timeOfDayMs: number;
  clock: ClockMode;
  relay: RelayTarget;
  mqtt: MqttTarget;
  mix: ArtifactMix;
  devices: DeviceTemplate[];
  faults: FaultSpec[];
  /** Worker threads for the devices (0: none); "auto" or absent: one per core from 500 devices. */
  workers?: number | "auto";
}

/** The DevKitC-1 with PSRAM: it lists both runtimes, so `--mix lua=…` works on the default fleet (the N8 cannot hold the Lua app). */
export const DEFAULT_BOARD = "esp32-s3-devkitc-1-n8r8";

export const DEFAULT_TEMPLATE: DeviceTemplate = {
  name: "dev-{n:3}",
  board: DEFAULT_BOARD,
  sensors: undefined,
  intervalMs: 10_000,
  protocol: "grp",
  crypto: "native",
  count: 100,
};

/** The default run of issue 7: 100 devices for 60 s, embedded relay, station and broker, real time. */
export function defaultSpec(): FleetSpec {
  return {
    seed: "tsense",
    durationMs: 60_000,
    timeOfDayMs: 12 * 3_600_000,
    clock: { mode: "realtime" },
    relay: { kind: "embedded" },
    mqtt: { kind: "embedded" },
    mix: { lua: 0, espruino: 0 },
    devices: [{ ...DEFAULT_TEMPLATE }],
    faults: [],
  };
}

/** A spec problem (one line per problem in `problems`). */
export class SpecError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`}`);
  }
}

export interface SpecOptions {
  /** Known board ids; when given, unknown boards are an error. */
  boards?: string[];
  /** The reading kinds a board measures (default: from the board definitions); throws for an unknown board. */
  boardKinds?: (board: string) => string[];
}

let compiled: ReturnType<Ajv["compile"]> | undefined;

function validator(): ReturnType<Ajv["compile"]> {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    ajv.addKeyword({ keyword: "expected", schemaType: "string" });
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  }
  return compiled;
}

/** Reads a .yaml/.yml/.json spec file. Throws SpecError. */
export function loadSpecFile(path: string, options: SpecOptions = {}): FleetSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SpecError(path, [`cannot read: ${(e as Error).message}`]);
  }
  return parseSpecText(text, path, options);
}

/** Parses YAML (a superset of JSON) text. Throws SpecError. */
export function parseSpecText(text: string, source: string, options: SpecOptions = {}): FleetSpec {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new SpecError(source, [`not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}`]);
  }
  if (data === null || data === undefined) data = {};
  return specFromData(data, source, options);
}

/** Validates and normalises parsed data. Throws SpecError. */
export function specFromData(data: unknown, source: string, options: SpecOptions = {}): FleetSpec {
  const problems = validateSpecData(data);
  if (problems.length > 0) throw new SpecError(source, problems);
  let spec: FleetSpec;
  try {
    spec = normalise(data as RawSpec);
  } catch (e) {
    // Values the schema lets through but a parser refuses (a mix above 100%).
    throw new SpecError(source, [(e as Error).message]);
  }
  const semantic = checkSpec(spec, options);
  if (semantic.length > 0) throw new SpecError(source, semantic);
  return spec;
}

/** Schema problems, one readable line each (empty when valid). */
export function validateSpecData(data: unknown): string[] {
  const v = validator();
  if (v(data)) return [];
  return schemaMessages(v.errors ?? []);
}

/** "/devices/1/interval" → "devices[1].interval". */
export function fieldPath(pointer: string): string {
  if (pointer === "") return "(top level)";
  let out = "";
  for (const part of pointer.slice(1).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : out === "" ? key : `.${key}`;
  }
  return out;
}

function got(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function schemaMessages(errors: ErrorObject[]): string[] {
  // Fields whose schema says what it expects get one line, whatever went wrong inside.
  const expectedAt = new Map<string, { expected: string; data: unknown }>();
  for (const e of errors) {
    const ps = e.parentSchema as { expected?: string } | undefined;
    if (ps?.expected !== undefined && !expectedAt.has(e.instancePath)) expectedAt.set(e.instancePath, { expected: ps.expected, data: e.data });
  }
  const out: string[] = [];
  const add = (line: string): void => {
    if (!out.includes(line)) out.push(line);
  };
  const branchNoise = new Set<string>();
  for (const [path, x] of [...expectedAt]) {
    // An object of the right shape with a missing or unknown field: say that instead.
    const specific = errors.some((e) => (e.keyword === "required" || e.keyword === "additionalProperties") && (e.instancePath === path || e.instancePath.startsWith(`${path}/`)));
    if (specific && typeof x.data === "object" && x.data !== null) {
      expectedAt.delete(path);
      branchNoise.add(path);
      continue;
    }
    add(`${fieldPath(path)}: expected ${x.expected}, got ${got(x.data)}`);
  }
  const covered = (path: string): boolean => {
    for (const p of expectedAt.keys()) if (path === p || path.startsWith(`${p}/`)) return true;
    return false;
  };
  for (const e of errors) {
    if (["oneOf", "anyOf", "if", "allOf"].includes(e.keyword)) continue;
    const at = fieldPath(e.instancePath);
    const child = (k: string): string => (at === "(top level)" ? k : `${at}.${k}`);
    if (e.keyword === "required") {
      add(`${child(String(e.params.missingProperty))}: is required${requiredWhy(e)}`);
    } else if (e.keyword === "additionalProperties") {
      const props = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      add(`${child(String(e.params.additionalProperty))}: unknown field (known: ${props.join(", ")})`);
    } else if (covered(e.instancePath) || branchNoise.has(e.instancePath)) {
      continue;
    } else if (e.keyword === "enum") {
      add(`${at}: expected one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${got(e.data)}`);
    } else if (e.keyword === "const") {
      add(`${at}: expected ${JSON.stringify(e.params.allowedValue)}, got ${got(e.data)}`);
    } else if (e.keyword === "type") {
      add(`${at}: expected ${article(String(e.params.type))}, got ${got(e.data)}`);
    } else {
      add(`${at}: ${e.message ?? e.keyword}, got ${got(e.data)}`);
    }
  }
  return out;
}

function requiredWhy(e: ErrorObject): string {
  const kind = (e.data as { kind?: unknown } | undefined)?.kind;
  return typeof kind === "string" ? ` for a ${kind} fault` : "";
}

function article(type: string): string {
  const t = type.replace(/,/g, " or ");
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

interface RawTemplate {
  name?: string;
  board?: string;
  sensors?: ReadingKindName[];
  interval?: string;
  protocol?: Protocol;
  crypto?: CryptoProviderName;
  count?: number;
}

interface RawFault {
  kind: FaultKind;
  at?: string;
  for?: string;
  count?: number;
  devices?: "all" | string | number | string[];
  latency?: string;
  jitter?: string;
  ppm?: number;
  offset?: string;
  drainPerHour?: number;
  powerCut?: boolean;
  sensor?: ReadingKindName;
  magnitude?: number;
}

interface RawSpec {
  seed?: string | number;
  duration?: string;
  timeOfDay?: string;
  clock?: "realtime" | "stepped" | { mode: "realtime" | "accelerated" | "stepped"; speed?: number };
  relay?: string;
  mqtt?: string;
  mix?: string;
  devices?: RawTemplate[];
  faults?: RawFault[];
  workers?: number | "auto";
}

function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) as number);
}

function normalise(raw: RawSpec): FleetSpec {
  const d = defaultSpec();
  const spec: FleetSpec = {
    seed: raw.seed === undefined ? d.seed : String(raw.seed),
    durationMs: ms(raw.duration, d.durationMs),
    timeOfDayMs: raw.timeOfDay === undefined ? d.timeOfDayMs : Number(raw.timeOfDay.slice(0, 2)) * 3_600_000 + Number(raw.timeOfDay.slice(3)) * 60_000,
    clock: clockOf(raw.clock),
    ...(raw.workers === undefined ? {} : { workers: raw.workers }),
    relay: relayOf(raw.relay ?? "embedded"),
    mqtt: mqttOf(raw.mqtt ?? "embedded"),
    mix: raw.mix === undefined ? d.mix : parseMix(raw.mix),
    devices: (raw.devices ?? [{}]).map((t) => ({
      name: t.name ?? DEFAULT_TEMPLATE.name,
      board: t.board ?? DEFAULT_TEMPLATE.board,
      sensors: t.sensors,
      intervalMs: ms(t.interval, DEFAULT_TEMPLATE.intervalMs),
      protocol: t.protocol ?? DEFAULT_TEMPLATE.protocol,
      crypto: t.crypto ?? DEFAULT_TEMPLATE.crypto,
      count: t.count ?? (raw.devices === undefined ? DEFAULT_TEMPLATE.count : 1),
    })),
    faults: (raw.faults ?? []).map(faultOf),
  };
  return spec;
}

function clockOf(raw: RawSpec["clock"]): ClockMode {
  if (raw === undefined || raw === "realtime") return { mode: "realtime" };
  if (raw === "stepped") return { mode: "stepped" };
  if (raw.mode === "accelerated") return { mode: "accelerated", speed: raw.speed as number };
  return { mode: raw.mode };
}

export function relayOf(text: string): RelayTarget {
  if (text === "embedded") return { kind: "embedded" };
  const m = /^(smp|grp):\/\/.+/.exec(text);
  if (m === null) throw new Error(`relay: expected "embedded" or an address like "grp://127.0.0.1:5224", got ${JSON.stringify(text)}`);
  return { kind: "external", scheme: m[1] as Protocol, url: text };
}

export function mqttOf(text: string): MqttTarget {
  if (text === "embedded") return { kind: "embedded" };
  if (text === "off") return { kind: "off" };
  if (!/^mqtts?:\/\/.+/.test(text)) throw new Error(`mqtt: expected "embedded", "off" or a URL like "mqtt://127.0.0.1:1883", got ${JSON.stringify(text)}`);
  return { kind: "external", url: text };
}

function selectorOf(raw: RawFault["devices"]): DeviceSelector {
  if (raw === undefined || raw === "all") return { all: true };
  if (typeof raw === "number") return { count: raw };
  if (typeof raw === "string") return { share: Number(raw.slice(0, -1)) / 100 };
  return { names: raw };
}

function faultOf(f: RawFault): FaultSpec {
  return {
    kind: f.kind,
    atMs: f.at === undefined ? undefined : (parseDuration(f.at) as number),
    forMs: f.for === undefined ? undefined : (parseDuration(f.for) as number),
    count: f.count ?? 1,
    devices: selectorOf(f.devices),
    latencyMs: ms(f.latency, 0),
    jitterMs: ms(f.jitter, 0),
    ppm: f.ppm ?? 0,
    offsetMs: ms(f.offset, 0),
    drainPerHour: f.drainPerHour ?? 0,
    powerCut: f.powerCut ?? true,
    sensor: f.sensor,
    magnitude: f.magnitude ?? 0,
  };
}

/** Checks a schema cannot express. Also run after CLI overrides. */
export function checkSpec(spec: FleetSpec, options: SpecOptions = {}): string[] {
  const problems: string[] = [];
  if (!(spec.durationMs > 0)) problems.push(`duration: must be longer than 0, got ${spec.durationMs} ms`);
  if (spec.clock.mode === "accelerated" && !(spec.clock.speed > 0)) problems.push(`clock.speed: expected a number > 0, got ${spec.clock.speed}`);
  if (spec.mix.lua + spec.mix.espruino > 1 + 1e-9) problems.push("mix: shares add up to more than 100%");
  const names = new Map<string, number>();
  spec.devices.forEach((t, i) => {
    if (!(t.intervalMs > 0)) problems.push(`devices[${i}].interval: must be longer than 0`);
    if (t.count > 1 && !t.name.includes("{n")) {
      problems.push(`devices[${i}].name: ${JSON.stringify(t.name)} names ${t.count} devices; add {n} for their number`);
      return;
    }
    if (options.boards !== undefined && !options.boards.includes(t.board)) {
      problems.push(`devices[${i}].board: unknown board ${JSON.stringify(t.board)} (known: ${options.boards.join(", ")})`);
    }
    if (t.sensors !== undefined) problems.push(...sensorProblems(t, i, options));
    for (let n = 1; n <= t.count; n++) {
      const name = deviceName(t.name, n);
      const other = names.get(name);
      if (other !== undefined) {
        problems.push(`devices[${i}].name: device name ${JSON.stringify(name)} also comes from devices[${other}]`);
        break;
      }
      names.set(name, i);
    }
  });
  if (totalDevices(spec) === 0) problems.push("devices: the fleet has no devices (every count is 0)");
  const mixed = mixCounts(spec);
  if (mixed.lua + mixed.espruino > 0 && problems.length === 0) {
    const left = assignMix(spec, expandDevices({ ...spec, mix: { lua: 0, espruino: 0 } }));
    if (left.lua + left.espruino > 0) {
      const want = [mixed.lua > 0 ? `${mixed.lua} Lua` : "", mixed.espruino > 0 ? `${mixed.espruino} Espruino` : ""].filter((x) => x !== "").join(" and ");
      const placed = [mixed.lua > 0 ? `${mixed.lua - left.lua} Lua` : "", mixed.espruino > 0 ? `${mixed.espruino - left.espruino} Espruino` : ""].filter((x) => x !== "").join(" and ");
      const boards = [...new Set(spec.devices.filter(canRunArtifact).map((t) => t.board))].map((b) => `${b} runs ${boardRuntimes(b).join(", ") || "none"}`);
      problems.push(
        `mix: ${formatMix(spec.mix)} asks for ${want} devices, but only ${placed} can be placed: an artifact needs a template with ` +
          `protocol grp and a whole-second interval, on a board whose definition lists the runtime` +
          (boards.length > 0 ? ` (${boards.join("; ")})` : " (no template qualifies)"),
      );
    }
  }
  spec.faults.forEach((f, i) => {
    if (f.atMs !== undefined && f.atMs >= spec.durationMs) problems.push(`faults[${i}].at: ${f.atMs} ms is not before the end of the run (${spec.durationMs} ms)`);
    if (f.forMs !== undefined && !(f.forMs > 0)) problems.push(`faults[${i}].for: must be longer than 0`);
    if (f.atMs !== undefined && f.count > 1) problems.push(`faults[${i}]: give either at (one fixed time) or count (random times), not both`);
    if ("share" in f.devices && f.devices.share > 1) problems.push(`faults[${i}].devices: share above 100%`);
    if ("names" in f.devices) {
      for (const n of f.devices.names) if (!names.has(n)) problems.push(`faults[${i}].devices: no device named ${JSON.stringify(n)}`);
    }
    if ((f.kind === "link-loss" || f.kind === "latency" || f.kind === "sensor-stuck") && f.forMs === undefined) {
      problems.push(`faults[${i}].for: is required for a ${f.kind} fault (how long it lasts)`);
    }
  });
  return problems;
}

/** A template's sensor subset must name kinds its board measures. */
function sensorProblems(t: DeviceTemplate, i: number, options: SpecOptions): string[] {
  const sensors = t.sensors ?? [];
  if (sensors.length === 0) return [`devices[${i}].sensors: lists no reading kinds (leave it out for the board's full set)`];
  let kinds: string[];
  try {
    kinds = (options.boardKinds ?? boardKinds)(t.board);
  } catch (e) {
    // An unknown board is reported by the boards check when the caller gave the list.
    return options.boards === undefined ? [`devices[${i}].board: ${(e as Error).message}`] : [];
  }
  const missing = sensors.filter((k) => !kinds.includes(k));
  if (missing.length === 0) return [];
  return [`devices[${i}].sensors: board ${JSON.stringify(t.board)} cannot measure ${missing.join(", ")} (it measures ${kinds.join(", ")})`];
}

export function totalDevices(spec: FleetSpec): number {
  return spec.devices.reduce((a, t) => a + t.count, 0);
}

/** Expands a name pattern for the n-th device (1-based) of a template. */
export function deviceName(pattern: string, n: number): string {
  return pattern.replace(/\{n(?::([0-9]))?\}/, (_m, width: string | undefined) => String(n).padStart(width === undefined ? 0 : Number(width), "0"));
}

/** One concrete device of the fleet. */
export interface DevicePlan {
  /** 0-based index in the whole fleet (the key for models, faults and metrics). */
  index: number;
  name: string;
  template: number;
  board: string;
  sensors: ReadingKindName[] | undefined;
  intervalMs: number;
  protocol: Protocol;
  crypto: CryptoProviderName;
  artifact: Artifact;
  /** First reading's offset in [0, interval), spread by the seed so devices do not beat in step. */
  phaseMs: number;
}

/** Every device of the fleet, in template order; the artifact mix is assigned by a seeded shuffle. */
export function expandDevices(spec: FleetSpec): DevicePlan[] {
  const out: DevicePlan[] = [];
  spec.devices.forEach((t, ti) => {
    for (let n = 1; n <= t.count; n++) {
      const index = out.length;
      out.push({
        index,
        name: deviceName(t.name, n),
        template: ti,
        board: t.board,
        sensors: t.sensors,
        intervalMs: t.intervalMs,
        protocol: t.protocol,
        crypto: t.crypto,
        artifact: "node",
        phaseMs: Math.floor(Rng.of(spec.seed, "phase", index).next() * t.intervalMs),
      });
    }
  });
  assignMix(spec, out);
  return out;
}

/**
 * Draws the mix (seeded) from the devices an artifact can run on, Lua first; returns how
 * many of each it could not place.
 */
function assignMix(spec: FleetSpec, plans: DevicePlan[]): { lua: number; espruino: number } {
  const left = mixCounts(spec);
  if (left.lua + left.espruino === 0) return left;
  const order = Rng.of(spec.seed, "mix").shuffle(plans.filter((d) => canRunArtifact(spec.devices[d.template])).map((d) => d.index));
  for (const i of order) {
    const p = plans[i];
    if (left.lua > 0 && boardRunsArtifact(p.board, "lua")) {
      p.artifact = "lua";
      left.lua--;
    } else if (left.espruino > 0 && boardRunsArtifact(p.board, "espruino")) {
      p.artifact = "espruino";
      left.espruino--;
    }
  }
  return left;
}

/** How many devices the mix runs as each artifact: its shares of the whole fleet, rounded. */
export function mixCounts(spec: FleetSpec): { lua: number; espruino: number } {
  const total = totalDevices(spec);
  return { lua: Math.round(spec.mix.lua * total), espruino: Math.round(spec.mix.espruino * total) };
}

/**
 * Whether a template's devices can be drawn for the artifact mix: the compiled firmware
 * talks GRP and reads a whole-second interval from its configuration.
 */
export function canRunArtifact(t: DeviceTemplate): boolean {
  return t.protocol === "grp" && t.intervalMs % 1000 === 0;
}
