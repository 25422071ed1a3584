export * from "./duration";
export * from "./mix";
export * from "./fleet-spec";
export * from "./cli-args";
