/** The artifact mix: which share of devices runs the compiled Lua or Espruino build instead of Node. */

export type Artifact = "node" | "lua" | "espruino";

export interface ArtifactMix {
  /** Fractions in [0, 1]; the rest runs as Node. */
  lua: number;
  espruino: number;
}

export const NO_MIX: ArtifactMix = { lua: 0, espruino: 0 };

/** "lua=5%,espruino=2%" → {lua: 0.05, espruino: 0.02}; "" → none. Throws with the reason. */
export function parseMix(text: string): ArtifactMix {
  const mix: ArtifactMix = { lua: 0, espruino: 0 };
  const t = text.trim();
  if (t === "" || t === "none") return mix;
  const seen = new Set<string>();
  for (const part of t.split(",")) {
    const m = /^\s*(lua|espruino)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/.exec(part);
    if (m === null) throw new Error(`mix: expected an artifact mix like "lua=5%,espruino=2%", got ${JSON.stringify(text)} (bad part ${JSON.stringify(part)})`);
    if (seen.has(m[1])) throw new Error(`mix: ${m[1]} given twice in ${JSON.stringify(text)}`);
    seen.add(m[1]);
    mix[m[1] as "lua" | "espruino"] = Number(m[2]) / 100;
  }
  if (mix.lua + mix.espruino > 1 + 1e-9) throw new Error(`mix: shares add up to more than 100% in ${JSON.stringify(text)}`);
  return mix;
}

export function formatMix(mix: ArtifactMix): string {
  const parts: string[] = [];
  if (mix.lua > 0) parts.push(`lua=${round(mix.lua * 100)}%`);
  if (mix.espruino > 0) parts.push(`espruino=${round(mix.espruino * 100)}%`);
  return parts.join(",");
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
