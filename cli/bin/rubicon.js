#!/usr/bin/env node
// The workspaces are TypeScript source: load tsx, then the real entry point.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr, cwd: process.cwd() });
