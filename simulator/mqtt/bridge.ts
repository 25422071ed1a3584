/**
 * The MQTT bridge: publishes what a station receives for Home Assistant and anything else
 * that speaks MQTT. See docs/mqtt.md for topics and payloads.
 *
 * Use (this is how `tsense simulate` is meant to start it):
 *
 *   const b = await startBridge({ station, embedded: true });          // aedes on 127.0.0.1, port chosen
 *   const b = await startBridge({ station, mqttUrl: "mqtt://ha.local:1883", protocolVersion: 5,
 *                                 username, password });               // an external broker
 *   b.url; b.bridge.stats; await b.close();                             // close stops an embedded broker too
 *
 * `station` is anything with `onRecord(listener)` delivering StationRecords (a Station, or a
 * fake source in tests). Options of MqttBridge (offline timing, topics, queue size) pass through.
 *
 * Per device it publishes:
 *  - `<base>/<device>/state` (QoS 1, retained by default): one JSON message per reading batch
 *    (see StateBatch), carrying the latest value of every kind the device has reported;
 *  - retained discovery configs at `<prefix>/sensor/<device>/<kind>/config` the first time a
 *    kind appears, again when the firmware version changes, on every (re)connect and when
 *    `<prefix>/status` says `online` (Home Assistant restarted);
 *  - retained `<base>/<device>/availability`: online on a reading or status report, offline
 *    after a silence of `offlineAfterIntervals` × the device's reporting interval.
 * And `<base>/bridge/availability`: online while connected, offline on close and, through the
 * MQTT Last Will, when the bridge dies.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { ReadingRecord, StationRecord } from "../station/records";
import { KIND_INFO } from "../station/units";
import { sensorConfig, type DeviceInfo, type DiscoveryMeta } from "./discovery";
import { DEFAULT_BASE_TOPIC, DEFAULT_DISCOVERY_PREFIX, DeviceIds, OFFLINE, ONLINE, sanitizeId, topics, type Topics } from "./topics";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker";

/** Where records come from: a Station, or any source with the same listener method. */
export interface RecordSource {
  onRecord(listener: (r: StationRecord) => void): void;
}

export interface MqttBridgeOptions {
  /** mqtt://host:port (also mqtts://, ws://, wss://). */
  mqttUrl: string;
  /** 4 = MQTT 3.1.1 (default; aedes speaks only this), 5 = MQTT 5 (mosquitto, EMQX, HA's add-on). */
  protocolVersion?: 4 | 5;
  clientId?: string;
  username?: string;
  password?: string;
  /** First level of the state and availability topics (default "tsense"). */
  baseTopic?: string;
  /** Home Assistant's discovery prefix (default "homeassistant"). */
  discoveryPrefix?: string;
  /** Prefix of unique_id and device identifiers (default: the base topic). */
  uniquePrefix?: string;
  manufacturer?: string;
  model?: string;
  /** A device goes offline after this many reporting intervals without a word (default 3). */
  offlineAfterIntervals?: number;
  /** Reporting interval assumed until a device's status report gives its own (s, default 60). */
  defaultIntervalS?: number;
  /** Fixed silence before offline (ms); overrides the interval rule. */
  offlineAfterMs?: number;
  /** Virtual seconds per real second when devices run on an accelerated clock (default 1). */
  speed?: number;
  /** Retain state messages so a restarted HA shows the last values at once (default true). */
  retainState?: boolean;
  /** State messages kept while the broker is unreachable; the oldest are dropped beyond (default 10000). */
  maxQueue?: number;
  /** Give up the first connection after this long (ms, default 5000). */
  connectTimeoutMs?: number;
  /** mqtt.js's reconnect period after a lost connection (ms, default 1000). */
  reconnectPeriodMs?: number;
  /** Errors after the first connection (lost connection, refused publish); default: ignored. */
  onError?: (e: Error) => void;
}

