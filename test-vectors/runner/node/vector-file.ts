/**
 * Vector files (JSON, format "tsense-vectors/1", see docs/vectors.md): loading, checking
 * and flattening into the wire format that the portable runner reads on every target.
 */
import { readFileSync } from "node:fs";

export const VECTOR_FORMAT = "tsense-vectors/1";

export type VectorValue = string | number | boolean;

export interface VectorCaseJson {
  id: string;
  op: string;
  in: Record<string, VectorValue>;
  out: Record<string, VectorValue>;
}

export interface VectorFile {
  format: typeof VECTOR_FORMAT;
  title: string;
  source: string;
  cases: VectorCaseJson[];
}

const TOKEN = /^[A-Za-z0-9_.:#@/+-]+$/;
const HEX = /^([0-9a-fA-F]{2})*$/;

export class VectorFileError extends Error {}

function encodeValue(where: string, v: unknown): string {
  if (typeof v === "string") {
    if (!HEX.test(v)) {
      throw new VectorFileError(`${where}: bytes must be an even-length hex string`);
    }
    return `h ${v.toLowerCase()}`;
  }
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      throw new VectorFileError(`${where}: numbers must be safe integers, got ${v}`);
    }
    return `n ${v}`;
  }
  if (typeof v === "boolean") {
    return `b ${v ? 1 : 0}`;
  }
  throw new VectorFileError(`${where}: value must be a hex string, an integer or a boolean`);
}

function section(where: string, obj: unknown, tag: "in" | "out"): string[] {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new VectorFileError(`${where}: "${tag}" must be an object`);
  }
  return Object.entries(obj).map(([name, v]) => {
    if (!TOKEN.test(name)) {
      throw new VectorFileError(`${where}: bad ${tag} name "${name}"`);
    }
    return `${tag} ${name} ${encodeValue(`${where} ${tag}.${name}`, v)}`;
  });
}

/** Checks a parsed JSON document and returns it typed; throws VectorFileError with the place. */
export function checkVectorFile(doc: unknown, name: string): VectorFile {
  if (typeof doc !== "object" || doc === null) {
    throw new VectorFileError(`${name}: not a JSON object`);
  }
  const d = doc as Record<string, unknown>;
  if (d.format !== VECTOR_FORMAT) {
    throw new VectorFileError(`${name}: "format" must be "${VECTOR_FORMAT}"`);
  }
  if (typeof d.source !== "string" || d.source === "") {
    throw new VectorFileError(`${name}: "source" must name where the vectors come from`);
  }
  if (!Array.isArray(d.cases) || d.cases.length === 0) {
    throw new VectorFileError(`${name}: "cases" must be a non-empty array`);
  }
  const seen = new Set<string>();
  d.cases.forEach((c: unknown, k: number) => {
    const where = `${name} case #${k}`;
    if (typeof c !== "object" || c === null) {
      throw new VectorFileError(`${where}: not an object`);
    }
    const cc = c as Record<string, unknown>;
    if (typeof cc.id !== "string" || !TOKEN.test(cc.id)) {
      throw new VectorFileError(`${where}: "id" must be a string without spaces`);
    }
    if (seen.has(cc.id)) {
      throw new VectorFileError(`${where}: duplicate id "${cc.id}"`);
    }
    seen.add(cc.id);
    if (typeof cc.op !== "string" || !TOKEN.test(cc.op)) {
      throw new VectorFileError(`${where} (${cc.id}): "op" must be a string without spaces`);
    }
    section(`${where} (${cc.id})`, cc.in, "in");
    section(`${where} (${cc.id})`, cc.out, "out");
  });
  return doc as VectorFile;
}

export function loadVectorFile(path: string): VectorFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new VectorFileError(`${path}: cannot read (${(e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VectorFileError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return checkVectorFile(doc, path);
}

/** The wire text of a checked file (see test-vectors/runner/wire.ts). */
export function toWire(file: VectorFile): string {
  const lines: string[] = [];
  for (const c of file.cases) {
    lines.push(`case ${c.id}`, `op ${c.op}`);
    lines.push(...section(c.id, c.in, "in"), ...section(c.id, c.out, "out"));
    lines.push("end");
  }
  return lines.join("\n") + "\n";
}
