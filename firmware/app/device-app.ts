/**
 * The device application: boot → open encrypted storage → restore or join the
 * connection with the station → sample the sensors on a schedule → journal each round
 * on the SD card → send journalled readings in batches whenever the link is up → obey
 * station commands. Runs on every target through the DeviceHal (timers and sockets are the
 * HAL's), with all protocol work in the portable layers below.
 *
 * Readings are journalled before they are sent (data flow in docs/architecture.md): a
 * cursor (the next journal sequence number to send) moves only after the agent has put
 * the batch in its persistent outbox. Offline, the journal grows; over its budget, the
 * oldest epoch is dropped — its key erased — and the unsent readings it held are counted
 * and reported in the status, never lost silently.
 */
import { Bytes, fromAscii } from "../port/bytes";
import { SmpReader, SmpWriter, bytesToAscii } from "../port/encoding";
import { CryptoProvider } from "../crypto/provider";
import { openDeviceStorage, DeviceStorage } from "../storage/device-storage";
import { JournalRecord } from "../storage/journal";
import { SmpClient, ClientEvent } from "../transport/smp/client";
import { Backoff } from "../transport/smp/backoff";
import { BlockSession } from "../transport/block-session";
import { parseGrpUri } from "../transport/grp/uri";
import { GrpHalLink, GrpKemCache, LinkHandler } from "../transport/grp/hal-link";
import { ServerAddress } from "../transport/smp/server-address";
import { AgentClient, AgentClientEvent, AgentClientOptions } from "../agent/agent-client";
import { MAX_PAYLOAD } from "../agent/connection";
import { RatchetContext } from "../agent/ratchet";
import { defaultSuite } from "../agent/suite";
import { DeviceHal } from "./device-hal";
import { SdAgentStore } from "./sd-agent-store";
import { MeasurementRound, ROUND_DONE } from "./sensors/measurement-round";
import { Sensor } from "./sensors/sensor";
import { Reading as SensorReading, SENSOR_CRC_ERROR, SENSOR_MISSING, SENSOR_OK, SENSOR_OUT_OF_RANGE } from "./sensors/reading";
import {
  COMMAND_NAMES, CommandResult, DeviceStatus, OP_READ_NOW, OP_REBOOT, OP_ROTATE_KEYS, OP_SET_GPIO, OP_SET_INTERVAL, OP_STATUS,
  READING_SIZE, Reading, STATUS_CRC, STATUS_MISSING, STATUS_OK, STATUS_RANGE, decodeAppMessage, encodeReadings, encodeResult,
  encodeStatus, readingKind,
} from "./app-protocol";

/** What provisioning writes (flash) and the device reads at boot. */
export class DeviceConfig {
  name: string;
  /** grp://… of the relay. */
  relay: string;
  /** The station's invitation (tsense:1:…); used once, on first boot. */
  invitation: string;
  intervalS: number;
  /** Journal size (bytes) beyond which the oldest epoch is dropped. */
  journalBudget: number;
  version: string;
  /** Added to millis() to get wall-clock time (set from SNTP on real boards, by the host in simulations). */
  timeOffsetMs: number;
  /** Public identity made at provisioning (hex), sent to the station when joining. */
  identity: string;
  constructor(name: string, relay: string, invitation: string, intervalS: number) {
    this.name = name;
    this.relay = relay;
    this.invitation = invitation;
    this.intervalS = intervalS;
    this.journalBudget = 256 * 1024;
    this.version = "tsense-0.1.0";
    this.timeOffsetMs = 0;
    this.identity = "";
  }
}

/** An open or opening link to the relay; the app only closes it (its handler reports the rest). */
export interface RelayLink {
  close(): void;
}

/**
 * How a target reaches an smp:// relay (SMP over TLS), when it can: SMP's handshake binds
 * to TLS's Finished message, which the Node HAL exposes and the boards' runtimes do not,
 * so only the Node target gives one (firmware/app/node/smp-tls-link.ts); the boards' builds
 * talk GRP and do not carry this code.
 */
export interface SmpLinks {
  /** The relay as the agent names it (where it creates the queues it receives on). */
  address(relay: string): ServerAddress;
  /** Opens a link: TLS, then the SMP handshake; blocks and the end come to `handler`. */
  open(relay: string, handler: LinkHandler): RelayLink;
}

function isSmpRelay(relay: string): boolean {
  return relay.substring(0, 6) === "smp://";
}

