/**
 * V8's old-generation growth for processes that move 16 KiB blocks: the relay and the
 * fleet. Every SMP/GRP message passes through several 16 KiB buffers, and V8 starts
 * incremental marking each time the old generation reaches its limit, which by default
 * sits close above the live heap: at 200 fleet devices a mark-compact ran every ~0.7 s and
 * reclaimed 6–12 MB of ~90 MB. Letting the old generation grow 4× between collections
 * (heap-growing-percent 300) measured, for a larger heap:
 * - fleet, stepped 200-device run: 6.75 → 4.9–5.3 ms CPU per device round;
 * - relay, `npm run bench -- relay` (own, one process): 164–182 → 139–160 µs per message.
 * V8 flags are process-wide (worker threads share them). docs/performance.md has the runs.
 */
import { setFlagsFromString } from "node:v8";

const HEAP_GROWING_PERCENT = 300;

let applied = false;

export function growHeapForThroughput(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
