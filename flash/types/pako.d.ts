// pako ships no type declarations; this is the part flash/ uses.
declare module "pako" {
  export function deflate(data: Uint8Array, options?: { level?: number }): Uint8Array;
  export function inflate(data: Uint8Array): Uint8Array;
  export class Inflate {
    constructor(options?: { chunkSize?: number });
    onData: (chunk: Uint8Array) => void;
    push(data: Uint8Array, flushMode?: boolean | number): boolean;
    err: number;
    msg: string;
    ended: boolean;
  }
}
