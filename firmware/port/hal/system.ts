/** System HAL: time, timers, restart, memory and boot facts. */
export interface TimerHandle {
  readonly id: number;
}

export interface System {
  /** Milliseconds since boot (monotonic). */
  millis(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  after(ms: number, fn: () => void): TimerHandle;
  cancel(t: TimerHandle): void;
  restart(): void;
  /** Free heap in bytes (NodeMCU node.heap(), Espruino process.memory().free × block size). */
  freeMemory(): number;
  /** Why the device last booted, in NodeMCU/ESP-IDF words: "power-on", "panic", "watchdog", "software", "deep-sleep", "unknown". */
  bootReason(): string;
}
