export { FaultPlan, MAX_CUT_UNITS, DEFAULT_REBOOT_OFF_MS, DEFAULT_RELAY_DOWNTIME_MS, type FaultEvent, type FaultHandlers, type LinkState } from "./fault-plan";
export { LinkProxy, type LinkProxyOptions, type LinkProxyStats } from "./link-proxy";
