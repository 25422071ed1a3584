/** Messages between a fleet and its embedded relay's worker thread (relay-thread.ts). */
export type RelayOp = "stop" | "resume" | "close";

export type ToRelayThread = { id: number; op: RelayOp };

export type FromRelayThread =
  | { type: "started"; address: string; grpAddress: string }
  | { type: "done"; id: number; error: string | undefined }
  /** heap grown since the relay started, sent every second */
  | { type: "heap"; bytes: number };
