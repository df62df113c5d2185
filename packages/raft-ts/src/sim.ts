// raft-ts/sim: the deterministic cluster simulator and the linearizability checker.
export { runSeed, Simulation, type SimOptions, type SimResult } from './sim/simulator.js';
export { checkHistory, checkOperations, type Model, type Operation, type CheckResult, type CheckReport } from './check/linearizability.js';
export { registerModel, type RegisterInput, type RegisterOutput } from './check/register-model.js';
export { INJECTABLE_BUGS } from './core/config.js';