/** Counters the host (simulator, status reports) reads. */
export class DeviceCounters {
  rounds: number;
  readingsJournaled: number;
  readingsSent: number;
  readingsDropped: number;
  messagesSent: number;
  receipts: number;
  links: number;
  linkLosses: number;
  commands: number;
  errors: number;
  constructor() {
    this.rounds = 0;
    this.readingsJournaled = 0;
    this.readingsSent = 0;
    this.readingsDropped = 0;
    this.messagesSent = 0;
    this.receipts = 0;
    this.links = 0;
    this.linkLosses = 0;
    this.commands = 0;
    this.errors = 0;
  }
}

export type DeviceEventHandler = (this: void, type: string, detail: string) => void;

/** Readings per message: what fits in one agent payload. */
export const MAX_BATCH = Math.floor((MAX_PAYLOAD - 3) / READING_SIZE);
/** Records per journal epoch before a new one starts (dropping works per epoch). */
export const RECORDS_PER_EPOCH = 64;
/** Batches the agent may hold unsent before the device stops draining the journal. */
export const OUTBOX_LIMIT = 4;
const PUMP_MS = 1000;
const STATE_FORMAT = 1;

function toWireStatus(s: number): number {
  if (s === SENSOR_OK) {
    return STATUS_OK;
  }
  if (s === SENSOR_MISSING) {
    return STATUS_MISSING;
  }
  if (s === SENSOR_CRC_ERROR) {
    return STATUS_CRC;
  }
  return s === SENSOR_OUT_OF_RANGE ? STATUS_RANGE : STATUS_MISSING;
}

/**
 * The "journal" event's detail: "<time ms> <kind>=<wire value> ...", one per journalled
 * round, so a host reading the device's log (the simulator, a serial monitor) can account
 * for every reading by its wire time and kind.
 */
function journalDetail(t: number, wire: Reading[]): string {
  let s = "" + t;
  for (const r of wire) {
    const kind = readingKind(r.kind);
    s = s + " " + (kind === undefined ? "kind-" + r.kind : kind.name) + "=" + r.value;
  }
  return s;
}

export class DeviceApp {
  private hal: DeviceHal;
  private p: CryptoProvider;
  private config: DeviceConfig;
  private round: MeasurementRound;
  private onEvent: DeviceEventHandler;
  counters: DeviceCounters;
  private storage: DeviceStorage | undefined;
  private client: SmpClient | undefined;
  private agent: AgentClient | undefined;
  private connId: string;
  private ready: boolean;
  private linkUp: boolean;
  private link: RelayLink | undefined;
  /** Set by the target before start() when it can talk SMP over TLS (needed for an smp:// relay). */
  smpLinks: SmpLinks | undefined;
  private kemCache: GrpKemCache;
  private backoff: Backoff;
  private joining: boolean;
  // Persisted app state.
  private intervalS: number;
  private cursor: number;
  private rounds: number;
  private measuring: boolean;
  private stopped: boolean;

  constructor(hal: DeviceHal, p: CryptoProvider, config: DeviceConfig, sensors: Sensor[], onEvent: DeviceEventHandler) {
    this.hal = hal;
    this.p = p;
    this.config = config;
    this.round = new MeasurementRound(sensors);
    this.onEvent = onEvent;
    this.counters = new DeviceCounters();
    this.storage = undefined;
    this.client = undefined;
    this.agent = undefined;
    this.connId = "";
    this.ready = false;
    this.linkUp = false;
    this.link = undefined;
    this.smpLinks = undefined;
    this.kemCache = new GrpKemCache();
    this.backoff = new Backoff(500, 60000);
    this.joining = false;
    this.intervalS = config.intervalS;
    this.cursor = 1;
    this.rounds = 0;
    this.measuring = false;
    this.stopped = false;
  }

  private now(): number {
    return this.hal.system.millis();
  }

  private loadState(): void {
    const storage = this.storage;
    if (storage === undefined) {
      return;
    }
    const blob = storage.state.load();
    if (blob === undefined) {
      return;
    }
    const r = new SmpReader(blob);
    const format = r.byte();
    const interval = r.word32();
    const cursor = r.int64();
    const dropped = r.int64();
    const connId = bytesToAscii(r.short());
    if (r.failed === undefined && format === STATE_FORMAT) {
      this.intervalS = interval;
      this.cursor = cursor;
      this.counters.readingsDropped = dropped;
      this.connId = connId;
    } else {
      this.onEvent("error", "app state unreadable; starting from defaults");
    }
  }

