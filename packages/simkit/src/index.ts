// @concord/simkit: what the deterministic simulators share.
export { type Prng, Xoshiro128, createPrng, shuffle } from './prng.js';
export { EventQueue } from './event-queue.js';
export { SimClock, SimTimers } from './sim-clock.js';
export { type Timers, type TimerHandle, realTimers } from './timers.js';
export { SimNetwork, type LinkFaults, type SimNetworkOptions } from './sim-network.js';
