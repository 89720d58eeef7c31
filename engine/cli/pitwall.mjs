#!/usr/bin/env node
// The `pitwall` command. Runs the TypeScript sources directly through tsx: users never run a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
