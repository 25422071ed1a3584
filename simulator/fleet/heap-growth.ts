/**
 * V8's old-generation growth for a fleet process. Every SMP/GRP message passes through
 * several 16 KiB buffers (ArrayBuffers), and V8 starts incremental marking each time the
 * old generation reaches its limit, which by default is set close above the live heap:
 * at 200 devices a mark-compact ran every ~0.7 s and reclaimed 6–12 MB of ~90 MB.
 * Letting the old generation grow 4× between collections (heap-growing-percent 300)
 * measured 6.75 → 4.9–5.6 ms CPU per device round (stepped 200-device run, docs/performance.md
 * ## Fleet) for a larger heap. V8 flags are process-wide: the shard workers share it.
 */
import { setFlagsFromString } from "node:v8";

const HEAP_GROWING_PERCENT = 300;

let applied = false;

export function growHeapForThroughput(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