  private saveState(): void {
    const storage = this.storage;
    if (storage !== undefined) {
      const w = new SmpWriter().byte(STATE_FORMAT).word32(this.intervalS).int64(this.cursor).int64(this.counters.readingsDropped);
      storage.state.save(w.short(fromAscii(this.connId)).finish());
    }
  }

  /** Boots the device: storage recovery, agent restore, link, first sampling round. */
  start(): void {
    const hal = this.hal;
    const storage = openDeviceStorage(hal.flash, hal.sd, this.p, hal.random);
    this.storage = storage;
    const rep = storage.report;
    if (rep.cutBytes > 0 || rep.removedSegments > 0) {
      this.onEvent("recovered", rep.notes.join("; "));
    }
    this.loadState();
    const keys = storage.journal.keys;
    const ctx = new RatchetContext(this.p, defaultSuite(this.p), hal.random);
    const client = new SmpClient(this.p, {
      timeoutMs: 15000,
      pingIntervalMs: 60000,
      onEvent: (e: ClientEvent) => this.onClientEvent(e),
    });
    this.client = client;
    const options = new AgentClientOptions(
      this.p,
      ctx,
      client,
      this.relayAddress(),
      new SdAgentStore(hal.sd, this.p, keys.stateKey, keys.boot),
      () => hal.system.millis(),
      (e: AgentClientEvent) => this.onAgentEvent(e),
    );
    // The device's own queue (receipts, commands) authorizes with X25519 too: one DH per
    // session, then a crypto_box per ACK, instead of an Ed25519 signature per ACK (slow in
    // the boards' interpreters) and an Ed25519 verify per ACK in the relay.
    options.recipientAuthAlg = "x25519";
    const agent = new AgentClient(options);
    this.agent = agent;
    for (const err of agent.restore()) {
      this.onEvent("error", "restore: " + err);
    }
    const conns = agent.connections();
    if (conns.length > 0) {
      if (this.connId === "") {
        this.connId = conns[0];
      }
      this.ready = agent.status(this.connId) === "ready";
    }
    this.onEvent("boot", hal.system.bootReason());
    this.connect();
    this.pump();
    this.hal.system.after(100, () => this.sample());
  }

  /** Stops timers and the link (the host powers the device off). */
  stop(): void {
    this.stopped = true;
    const link = this.link;
    if (link !== undefined) {
      link.close();
    }
  }

  private onClientEvent(e: ClientEvent): void {
    const agent = this.agent;
    if (agent !== undefined) {
      agent.handleClientEvent(e);
    }
  }

  /** The relay as the agent names it: grp:// (every target) or smp:// (targets with SmpLinks). */
  private relayAddress(): ServerAddress {
    const relay = this.config.relay;
    if (isSmpRelay(relay)) {
      const smp = this.smpLinks;
      if (smp === undefined) {
        throw new Error("relay " + relay + ": this target has no SMP (TLS) link; provision a grp:// relay");
      }
      return smp.address(relay);
    }
    const addr = parseGrpUri(relay);
    return { scheme: "grp", keyHash: addr.relayStaticKey, hosts: [addr.host], port: addr.port };
  }

  private connect(): void {
    if (this.stopped) {
      return;
    }
    const handler: LinkHandler = {
      onOpen: (s: BlockSession) => this.linkOpened(s),
      onBlock: (b: Bytes) => {
        const client = this.client;
        if (client !== undefined) {
          client.receiveBlock(b);
        }
      },
      onClosed: (reason: string) => this.linkClosed(reason),
    };
    const smp = this.smpLinks;
    if (smp !== undefined && isSmpRelay(this.config.relay)) {
      this.link = smp.open(this.config.relay, handler);
      return;
    }
    const link = new GrpHalLink(this.p, this.hal.random, this.hal.system, parseGrpUri(this.config.relay), this.kemCache, handler);
    this.link = link;
    link.open(this.hal.net);
  }

  private linkOpened(s: BlockSession): void {
    const client = this.client;
    const agent = this.agent;
    if (client === undefined || agent === undefined) {
      return;
    }
    this.linkUp = true;
    this.backoff.reset();
    this.counters.links++;
    client.attach(s, this.now());
    this.onEvent("link", "up");
    if (this.connId === "" && !this.joining) {
      this.joining = true;
      const info = this.config.identity === "" ? this.config.version : this.config.version + " " + this.config.identity;
      agent.joinInvitation(this.config.invitation, this.config.name, fromAscii(info), (connId: string, error: string) => {
        this.joining = false;
        if (error !== "") {
          this.counters.errors++;
          this.onEvent("error", "join: " + error);
          return;
        }
        this.connId = connId;
        this.saveState();
        this.onEvent("joined", connId);
      });
    }
    agent.resume();
    this.drain();
  }

