/**
 * Runs a whole Noise session between an initiator and a responder in memory: the
 * handshake, then transport messages alternating in the same direction order (the
 * convention of the published cacophony/snow vectors). Each message is written by one
 * side and read back by the other, so a vector checks both directions of the code.
 */
import { Bytes, alloc, equalBytes } from "../../../port/bytes";
import { CryptoProvider } from "../../../crypto/provider";
import { CipherState } from "./cipher-state";
import { HandshakeState, KeyPair, keyPairFromSecret } from "./handshake-state";

export interface TranscriptSide {
  prologue: Bytes;
  staticSecret: Bytes | undefined;
  ephemeralSecret: Bytes;
  remoteStatic: Bytes | undefined;
}

export interface TranscriptResult {
  messages: Bytes[];
  handshakeHash: Bytes;
}

function keyPairOrNone(p: CryptoProvider, secret: Bytes | undefined): KeyPair | undefined {
  return secret === undefined ? undefined : keyPairFromSecret(p, secret);
}

function sideState(p: CryptoProvider, protocolName: string, initiator: boolean, side: TranscriptSide): HandshakeState {
  return new HandshakeState(p, {
    protocolName: protocolName,
    initiator: initiator,
    prologue: side.prologue,
    s: keyPairOrNone(p, side.staticSecret),
    rs: side.remoteStatic,
    ephemeralSecret: side.ephemeralSecret,
  });
}

export function runNoiseTranscript(
  p: CryptoProvider,
  protocolName: string,
  init: TranscriptSide,
  resp: TranscriptSide,
  payloads: Bytes[],
): TranscriptResult {
  const hsI = sideState(p, protocolName, true, init);
  const hsR = sideState(p, protocolName, false, resp);
  const messages: Bytes[] = [];
  let i = 0;
  for (; i < payloads.length && !hsI.isComplete(); i++) {
    const fromInitiator = i % 2 === 0;
    const writer = fromInitiator ? hsI : hsR;
    const reader = fromInitiator ? hsR : hsI;
    const m = writer.writeMessage(payloads[i]);
    const back = reader.readMessage(m);
    if (!equalBytes(back, payloads[i])) {
      throw new Error("noise: payload " + i + " did not survive the handshake");
    }
    messages.push(m);
  }
  if (!hsI.isComplete() || !hsR.isComplete()) {
    throw new Error("noise: too few payloads to complete the handshake");
  }
  if (!equalBytes(hsI.handshakeHash(), hsR.handshakeHash())) {
    throw new Error("noise: the two sides disagree on the handshake hash");
  }
  const tI = hsI.split();
  const tR = hsR.split();
  for (; i < payloads.length; i++) {
    const fromInitiator = i % 2 === 0;
    const send: CipherState = fromInitiator ? tI.send : tR.send;
    const receive: CipherState = fromInitiator ? tR.receive : tI.receive;
    const empty = alloc(0);
    const m = send.encryptWithAd(empty, payloads[i]);
    const back = receive.decryptWithAd(empty, m);
    if (back === undefined || !equalBytes(back, payloads[i])) {
      throw new Error("noise: transport message " + i + " did not decrypt");
    }
    messages.push(m);
  }
  return { messages: messages, handshakeHash: hsI.handshakeHash() };
}
