export { Simulation } from './simulator.js';
export type { SimulationOptions, SimListener, SimUserEventListener } from './simulator.js';
export type { NetworkOptions } from './sim-network.js';
export { SimNetwork } from './sim-network.js';
export { EventQueue } from './event-queue.js';
export { runScenario, formatReport, percentile, reportPassed } from './scenario.js';
export type { ScenarioOptions, ScenarioReport, KillResult, JoinResult } from './scenario.js';
export { main, parseArgs } from './cli.js';
