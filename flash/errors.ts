// Exit codes of every flash/ command, defined once, and the error type that carries one. The
// message is one line that says what happened and what to do.

export const ExitCode = {
  OK: 0,
  /** Anything not covered below (I/O error, device misbehaving). */
  FAILED: 1,
  USAGE: 2,
  NO_DEVICE: 3,
  AMBIGUOUS_PORT: 4,
  WRONG_CHIP: 5,
  IMAGE_TOO_LARGE: 6,
  VERIFY_FAILED: 7,
  ABORTED: 8,
  /** The input file is not a usable image (bad magic, truncated, unreadable). */
  BAD_IMAGE: 9,
  /** The device is in a state the command refuses to touch (already provisioned, secure download mode). */
  REFUSED: 10,
  /** The link dropped mid-operation; the board may be half-written and the message says how to recover. */
  INTERRUPTED: 11,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class ToolError extends Error {
  constructor(readonly code: ExitCodeValue, message: string) {
    super(message);
  }
}

export function exitCodeName(code: number): string {
  for (const [name, value] of Object.entries(ExitCode)) if (value === code) return name;
  return "UNKNOWN";
}