export interface BridgeStats {
  /** State messages handed to the MQTT client. */
  states: number;
  discoveryConfigs: number;
  /** State messages waiting for the broker. */
  queued: number;
  /** State messages dropped because the queue was full. */
  dropped: number;
  reconnects: number;
  publishErrors: number;
}

interface KindValue {
  value: number | null;
  status: string;
}

/**
 * One state message: the readings of one device message that share a timestamp. A data
 * message from a device usually holds one measurement round (all kinds, one time), so it
 * becomes one state message; a message carrying several rounds (a device catching up) gives
 * one state message per round, in order. The Station hands the readings of one message to
 * listeners synchronously, so a batch closes at the end of the current microtask, or earlier
 * when a reading of another message, another time or an already present kind arrives.
 */
interface StateBatch {
  connection: string;
  seq: number;
  time: string;
  late: boolean;
  kinds: Map<string, KindValue>;
}

interface DeviceState {
  info: DeviceInfo;
  connection: string;
  intervalS: number | undefined;
  /** Latest value per kind (topic-safe kind name), in first-seen order. */
  latest: Map<string, KindValue>;
  announced: Set<string>;
  online: boolean;
  timer: NodeJS.Timeout | undefined;
  timerMs: number;
  batch: StateBatch | undefined;
}

interface Outgoing {
  topic: string;
  payload: string;
}

const STATE_QOS = 1;

function positive(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x <= 0) throw new Error(`mqtt bridge: ${name} must be a positive number, got ${v}`);
  return x;
}

type ResolvedOptions = Required<Pick<MqttBridgeOptions, "offlineAfterIntervals" | "defaultIntervalS" | "speed" | "retainState" | "maxQueue">> & MqttBridgeOptions;

/** Checks every option before anything connects. */
function resolve(o: MqttBridgeOptions): ResolvedOptions {
  if (o.offlineAfterMs !== undefined) positive("offlineAfterMs", o.offlineAfterMs, 1);
  return {
    ...o,
    offlineAfterIntervals: positive("offlineAfterIntervals", o.offlineAfterIntervals, 3),
    defaultIntervalS: positive("defaultIntervalS", o.defaultIntervalS, 60),
    speed: positive("speed", o.speed, 1),
    retainState: o.retainState ?? true,
    maxQueue: Math.floor(positive("maxQueue", o.maxQueue, 10_000)),
  };
}

export class MqttBridge {
  readonly stats: BridgeStats = { states: 0, discoveryConfigs: 0, queued: 0, dropped: 0, reconnects: 0, publishErrors: 0 };
  private readonly t: Topics;
  private readonly meta: DiscoveryMeta;
  private readonly ids = new DeviceIds();
  private readonly devices = new Map<string, DeviceState>();
  private readonly pending = new Set<DeviceState>();
  private flushScheduled = false;
  private queue: Outgoing[] = [];
  /** Device ids found online in retained messages of an earlier run, with their silence timers. */
  private readonly orphans = new Map<string, NodeJS.Timeout>();
  private closed = false;
  private readonly o: ResolvedOptions;

  private constructor(readonly client: MqttClient, o: ResolvedOptions, t: Topics) {
    this.t = t;
    this.o = o;
    const base = o.baseTopic ?? DEFAULT_BASE_TOPIC;
    this.meta = { uniquePrefix: o.uniquePrefix ?? sanitizeId(base), manufacturer: o.manufacturer ?? "tsense", model: o.model ?? "tsense sensor" };
  }

