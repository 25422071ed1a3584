export { Rng } from "./rng";
export { SensorModel, type ModelParams, type SensorFault, type CycleShape } from "./sensor-model";
export { DeviceModels, KIND_DEFAULTS, KINDS } from "./device-models";
