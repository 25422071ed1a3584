/**
 * Handshake patterns as data (Noise §7): pre-message tokens for each side, then the
 * message patterns in order, alternating initiator → responder first. Only the
 * interactive patterns GRP uses are listed; adding one is adding an entry.
 */
export const TOKEN_E = "e";
export const TOKEN_S = "s";
export const TOKEN_EE = "ee";
export const TOKEN_ES = "es";
export const TOKEN_SE = "se";
export const TOKEN_SS = "ss";

export interface HandshakePattern {
  name: string;
  initiatorPreMessage: string[];
  responderPreMessage: string[];
  messages: string[][];
}

/** IK: the initiator knows the responder's static key in advance. */
export const PATTERN_IK: HandshakePattern = {
  name: "IK",
  initiatorPreMessage: [],
  responderPreMessage: [TOKEN_S],
  messages: [
    [TOKEN_E, TOKEN_ES, TOKEN_S, TOKEN_SS],
    [TOKEN_E, TOKEN_EE, TOKEN_SE],
  ],
};

/** XX: both static keys are transmitted (first contact). */
export const PATTERN_XX: HandshakePattern = {
  name: "XX",
  initiatorPreMessage: [],
  responderPreMessage: [],
  messages: [[TOKEN_E], [TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES], [TOKEN_S, TOKEN_SE]],
};

const PATTERNS: HandshakePattern[] = [PATTERN_IK, PATTERN_XX];

export function patternByName(name: string): HandshakePattern {
  for (const p of PATTERNS) {
    if (p.name === name) {
      return p;
    }
  }
  throw new Error("noise: unsupported handshake pattern '" + name + "'");
}