  /** Connects to the broker; rejects with a clear message if it cannot be reached in time. */
  static async connect(o: MqttBridgeOptions): Promise<MqttBridge> {
    const resolved = resolve(o);
    const t = topics(o.baseTopic ?? DEFAULT_BASE_TOPIC, o.discoveryPrefix ?? DEFAULT_DISCOVERY_PREFIX);
    if (!/^(mqtts?|wss?|tcp):\/\/[^/]/.test(o.mqttUrl)) throw new Error(`mqtt bridge: broker URL must look like mqtt://host:port, got '${o.mqttUrl}'`);
    const protocolVersion = o.protocolVersion ?? 4;
    if (protocolVersion !== 4 && protocolVersion !== 5) throw new Error(`mqtt bridge: protocolVersion must be 4 or 5, got ${protocolVersion}`);
    const timeoutMs = positive("connectTimeoutMs", o.connectTimeoutMs, 5000);
    const opts: IClientOptions = {
      protocolVersion,
      clientId: o.clientId ?? `tsense-bridge-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      username: o.username,
      password: o.password,
      clean: true,
      connectTimeout: timeoutMs,
      reconnectPeriod: positive("reconnectPeriodMs", o.reconnectPeriodMs, 1000),
      // mqtt.js's own offline queue is unbounded; ours (bounded, counted) replaces it.
      queueQoSZero: false,
      will: { topic: t.bridgeAvailability, payload: Buffer.from(OFFLINE), qos: 1, retain: true },
    };
    const client = mqtt.connect(o.mqttUrl, opts);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        const done = (e?: Error) => {
          clearTimeout(timer);
          client.off("connect", onConnect);
          client.off("error", done);
          if (e) reject(e);
          else resolve();
        };
        const onConnect = () => done();
        client.on("connect", onConnect);
        client.on("error", done);
      });
    } catch (e) {
      client.end(true);
      const code = (e as NodeJS.ErrnoException).code;
      const msg = (e as Error).message;
      const why =
        code === "ECONNREFUSED" ? "connection refused (is the broker running?)"
        : msg === "connack timeout" ? `no MQTT answer (CONNACK) within ${timeoutMs} ms`
        : msg;
      const hint = protocolVersion === 5 && code !== "ECONNREFUSED" ? " (if it only speaks MQTT 3.1.1, use protocolVersion 4)" : "";
      throw new Error(`mqtt bridge: cannot reach the broker at ${o.mqttUrl}: ${why}${hint}`, { cause: e });
    }
    const b = new MqttBridge(client, resolved, t);
    b.online();
    client.on("connect", () => {
      b.stats.reconnects++;
      b.online();
    });
    client.on("error", (e) => b.o.onError?.(e));
    client.on("message", (topic, payload, packet) => {
      if (topic === t.haStatus && payload.toString() === ONLINE) b.announceAll();
      else if (packet.retain) b.retainedAvailability(topic, payload.toString());
    });
    return b;
  }

  /** Publishes every record the source delivers from now on. */
  attach(source: RecordSource): this {
    source.onRecord((r) => this.handle(r));
    return this;
  }

  /** Feeds one record (what attach does for each). */
  handle(r: StationRecord): void {
    if (this.closed) return;
    if (r.type === "reading") this.reading(r);
    else if (r.type === "status") {
      const d = this.device(r.connection, r.device);
      if (r.intervalS > 0) d.intervalS = r.intervalS;
      if (r.version && r.version !== d.info.version) {
        d.info.version = r.version;
        for (const k of d.announced) this.announce(d, k);
      }
      this.alive(d);
    }
  }

  /** The device id used in topics for a connection (after it has sent something). */
  deviceId(connection: string): string | undefined {
    for (const d of this.devices.values()) if (d.connection === connection) return d.info.id;
    return undefined;
  }

  /** Marks every device and the bridge offline, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const t of this.orphans.values()) clearTimeout(t);
    for (const d of this.devices.values()) {
      if (d.timer) clearTimeout(d.timer);
      if (d.online) this.publishRetained(this.t.availability(d.info.id), OFFLINE);
    }
    this.publishRetained(this.t.bridgeAvailability, OFFLINE);
    // A clean disconnect: the broker discards the will, so the offline above is what stays.
    // A graceful end waits for unacknowledged publishes, which never complete without a
    // broker: force it when disconnected, or when the broker does not answer in time.
    if (!this.client.connected) {
      await this.client.endAsync(true);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.client.endAsync();
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), 2000);
      this.client.once("close", () => r("late"));
    });
    if ((await Promise.race([graceful, late])) === "late") await this.client.endAsync(true);
    clearTimeout(timer);
  }

  // ---- records ----

  private device(connection: string, name: string): DeviceState {
    let d = this.devices.get(connection);
    if (!d) {
      d = {
        info: { id: this.ids.idFor(connection, name), name, version: undefined },
        connection, intervalS: undefined, latest: new Map(), announced: new Set(), online: false, timer: undefined, timerMs: 0, batch: undefined,
      };
      this.devices.set(connection, d);
    }
    return d;
  }

  private reading(r: ReadingRecord): void {
    const d = this.device(r.connection, r.device);
    const kind = sanitizeId(r.kind);
    let b = d.batch;
    if (b && (b.connection !== r.connection || b.seq !== r.seq || b.time !== r.time || b.kinds.has(kind))) {
      this.flushDevice(d);
      b = undefined;
    }
    if (!b) {
      b = { connection: r.connection, seq: r.seq, time: r.time, late: r.late, kinds: new Map() };
      d.batch = b;
      this.pending.add(d);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    }
    b.kinds.set(kind, { value: r.status === "ok" && Number.isFinite(r.value) ? r.value : null, status: r.status });
    this.alive(d);
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const d of this.pending) this.flushDevice(d);
    this.pending.clear();
  }

  private flushDevice(d: DeviceState): void {
    const b = d.batch;
    if (!b) return;
    d.batch = undefined;
    for (const [k, v] of b.kinds) {
      d.latest.set(k, v);
      if (!d.announced.has(k)) {
        d.announced.add(k);
        this.announce(d, k);
      }
    }
    const msg: Record<string, unknown> = {};
    const units: Record<string, string> = {};
    const bad: Record<string, string> = {};
    for (const [k, v] of d.latest) {
      msg[k] = v.value;
      const unit = KIND_INFO[k]?.unit;
      if (unit) units[k] = unit;
    }
    for (const [k, v] of b.kinds) if (v.status !== "ok") bad[k] = v.status;
    msg.time = b.time;
    msg.seq = b.seq;
    if (b.late) msg.late = true;
    msg.units = units;
    if (Object.keys(bad).length > 0) msg.status = bad;
    this.stats.states++;
    this.publishState({ topic: this.t.state(d.info.id), payload: JSON.stringify(msg) });
  }

  // ---- availability ----

  private silenceMs(d: DeviceState | undefined): number {
    if (this.o.offlineAfterMs !== undefined) return this.o.offlineAfterMs;
    return (this.o.offlineAfterIntervals * (d?.intervalS ?? this.o.defaultIntervalS) * 1000) / this.o.speed;
  }

  /**
   * A retained `online` left by an earlier bridge run (one that died, so its will only took the
   * bridge topic offline): unless that device speaks within the default silence, mark it offline.
   */
  private retainedAvailability(topic: string, payload: string): void {
    const id = this.t.availabilityDevice(topic);
    if (payload !== ONLINE || id === undefined || this.ids.has(id) || this.orphans.has(id)) return;
    const timer = setTimeout(() => {
      this.orphans.delete(id);
      if (!this.closed && !this.ids.has(id)) this.publishRetained(topic, OFFLINE);
    }, this.silenceMs(undefined));
    timer.unref();
    this.orphans.set(id, timer);
  }

  private alive(d: DeviceState): void {
    if (!d.online) {
      d.online = true;
      this.publishRetained(this.t.availability(d.info.id), ONLINE);
    }
    const ms = this.silenceMs(d);
    if (d.timer && d.timerMs === ms) d.timer.refresh();
    else {
      if (d.timer) clearTimeout(d.timer);
      d.timerMs = ms;
      d.timer = setTimeout(() => this.silent(d), ms);
      d.timer.unref();
    }
  }

  private silent(d: DeviceState): void {
    if (this.closed) return;
    this.flushDevice(d);
    d.online = false;
    this.publishRetained(this.t.availability(d.info.id), OFFLINE);
  }

  // ---- publishing ----

  private announce(d: DeviceState, kind: string): void {
    this.stats.discoveryConfigs++;
    this.publishRetained(this.t.discovery(d.info.id, kind), JSON.stringify(sensorConfig(this.t, this.meta, d.info, kind)));
  }

  /** Every discovery config and availability again (after a reconnect or a HA restart). */
  private announceAll(): void {
    for (const d of this.devices.values()) {
      for (const k of d.announced) this.announce(d, k);
      this.publishRetained(this.t.availability(d.info.id), d.online ? ONLINE : OFFLINE);
    }
  }

  /** On every (re)connect: the bridge is online, HA's status is watched, configs and queued states go out. */
  private online(): void {
    if (this.closed) return;
    this.publishRetained(this.t.bridgeAvailability, ONLINE);
    this.client.subscribe([this.t.haStatus, this.t.availability("+")], { qos: 1 }, (e) => e && this.o.onError?.(e));
    this.announceAll();
    const q = this.queue;
    this.queue = [];
    this.stats.queued = 0;
    for (const m of q) this.publishState(m);
  }

  /**
   * Retained messages describe current state, so while disconnected they are not queued:
   * online() sends the latest of each again on reconnect.
   */
  private publishRetained(topic: string, payload: string): void {
    if (!this.client.connected) return;
    this.client.publish(topic, payload, { qos: 1, retain: true }, (e) => this.publishFailed(e));
  }

  private publishState(m: Outgoing): void {
    if (this.client.connected) {
      this.client.publish(m.topic, m.payload, { qos: STATE_QOS, retain: this.o.retainState }, (e) => this.publishFailed(e));
      return;
    }
    this.queue.push(m);
    if (this.queue.length > this.o.maxQueue) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.stats.queued = this.queue.length;
  }

  private publishFailed(e: Error | undefined): void {
    if (!e) return;
    this.stats.publishErrors++;
    this.o.onError?.(e);
  }
}

export interface StartBridgeOptions extends Omit<MqttBridgeOptions, "mqttUrl"> {
  station: RecordSource;
  /** An external broker; otherwise give `embedded`. */
  mqttUrl?: string;
  /** Start aedes on 127.0.0.1 (true: a free port; or a fixed port). Clients use MQTT 3.1.1. */
  embedded?: boolean | { port?: number };
}

export interface RunningBridge {
  bridge: MqttBridge;
  /** The broker's URL (for an embedded broker, the port it got). */
  url: string;
  broker: EmbeddedBroker | undefined;
  close(): Promise<void>;
}

/** Starts a bridge for a station against an external or an embedded broker. */
export async function startBridge(o: StartBridgeOptions): Promise<RunningBridge> {
  const { station, mqttUrl, embedded, ...rest } = o;
  if ((mqttUrl === undefined) === !embedded) throw new Error("startBridge: give either mqttUrl or embedded");
  let broker: EmbeddedBroker | undefined;
  if (embedded) {
    broker = await startEmbeddedBroker({ port: typeof embedded === "object" ? embedded.port ?? 0 : 0 });
    if (rest.protocolVersion === 5) {
      await broker.close();
      throw new Error("startBridge: the embedded broker (aedes) speaks MQTT 3.1.1 only; use protocolVersion 4");
    }
  }
  const url = broker ? broker.url : (mqttUrl as string);
  let bridge: MqttBridge;
  try {
    bridge = await MqttBridge.connect({ ...rest, mqttUrl: url });
  } catch (e) {
    await broker?.close();
    throw e;
  }
  bridge.attach(station);
  return {
    bridge,
    url,
    broker,
    close: async () => {
      await bridge.close();
      await broker?.close();
    },
  };
}
