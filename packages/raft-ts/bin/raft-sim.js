#!/usr/bin/env node
// Deterministic whole-cluster Raft simulator; see `raft-sim --help`. Runs the built package.
import { main } from '../dist/src/sim/cli.js';

process.exitCode = await main(process.argv.slice(2));
