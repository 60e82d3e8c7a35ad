// The `acme-preflight` command line, shared by the Node and Deno hosts: the same arguments,
// output, JSON and exit codes as the wasmtime host (host-examples/wasmtime/src/main.rs).
// Parsing, checking and rendering all happen in the component; this file only wires them.
//
// Exit codes: 0 valid (or --help/--version), 1 invalid, 2 usage error, 3 failure of the host
// or the component.

import { Trap } from './checker.js';
import { randomSeed, runSession, SessionError } from './driver.js';

const USAGE = 2;
const FAILURE = 3;
/** The widest progress line, in characters (a wrapped line could not be cleared). */
const PROGRESS_WIDTH = 79;

/**
 * Runs the command line and returns the exit code.
 * @param {object} host
 * @param {string[]} host.args the arguments without the program name
 * @param {string|undefined} host.resolvConf the text of /etc/resolv.conf
 * @param {() => import('./checker.js').Checker} host.loadChecker
 * @param {object} host.backend the runtime's I/O (see driver.js)
 * @param {(text: string) => void} host.stdout
 * @param {(text: string) => void} host.stderr
 * @param {boolean} host.stdoutIsTerminal
 * @param {boolean} host.stderrIsTerminal
 * @param {string|undefined} host.noColor the NO_COLOR variable
 * @param {(checker, args: string[]) => Promise<number>} host.serve `acme-preflight serve ...`
 */
export async function runCli(host) {
  try {
    return await run(host);
  } catch (failure) {
    const [code, message] = failure instanceof Exit ? [failure.code, failure.message] : [FAILURE, String(failure?.stack ?? failure)];
    host.stderr(`acme-preflight: ${message.trimEnd()}\n`);
    return code;
  }
}

class Exit extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function run(host) {
  const { args } = host;
  if (args[0] === '--component' || args[0]?.startsWith('--component=')) {
    throw new Exit(USAGE, '--component: this host runs the component transpiled into it (gen/); rebuild it with `npm run build`');
  }
  let checker;
  try {
    checker = host.loadChecker();
  } catch (e) {
    throw new Exit(FAILURE, `cannot load the checker component: ${e?.message ?? e}`);
  }
  if (args[0] === 'serve') return host.serve(checker, args.slice(1));
  const instance = instantiate(checker);
  const parsed = guarded(() => instance.parseArgs(args, host.resolvConf));
  if ('err' in parsed) throw new Exit(USAGE, parsed.err);
  const command = parsed.ok;
  if (command.tag === 'print') {
    printOut(host, command.val);
    return 0;
  }
  return validate(host, instance, command.val);
}

/** Runs the session and prints its report; the exit code is the component's. */
async function validate(host, instance, invocation) {
  const options = { ...invocation.options, seed: randomSeed() };
  const line = progressLine(host);
  let report;
  try {
    report = await runSession(instance, invocation.job, options, invocation.resolver, host.backend, line);
  } catch (e) {
    if (e instanceof SessionError) throw new Exit(e.kind === 'rejected' ? USAGE : FAILURE, e.message);
    if (e instanceof Trap) throw new Exit(FAILURE, e.message);
    throw e;
  }
  const color = host.stdoutIsTerminal && !host.noColor;
  const text = guarded(() => instance.render(report, invocation.output, color));
  const code = guarded(() => instance.exitCode(report));
  printOut(host, text);
  return code;
}

function instantiate(checker) {
  try {
    return checker.instantiate();
  } catch (e) {
    throw new Exit(FAILURE, `cannot instantiate the checker component: ${e?.message ?? e}`);
  }
}

/** Calls into the component; a trap becomes exit 3 with the component's stderr. */
function guarded(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Trap) throw new Exit(FAILURE, e.message);
    throw e;
  }
}

/** Writes `text` to standard output, ending it with a newline. */
function printOut(host, text) {
  host.stdout(text.endsWith('\n') ? text : `${text}\n`);
}

/** The live progress line on standard error (a terminal only). */
function progressLine(host) {
  let shown = null;
  return {
    waiting(activity) {
      if (!host.stderrIsTerminal) return;
      // The text comes from the component: no control characters reach the terminal.
      const line = Array.from(activity, (c) => (/\p{Cc}/u.test(c) ? ' ' : c))
        .slice(0, PROGRESS_WIDTH)
        .join('');
      if (line !== shown) {
        host.stderr(`\r\x1b[2K${line}`);
        shown = line;
      }
    },
    finished() {
      if (shown !== null) {
        host.stderr('\r\x1b[2K');
        shown = null;
      }
    },
  };
}
