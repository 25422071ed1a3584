/**
 * Params: the named, typed values of one vector case (inputs or outputs). Three kinds,
 * matching the JSON file format: bytes (hex in JSON), integers and booleans. Records
 * with explicit kind tags stand in for Map, which portable code may not use.
 */
import { Bytes } from "../../firmware/port/bytes";

export const KIND_BYTES = "h";
export const KIND_NUMBER = "n";
export const KIND_BOOL = "b";

export class Params {
  names: string[];
  kinds: Record<string, string>;
  bytesOf: Record<string, Bytes>;
  numberOf: Record<string, number>;
  boolOf: Record<string, boolean>;

  constructor() {
    this.names = [];
    this.kinds = {};
    this.bytesOf = {};
    this.numberOf = {};
    this.boolOf = {};
  }

  has(name: string): boolean {
    return this.kinds[name] !== undefined;
  }

  kind(name: string): string {
    const k = this.kinds[name];
    if (k === undefined) {
      throw new Error("missing value '" + name + "'");
    }
    return k;
  }

  private claim(name: string, kind: string): void {
    if (this.kinds[name] === undefined) {
      this.names.push(name);
    }
    this.kinds[name] = kind;
  }

  setBytes(name: string, v: Bytes): void {
    this.claim(name, KIND_BYTES);
    this.bytesOf[name] = v;
  }

  setNumber(name: string, v: number): void {
    this.claim(name, KIND_NUMBER);
    this.numberOf[name] = v;
  }

  setBool(name: string, v: boolean): void {
    this.claim(name, KIND_BOOL);
    this.boolOf[name] = v;
  }

  bytes(name: string): Bytes {
    if (this.kind(name) !== KIND_BYTES) {
      throw new Error("value '" + name + "' is not bytes");
    }
    return this.bytesOf[name];
  }

  number(name: string): number {
    if (this.kind(name) !== KIND_NUMBER) {
      throw new Error("value '" + name + "' is not an integer");
    }
    return this.numberOf[name];
  }

  bool(name: string): boolean {
    if (this.kind(name) !== KIND_BOOL) {
      throw new Error("value '" + name + "' is not a boolean");
    }
    return this.boolOf[name];
  }
}
