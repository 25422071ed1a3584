/**
 * `npm run bench -- relay --core`: the relay's own work per message, without TLS or
 * sockets: N sessions on one CommandHandler in this process, the "own" workload (SEND →
 * MSG → ACK + next SEND in one block) driven in a loop. Each received block is a fresh
 * 16 KiB buffer, as Node's TLS read hands the relay one. The time inside handleBlock is
 * the relay's; the rest (building and authenticating the client's blocks) is the driver's.
 * CPU time here is steadier than the socket bench on a shared machine (one thread, no
 * context switches between processes), so it is where relay changes are compared.
 */
import { getProvider } from "../../firmware/crypto/node/providers";
import type { Bytes } from "../../firmware/port/bytes";
import { SMP_BLOCK_SIZE } from "../../firmware/transport/smp/block";
import { encodeCommand } from "../../firmware/transport/smp/commands";
import { cbAuthenticate, cbKey } from "../../firmware/transport/smp/crypto-box";
import { parseBrokerMsg } from "../../firmware/transport/smp/responses";
import { SUPPORTED_SMP_VERSIONS } from "../../firmware/transport/smp/version";
import { CommandHandler } from "../relay/command-handler";
import { encodeBlocksFast, parseBlockFast, parseTransmissionFast, releaseBlock, signedBytesFast } from "../relay/fast-codec";
import { MemoryQueueStore } from "../relay/memory-queue-store";
import { corrIdSource } from "./corr-ids";

export interface CoreResult {
  messages: number;
  /** CPU time per message (µs): inside handleBlock, and the whole loop */
  relayUs: number;
  totalUs: number;
}

/** Runs `seconds` of the own workload over `conns` sessions; returns CPU time per message. */
export function runCore(conns: number, seconds: number, size: number, providerName: string): CoreResult {
  const provider = getProvider(providerName);
  const v = SUPPORTED_SMP_VERSIONS.max;
  const handler = new CommandHandler({ store: new MemoryQueueStore(), provider, quota: 16 });
  const newCorrId = corrIdSource(provider);
  const body = new Uint8Array(size).fill(0x61);
  const sendCmd = encodeCommand(v, { tag: "SEND", notification: false, body });
  // the relay's replies to session i land in replies[i] (the last block sent)
  const replies: (Bytes | undefined)[] = new Array(conns).fill(undefined);
  const sessions = Array.from({ length: conns }, (_, i) => {
    const serverDh = provider.randomBytes(32);
    const sessionId = provider.randomBytes(32);
    const s = handler.openSession({ sessionId, version: v, serverDhSecretKey: serverDh, send: (blocks) => void (replies[i] = blocks[blocks.length - 1]) });
    return { s, sessionId, serverDhPub: provider.x25519PublicKey(serverDh) };
  });
  const transmission = (sessionId: Bytes, entity: Bytes, cmdBytes: Bytes, authKey?: Bytes): Buffer => {
    const corrId = newCorrId();
    const authorized = Buffer.concat([Buffer.from([24]), corrId, Buffer.from([entity.length]), entity as Uint8Array, cmdBytes as Uint8Array]);
    const auth = authKey ? cbAuthenticate(provider, authKey, corrId, signedBytesFast(sessionId, authorized)) : new Uint8Array(0);
    return Buffer.concat([Buffer.from([auth.length]), auth as Uint8Array, authorized]);
  };
  const firstMsgId = (b: Bytes | undefined): Buffer | undefined => {
    for (const raw of (b && parseBlockFast(b)) ?? []) {
      const t = parseTransmissionFast(raw);
      const cmd = t?.command as Buffer | undefined;
      if (cmd && cmd[0] === 0x4d && cmd[1] === 0x53 && cmd[2] === 0x47) return cmd.subarray(5, 5 + cmd[4]);
    }
    return undefined;
  };
  // queues: NEW with an X25519 recipient key, subscribed
  const conn = sessions.map(({ s, sessionId, serverDhPub }, i) => {
    const rcvKey = provider.randomBytes(32);
    const authKey = cbKey(provider, serverDhPub, rcvKey);
    const cmd = encodeCommand(v, { tag: "NEW", rcvAuthKey: { alg: "x25519", key: provider.x25519PublicKey(rcvKey) }, rcvDhKey: { alg: "x25519", key: provider.x25519PublicKey(provider.randomBytes(32)) }, basicAuth: undefined, subscribe: true, sndSecure: false });
    s.handleBlock(encodeBlocksFast([transmission(sessionId, new Uint8Array(0), cmd, authKey)])[0]);
    const ts = parseBlockFast(replies[i]!);
    const m = ts && parseBrokerMsg(v, parseTransmissionFast(ts[0])!.command);
    if (!m || !m.ok || m.msg.tag !== "IDS") throw new Error("NEW failed in the core bench");
    const rid = m.msg.rcvId as Uint8Array;
    const sid = m.msg.sndId as Uint8Array;
    // ACK + next SEND: a template per session; per message the corrIds, msgId and authenticator
    const ackT = transmission(sessionId, rid, encodeCommand(v, { tag: "ACK", msgId: new Uint8Array(24) }), authKey);
    const [template] = encodeBlocksFast([ackT, transmission(sessionId, sid, sendCmd)]);
    const ackAt = 5;
    const ackCorrAt = ackAt + 1 + 80 + 1;
    const sendCorrAt = ackAt + ackT.length + 4;
    const prefix = Buffer.concat([Buffer.from([sessionId.length]), sessionId as Uint8Array]);
    const ackSend = (msgId: Buffer): Buffer => {
      const b = Buffer.allocUnsafe(SMP_BLOCK_SIZE);
      template.copy(b);
      const corrId = newCorrId();
      corrId.copy(b, ackCorrAt);
      newCorrId().copy(b, sendCorrAt);
      msgId.copy(b, ackAt + ackT.length - 24);
      b.set(cbAuthenticate(provider, authKey, corrId, Buffer.concat([prefix, b.subarray(ackCorrAt - 1, ackAt + ackT.length)])) as Uint8Array, ackAt + 1);
      return b;
    };
    const firstSend = (): Buffer => {
      const b = Buffer.allocUnsafe(SMP_BLOCK_SIZE);
      encodeBlocksFast([transmission(sessionId, sid, sendCmd)])[0].copy(b);
      return b;
    };
    return { s, ackSend, firstSend };
  });
  for (let i = 0; i < conns; i++) conn[i].s.handleBlock(conn[i].firstSend());
  let messages = 0;
  let inRelayMs = 0;
  const msgIdCopy = Buffer.alloc(24);
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < conns; i++) {
      const reply = replies[i];
      const msgId = firstMsgId(reply);
      if (msgId === undefined || msgId.length !== 24) throw new Error("no MSG in the relay's reply");
      msgId.copy(msgIdCopy);
      releaseBlock(reply!); // as the TLS socket does once the block is written

      messages++;
      const block = conn[i].ackSend(msgIdCopy);
      const t0 = performance.now();
      conn[i].s.handleBlock(block);
      inRelayMs += performance.now() - t0;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const totalUs = (cpu.user + cpu.system) / messages;
  // the relay's share of the CPU time, in proportion to its share of the wall time
  const wallMs = seconds * 1000;
  return { messages, relayUs: (totalUs * inRelayMs) / wallMs, totalUs };
}
