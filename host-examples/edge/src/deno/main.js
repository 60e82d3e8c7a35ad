// The Deno host: `acme-preflight` with the wasmtime host's command line, plus `serve`.
//   deno run --allow-net --allow-read --allow-env=NO_COLOR,JCO_DEBUG --unstable-net src/deno/main.js ...
// (bin/acme-preflight-deno runs exactly that.)

import { deploymentSettings, handleRequest, listenAddress, problem, readBody, responseHeaders, serveFlags, SERVE_USAGE } from '../api.js';
import { Checker } from '../checker.js';
import { runCli } from '../cli.js';
import { denoBackend } from './backend.js';

const encoder = new TextEncoder();

function write(stream, text) {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}

function readResolvConf() {
  try {
    return Deno.readTextFileSync('/etc/resolv.conf');
  } catch {
    return undefined;
  }
}

/** `acme-preflight serve`: the HTTP API until the process is killed. */
async function serve(checker, args) {
  const flags = serveFlags(args);
  if (flags === null) {
    write(Deno.stdout, SERVE_USAGE);
    return 0;
  }
  const listen = flags.error ? null : listenAddress(flags.listen);
  const settings = flags.error ? { err: flags.error } : deploymentSettings(checker, flags, readResolvConf());
  if ('err' in settings || !listen) {
    write(Deno.stderr, `acme-preflight: ${settings.err ?? `--listen ${flags.listen}: use ADDR:PORT`}\n`);
    return 2;
  }
  const server = { checker, backend: denoBackend(), ...settings.ok, sessions: { running: 0 } };
  const handler = async (request) => {
    const answer = await respond(server, request);
    return new Response(answer.body, { status: answer.status, headers: responseHeaders(answer) });
  };
  try {
    const http = Deno.serve(
      {
        hostname: listen.hostname,
        port: listen.port,
        onListen: ({ hostname, port }) => {
          const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
          write(Deno.stderr, `acme-preflight: listening on http://${shown}:${port}\n`);
        },
      },
      handler,
    );
    await http.finished;
  } catch (e) {
    write(Deno.stderr, `acme-preflight: cannot listen on ${flags.listen}: ${e.message}\n`);
    return 3;
  }
  return 0;
}

async function respond(server, request) {
  const path = new URL(request.url).pathname;
  const length = request.headers.get('content-length');
  if (request.headers.has('transfer-encoding')) return problem(411, 'malformed', 'send the body with Content-Length');
  if (length !== null && !/^\d+$/.test(length)) return problem(400, 'malformed', 'Content-Length is not a number');
  const body = request.method === 'POST' && request.body ? await readBody(request.body) : '';
  return handleRequest(server, { method: request.method, path, body });
}

const code = await runCli({
  args: Deno.args,
  resolvConf: readResolvConf(),
  loadChecker: () => Checker.fromBytes((name) => Deno.readFileSync(new URL(`../../gen/${name}`, import.meta.url))),
  backend: denoBackend(),
  stdout: (text) => write(Deno.stdout, text),
  stderr: (text) => write(Deno.stderr, text),
  stdoutIsTerminal: Deno.stdout.isTerminal(),
  stderrIsTerminal: Deno.stderr.isTerminal(),
  noColor: Deno.env.get('NO_COLOR'),
  serve,
});
Deno.exit(code);
