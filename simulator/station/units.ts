/** Physical units and Home Assistant device classes of the reading kinds (firmware/app/app-protocol.ts). */
export interface KindInfo {
  unit: string;
  deviceClass: string;
  decimals: number;
}

export const KIND_INFO: Record<string, KindInfo> = {
  temperature: { unit: "°C", deviceClass: "temperature", decimals: 2 },
  humidity: { unit: "%", deviceClass: "humidity", decimals: 2 },
  pressure: { unit: "hPa", deviceClass: "atmospheric_pressure", decimals: 2 },
  illuminance: { unit: "lx", deviceClass: "illuminance", decimals: 2 },
  battery: { unit: "V", deviceClass: "voltage", decimals: 3 },
};
