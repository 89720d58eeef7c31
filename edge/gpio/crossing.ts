/** One crossing as a sensor saw it: a lane (wiring a) or a car id (wirings b and c), stamped by the edge clock. */
export type Crossing = { atUs: number } & ({ lane: number } | { carId: string });
