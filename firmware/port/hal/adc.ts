/** ADC HAL: a calibrated reading in millivolts at the pin (before any external divider). */
export interface Adc {
  /** Millivolts on `channel`, or -1 when the channel cannot be read. */
  readMillivolts(channel: number): number;
}
