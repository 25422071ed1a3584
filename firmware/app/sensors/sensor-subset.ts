/**
 * A device may report only some of the kinds its board measures (tsense.cfg "kinds":
 * "temperature,humidity"): a sensor measuring none of them is not sampled at all, one
 * measuring some still runs its measurement (the chip does it in one go) but reports
 * only those.
 */
import { READING_KINDS } from "../app-protocol";
import { Reading } from "./reading";
import { Sensor } from "./sensor";

/** A sensor that reports only some of its quantities. */
export class SensorSubset implements Sensor {
  readonly type: string;
  readonly quantities: number[];
  private inner: Sensor;

  constructor(inner: Sensor, quantities: number[]) {
    this.inner = inner;
    this.type = inner.type;
    this.quantities = quantities;
  }

  start(): number {
    return this.inner.start();
  }

  step(): number {
    return this.inner.step();
  }

  readings(): Reading[] {
    const out: Reading[] = [];
    for (const r of this.inner.readings()) {
      if (this.quantities.indexOf(r.quantity) >= 0) {
        out.push(r);
      }
    }
    return out;
  }
}

/** "temperature,humidity" → the kinds' codes; "" → undefined (every kind). Throws on an unknown name. */
export function parseKinds(list: string): number[] | undefined {
  if (list === "") {
    return undefined;
  }
  const out: number[] = [];
  let name = "";
  for (let i = 0; i <= list.length; i++) {
    const ch = i < list.length ? list.charAt(i) : ",";
    if (ch === ",") {
      let code = -1;
      for (const k of READING_KINDS) {
        if (k.name === name) {
          code = k.code;
        }
      }
      if (code < 0) {
        throw new Error("unknown reading kind '" + name + "' in '" + list + "'");
      }
      out.push(code);
      name = "";
    } else if (ch !== " ") {
      name = name + ch;
    }
  }
  return out;
}

/** The sensors that measure any of `kinds`, each reporting only those; all of them when `kinds` is undefined. */
export function selectKinds(sensors: Sensor[], kinds: number[] | undefined): Sensor[] {
  if (kinds === undefined) {
    return sensors;
  }
  const out: Sensor[] = [];
  for (const s of sensors) {
    const keep: number[] = [];
    for (const q of s.quantities) {
      if (kinds.indexOf(q) >= 0) {
        keep.push(q);
      }
    }
    if (keep.length === s.quantities.length) {
      out.push(s);
    } else if (keep.length > 0) {
      out.push(new SensorSubset(s, keep));
    }
  }
  return out;
}
