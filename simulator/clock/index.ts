export { EventQueue, type QueueEntry } from "./event-queue";
export { Scheduler, sharedWallClock, type ClockMode, type Task, type Timer, type SchedulerOptions, type RunOptions, type RunResult } from "./scheduler";
export { DeviceClock, type SkewOptions } from "./device-clock";
export { Transcript } from "./transcript";
export { HalTimers } from "./hal-timers";
