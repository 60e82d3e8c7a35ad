// The HTTP API every server host offers (the Worker, Node, Deno and `acme-preflight serve` in
// the wasmtime host): POST /v1/validate and POST /v1/diagnose with a JSON body, answered with
// the CLI's JSON. The component parses the request (`cli.parse-request`): no host reads the
// JSON itself, so all of them accept, refuse and word errors alike.

import { Trap } from './checker.js';
import { randomSeed, runSession, SessionError } from './driver.js';

/** The largest body the component accepts; hosts read one byte more and let it say 413. */
export const MAX_BODY = 16 * 1024;
/** Sessions running at once per server; further requests get 503. */
export const MAX_SESSIONS = 32;

/** The help text of `serve`, as the wasmtime host prints it. */
export const SERVE_USAGE = `Usage: acme-preflight serve [--listen ADDR:PORT] [--allow-reserved CIDR[,CIDR]] [--resolver IP[:PORT]]

  --listen           address and port to listen on (default 127.0.0.1:8080)
  --allow-reserved   reserved blocks this deployment treats as public (test networks only);
                     requests may narrow them, never widen them
  --resolver         DNS resolver for requests that name none (default: /etc/resolv.conf)

POST /v1/validate or /v1/diagnose with a JSON body; see host-examples/edge/README.md.
`;

/** `serve`'s flags: `{listen, allowReserved, resolver}`, `null` for --help, or `{error}`. */
export function serveFlags(args) {
  const flags = { listen: '127.0.0.1:8080', allowReserved: undefined, resolver: undefined };
  const names = { '--listen': 'listen', '--allow-reserved': 'allowReserved', '--resolver': 'resolver' };
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '-h' || word === '--help') return null;
    if (!(word in names)) return { error: `serve: unknown argument ${JSON.stringify(word)}; see serve --help` };
    if (i + 1 >= args.length) return { error: `${word} needs a value` };
    flags[names[word]] = args[++i];
  }
  return flags;
}

/** `IPv4:PORT` or `[IPv6]:PORT` as `{hostname, port}`, or null (names are not resolved). */
export function listenAddress(text) {
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]+)\]):(\d{1,5})$/.exec(text);
  if (!match || Number(match[3]) > 65535) return null;
  if (match[1] && match[1].split('.').some((part) => Number(part) > 255)) return null;
  return { hostname: match[1] ?? match[2], port: Number(match[3]) };
}

/**
 * The deployment's settings, checked by the component's own command-line parser (a stand-in
 * `validate` command carries them), so every host reads them alike: `{ok: {allowReserved,
 * resolver}}` with WIT cidrs and socket-address, or `{err: message}`.
 */
export function deploymentSettings(checker, { allowReserved, resolver }, resolvConf) {
  const args = ['validate', 'example.com', '--token', 't', '--key-authorization', 't.t'];
  if (allowReserved !== undefined) args.push('--allow-reserved', allowReserved);
  if (resolver !== undefined) args.push('--resolver', resolver);
  const parsed = checker.instantiate().parseArgs(args, resolvConf);
  if ('err' in parsed) return parsed;
  if (parsed.ok.tag !== 'run') return { err: 'serve: unexpected arguments' };
  const invocation = parsed.ok.val;
  return { ok: { allowReserved: invocation.options.allowReserved, resolver: invocation.resolver } };
}

/**
 * Answers one request: `{status, headers, body}`.
 * @param {object} server `{checker, backend, allowReserved, resolver, resolverField, sessions}`;
 *   `resolverField` false refuses a request's `resolver` (DNS over HTTPS hosts);
 *   `sessions` counts running sessions (shared by the caller).
 * @param {{method: string, path: string, body: string}} request
 */
export async function handleRequest(server, { method, path, body }) {
  if (method !== 'POST') {
    return { ...problem(405, 'malformed', `${method} is not allowed: use POST`), allow: 'POST' };
  }
  if (server.sessions.running >= MAX_SESSIONS) {
    return problem(503, 'serverInternal', 'too many validations at once; retry shortly');
  }
  server.sessions.running++;
  try {
    return await answer(server, path, body);
  } catch (e) {
    if (e instanceof SessionError) {
      return problem(e.kind === 'rejected' ? 400 : 500, e.kind === 'rejected' ? 'malformed' : 'serverInternal', e.message);
    }
    return problem(500, 'serverInternal', e instanceof Trap ? e.message : `host failure: ${e?.message ?? e}`);
  } finally {
    server.sessions.running--;
  }
}

async function answer(server, path, body) {
  const instance = server.checker.instantiate();
  const parsed = instance.parseRequest(path, body, server.allowReserved);
  if ('err' in parsed) return response(parsed.err.status, 'application/problem+json', parsed.err.body);
  const invocation = parsed.ok;
  if (invocation.resolver !== undefined && server.resolverField === false) {
    return problem(400, 'malformed', 'resolver: this deployment resolves over DNS over HTTPS at its configured URL; leave resolver out');
  }
  const options = { ...invocation.options, seed: randomSeed() };
  const resolver = invocation.resolver ?? server.resolver;
  const report = await runSession(instance, invocation.job, options, resolver, server.backend);
  const text = instance.render(report, 'json', false);
  const exit = instance.exitCode(report);
  return { ...response(200, 'application/json', text), exit };
}

/** A problem document of the host's own (the component words request errors itself). */
export function problem(status, type, detail) {
  const body = JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status });
  return response(status, 'application/problem+json', body);
}

function response(status, contentType, body) {
  return { status, contentType, body };
}

/** The response's headers as pairs. */
export function responseHeaders(answer) {
  const headers = [['content-type', answer.contentType]];
  if (answer.exit !== undefined) headers.push(['x-acme-preflight-exit', String(answer.exit)]);
  if (answer.allow) headers.push(['allow', answer.allow]);
  return headers;
}

/** Reads at most MAX_BODY + 1 bytes of an async iterable of byte chunks, as text. */
export async function readBody(chunks) {
  const parts = [];
  let size = 0;
  for await (const chunk of chunks) {
    const room = MAX_BODY + 1 - size;
    parts.push(chunk.subarray(0, room));
    size += Math.min(chunk.length, room);
    if (size > MAX_BODY) break;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(all);
}