  private linkClosed(reason: string): void {
    const client = this.client;
    if (client !== undefined) {
      client.detach();
    }
    const wasUp = this.linkUp;
    this.linkUp = false;
    this.link = undefined;
    if (wasUp) {
      this.counters.linkLosses++;
    }
    this.onEvent("link", "down: " + reason);
    if (this.stopped) {
      return;
    }
    const delay = this.backoff.nextDelayMs(this.hal.random(1)[0] / 256);
    this.hal.system.after(delay, () => this.connect());
  }

  private pump(): void {
    if (this.stopped) {
      return;
    }
    const client = this.client;
    const agent = this.agent;
    if (client !== undefined && agent !== undefined) {
      client.tick(this.now());
      agent.resume();
      this.drain();
    }
    this.hal.system.after(PUMP_MS, () => this.pump());
  }

  private onAgentEvent(e: AgentClientEvent): void {
    if (e.type === "ready") {
      this.ready = true;
      this.connId = e.connId;
      this.saveState();
      this.onEvent("ready", e.connId);
      this.sendStatus();
      this.drain();
    } else if (e.type === "receipt") {
      this.counters.receipts++;
    } else if (e.type === "message") {
      this.onStationMessage(e.payload);
    } else if (e.type === "error") {
      this.counters.errors++;
      this.onEvent("error", e.detail);
    } else if (e.type === "gap" || e.type === "duplicate") {
      this.onEvent(e.type, e.detail);
    }
  }

  // --- sampling -----------------------------------------------------------------------

  private sample(): void {
    if (this.stopped) {
      return;
    }
    if (!this.measuring) {
      this.measuring = true;
      this.step(this.round.begin(this.now()));
    }
    this.hal.system.after(this.intervalS * 1000, () => this.sample());
  }

  private step(next: number): void {
    if (next === ROUND_DONE) {
      this.measuring = false;
      this.finishRound(this.round.readings());
      return;
    }
    const wait = next - this.now();
    this.hal.system.after(wait > 0 ? wait : 0, () => this.step(this.round.poll(this.now())));
  }

  private finishRound(readings: SensorReading[]): void {
    const storage = this.storage;
    if (storage === undefined) {
      return;
    }
    const t = this.now() + this.config.timeOffsetMs;
    const wire: Reading[] = [];
    for (const r of readings) {
      const kind = readingKind(r.quantity);
      const scale = kind === undefined ? 1 : kind.scale;
      wire.push(new Reading(t, r.quantity, toWireStatus(r.status), Math.round(r.value * scale)));
    }
    this.rounds++;
    this.counters.rounds++;
    if (wire.length === 0) {
      return;
    }
    const j = storage.journal;
    const segs = j.segments;
    if (segs.length > 0 && segs[segs.length - 1].epoch === j.keys.currentEpoch && segs[segs.length - 1].records >= RECORDS_PER_EPOCH) {
      j.rotate();
    }
    j.append(encodeReadings(wire));
    this.counters.readingsJournaled += wire.length;
    this.onEvent("journal", journalDetail(t, wire));
    this.enforceBudget();
    this.drain();
  }

  /** Readings in records from the cursor on, and how many of them per record. */
  private unsentReadings(records: JournalRecord[]): number {
    let n = 0;
    for (const r of records) {
      if (r.seq >= this.cursor) {
        const m = decodeAppMessage(r.payload);
        if (typeof m !== "string" && m.readings !== undefined) {
          n += m.readings.length;
        }
      }
    }
    return n;
  }

  private enforceBudget(): void {
    const storage = this.storage;
    if (storage === undefined) {
      return;
    }
    const j = storage.journal;
    while (j.totalBytes() > this.config.journalBudget && j.segments.length > 0) {
      if (j.keys.oldestEpoch >= j.keys.currentEpoch) {
        j.rotate();
      }
      const oldest = j.segments[0];
      const lost = this.unsentReadings(j.read(0, oldest.records));
      j.dropOldest();
      if (lost > 0) {
        this.counters.readingsDropped += lost;
        this.onEvent("dropped", lost + " readings (journal full)");
        this.saveState();
      }
    }
  }

  /** Drops epochs whose records have all been sent (their keys are erased: forward secrecy). */
  private releaseSent(): void {
    const storage = this.storage;
    if (storage === undefined) {
      return;
    }
    const j = storage.journal;
    while (j.segments.length > 0 && j.segments[0].epoch < j.keys.currentEpoch) {
      if (j.segments[0].lastSeq >= this.cursor) {
        return; // holds records not yet sent
      }
      j.dropOldest();
    }
  }

