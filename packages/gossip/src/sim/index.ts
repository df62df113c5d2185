export { Simulation } from './simulator.js';
export type { SimulationOptions, SimListener, SimUserEventListener } from './simulator.js';
export { runScenario, formatReport, percentile, reportPassed } from './scenario.js';
export type { ScenarioOptions, ScenarioReport, KillResult, JoinResult } from './scenario.js';
export { main, parseArgs } from './cli.js';
