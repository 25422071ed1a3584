/**
 * Home Assistant MQTT discovery: one sensor entity per (device, reading kind).
 *
 * Availability: each entity lists two topics with availability_mode "all" — the bridge's own
 * topic (set offline by the bridge's MQTT Last Will, so one will message takes every device
 * offline when the bridge dies) and the device's topic (offline after the device falls
 * silent). A single `availability_topic` cannot express both, and HA forbids using it
 * together with the `availability` list, so the list is what we publish.
 */
import { KIND_INFO } from "../station/units";
import type { Topics } from "./topics";

export interface DeviceInfo {
  /** Topic-safe id (node_id). */
  id: string;
  /** The name the device gave itself. */
  name: string;
  /** Firmware version from its latest status report, if any. */
  version: string | undefined;
}

export interface DiscoveryMeta {
  /** Prefix of unique_id and device identifiers, so two bridges on one broker do not collide. */
  uniquePrefix: string;
  manufacturer: string;
  model: string;
}

export interface SensorConfig {
  name: string;
  unique_id: string;
  state_topic: string;
  value_template: string;
  device_class?: string;
  unit_of_measurement?: string;
  state_class: "measurement";
  availability: { topic: string }[];
  availability_mode: "all";
  device: { identifiers: string[]; name: string; manufacturer: string; model: string; sw_version: string };
}

function titleCase(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1).replace(/[-_]/g, " ");
}

/** The discovery config of one kind of one device (kind is a topic-safe name such as "temperature"). */
export function sensorConfig(t: Topics, meta: DiscoveryMeta, dev: DeviceInfo, kind: string): SensorConfig {
  const info = KIND_INFO[kind];
  const c: SensorConfig = {
    // With a device attached HA shows "<device name> <name>".
    name: titleCase(kind),
    unique_id: `${meta.uniquePrefix}_${dev.id}_${kind}`,
    state_topic: t.state(dev.id),
    // value_json["…"] works for every key; the state message always carries every known kind.
    value_template: `{{ value_json['${kind}'] }}`,
    state_class: "measurement",
    availability: [{ topic: t.bridgeAvailability }, { topic: t.availability(dev.id) }],
    availability_mode: "all",
    device: {
      identifiers: [`${meta.uniquePrefix}_${dev.id}`],
      name: dev.name || dev.id,
      manufacturer: meta.manufacturer,
      model: meta.model,
      sw_version: dev.version ?? "unknown",
    },
  };
  if (info) {
    c.device_class = info.deviceClass;
    c.unit_of_measurement = info.unit;
  }
  return c;
}
