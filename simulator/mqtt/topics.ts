/**
 * MQTT topic names of the bridge and the device ids used in them.
 *
 * Device names come from the devices themselves (chosen at join), so they may hold spaces,
 * slashes or MQTT wildcards. Home Assistant discovery wants node_id and object_id made of
 * [a-zA-Z0-9_-] only; the same ids are safe in every MQTT topic level.
 */

export const DEFAULT_BASE_TOPIC = "tsense";
export const DEFAULT_DISCOVERY_PREFIX = "homeassistant";
/** The level under the base topic where the bridge itself announces its availability. */
export const BRIDGE_LEVEL = "bridge";
export const ONLINE = "online";
export const OFFLINE = "offline";
/** Long enough for any sensible name, short enough for topic and entity ids. */
export const MAX_ID_LENGTH = 64;

const SAFE = /^[A-Za-z0-9_-]+$/;

export function isTopicSafeId(s: string): boolean {
  return SAFE.test(s) && s.length <= MAX_ID_LENGTH;
}

/** Replaces every run of characters outside [a-zA-Z0-9_-] with one "_"; never empty. */
export function sanitizeId(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, MAX_ID_LENGTH);
  return s === "" ? "device" : s;
}

export interface Topics {
  state(device: string): string;
  availability(device: string): string;
  /** The device id of an availability topic, or undefined for any other topic. */
  availabilityDevice(topic: string): string | undefined;
  bridgeAvailability: string;
  discovery(device: string, objectId: string): string;
  /** Home Assistant's birth/last-will topic. */
  haStatus: string;
}

export function topics(baseTopic: string, discoveryPrefix: string): Topics {
  for (const [what, t] of [["base topic", baseTopic], ["discovery prefix", discoveryPrefix]]) {
    if (t === "" || /[+#\0]/.test(t) || t.startsWith("/") || t.endsWith("/")) throw new Error(`mqtt bridge: bad ${what} '${t}' (no wildcards, no leading or trailing '/')`);
  }
  return {
    state: (d) => `${baseTopic}/${d}/state`,
    availability: (d) => `${baseTopic}/${d}/availability`,
    availabilityDevice: (topic) => {
      const head = `${baseTopic}/`;
      const tail = "/availability";
      if (!topic.startsWith(head) || !topic.endsWith(tail) || topic.length <= head.length + tail.length) return undefined;
      const id = topic.slice(head.length, topic.length - tail.length);
      return id.includes("/") ? undefined : id;
    },
    bridgeAvailability: `${baseTopic}/${BRIDGE_LEVEL}/availability`,
    discovery: (d, o) => `${discoveryPrefix}/sensor/${d}/${o}/config`,
    haStatus: `${discoveryPrefix}/status`,
  };
}

/**
 * Gives each connection a stable, unique, topic-safe device id. The id is the sanitised
 * device name; if another connection already holds it (two devices with the same name, or
 * names that sanitise alike), or it is the bridge's own level, the connection id is appended.
 */
export class DeviceIds {
  private byConnection = new Map<string, string>();
  private taken = new Set<string>([BRIDGE_LEVEL]);

  /** Whether a connection holds this id (or it is reserved). */
  has(id: string): boolean {
    return this.taken.has(id);
  }

  idFor(connection: string, name: string): string {
    const known = this.byConnection.get(connection);
    if (known !== undefined) return known;
    let id = sanitizeId(name || connection);
    if (this.taken.has(id)) {
      const suffix = `_${sanitizeId(connection)}`;
      const base = id.slice(0, MAX_ID_LENGTH - suffix.length) + suffix;
      id = base;
      for (let n = 2; this.taken.has(id); n++) id = `${base.slice(0, MAX_ID_LENGTH - 8)}_${n}`;
    }
    this.taken.add(id);
    this.byConnection.set(connection, id);
    return id;
  }
}
