/**
 * Espruino entry of the vector runner (bundle build/espruino/vectors.js). Loading the
 * bundle defines one global function, `tsenseRunVectors(wire)`, which prints one line per
 * case and then `done <passed> <failed>`. The bundle is an IIFE: nothing else leaks out.
 */
import { runVectorText } from "../../../test-vectors/runner/run";
import { createPortableProvider } from "../../crypto/portable/provider";
import { espruinoRandomBytes } from "./random";

declare const print: (s: string) => void;
declare const global: { tsenseRunVectors?: (wire: string) => void };

function emit(line: string): void {
  print(line);
}

function tsenseRunVectors(wire: string): void {
  const totals = runVectorText(wire, createPortableProvider(espruinoRandomBytes), emit);
  print("done " + totals.passed + " " + totals.failed);
}

global.tsenseRunVectors = tsenseRunVectors;