  /** Sends journalled readings from the cursor, in batches, while the link and outbox allow. */
  private drain(): void {
    const storage = this.storage;
    const agent = this.agent;
    if (storage === undefined || agent === undefined || !this.ready || !this.linkUp || this.connId === "") {
      return;
    }
    const j = storage.journal;
    while (agent.pending(this.connId) < OUTBOX_LIMIT) {
      const records = j.read(this.cursor, MAX_BATCH);
      if (records.length === 0) {
        break;
      }
      const batch: Reading[] = [];
      let last = this.cursor - 1;
      for (const r of records) {
        const m = decodeAppMessage(r.payload);
        const list = typeof m === "string" || m.readings === undefined ? [] : m.readings;
        if (batch.length > 0 && batch.length + list.length > MAX_BATCH) {
          break;
        }
        for (const x of list) {
          batch.push(x);
        }
        last = r.seq;
      }
      const err = agent.send(this.connId, encodeReadings(batch));
      if (err !== "") {
        this.onEvent("error", "send: " + err);
        return;
      }
      this.cursor = last + 1;
      this.counters.readingsSent += batch.length;
      this.counters.messagesSent++;
      this.saveState();
    }
    this.releaseSent();
  }

  // --- station commands -----------------------------------------------------------------

  private reply(id: number, ok: boolean, detail: string): void {
    const agent = this.agent;
    if (agent !== undefined && this.connId !== "") {
      agent.send(this.connId, encodeResult(new CommandResult(id, ok, detail)));
    }
  }

  private sendStatus(): void {
    const storage = this.storage;
    const agent = this.agent;
    if (storage === undefined || agent === undefined || !this.ready) {
      return;
    }
    const queued = this.unsentReadings(storage.journal.read(this.cursor, 1000000));
    const s = new DeviceStatus(
      this.now() + this.config.timeOffsetMs,
      Math.floor(this.now() / 1000),
      this.hal.system.freeMemory(),
      this.intervalS,
      this.counters.readingsDropped,
      queued,
      this.config.version,
      this.hal.system.bootReason(),
    );
    agent.send(this.connId, encodeStatus(s));
  }

  private onStationMessage(payload: Bytes): void {
    const m = decodeAppMessage(payload);
    if (typeof m === "string" || m.command === undefined) {
      this.counters.errors++;
      this.onEvent("error", typeof m === "string" ? m : "unexpected message from the station");
      return;
    }
    const c = m.command;
    this.counters.commands++;
    this.onEvent("command", (c.op < COMMAND_NAMES.length ? COMMAND_NAMES[c.op] : "op " + c.op) + " " + c.arg);
    if (c.op === OP_SET_INTERVAL) {
      if (c.arg < 1 || c.arg > 86400) {
        this.reply(c.id, false, "interval must be 1..86400 s");
        return;
      }
      this.intervalS = c.arg;
      this.saveState();
      this.reply(c.id, true, "interval " + c.arg + " s");
    } else if (c.op === OP_READ_NOW) {
      if (!this.measuring) {
        this.measuring = true;
        this.step(this.round.begin(this.now()));
      }
      this.reply(c.id, true, "measuring");
    } else if (c.op === OP_REBOOT) {
      this.reply(c.id, true, "rebooting");
      this.hal.system.after(500, () => this.hal.system.restart());
    } else if (c.op === OP_ROTATE_KEYS) {
      const storage = this.storage;
      if (storage !== undefined) {
        storage.journal.rotate();
        this.releaseSent();
      }
      this.reply(c.id, true, "journal epoch rotated");
    } else if (c.op === OP_SET_GPIO) {
      const pin = Math.floor(c.arg / 2);
      const level = c.arg - pin * 2;
      this.hal.gpio.write(pin, level);
      this.reply(c.id, true, "gpio " + pin + "=" + level);
    } else if (c.op === OP_STATUS) {
      this.sendStatus();
      this.reply(c.id, true, "status sent");
    } else {
      this.reply(c.id, false, "unknown command " + c.op);
    }
  }

  /** Unsent readings waiting in the journal. */
  queued(): number {
    const storage = this.storage;
    return storage === undefined ? 0 : this.unsentReadings(storage.journal.read(this.cursor, 1000000));
  }

  isReady(): boolean {
    return this.ready && this.linkUp;
  }
}
