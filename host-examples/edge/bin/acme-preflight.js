#!/usr/bin/env node
// `acme-preflight` on Node (20 or newer): the wasmtime host's command line, output and exit codes.
import { main } from '../src/node/main.js';

const code = await main(process.argv.slice(2));
// Let standard output drain, then exit even if a socket or timer is still winding down.
process.stdout.write('', () => process.exit(code));
