// The Worker: the HTTP API (POST /v1/validate, POST /v1/diagnose) on Cloudflare Workers and
// workerd, one component instance per request. DNS goes over HTTPS to DOH_URL.
//
// Configuration (wrangler.toml [vars], or bindings in gen/workerd.capnp):
//   DOH_URL         RFC 8484 endpoint (default https://cloudflare-dns.com/dns-query, validating)
//   ALLOW_RESERVED  reserved blocks this deployment treats as public, e.g. for a test network
//                   "198.51.100.0/24,2001:db8::/32" (default: none, as Let's Encrypt)

import { MODULES } from '../../gen/worker-modules.js';
import { deploymentSettings, handleRequest, problem, readBody, responseHeaders } from '../api.js';
import { Checker } from '../checker.js';
import { workerdBackend } from './backend.js';

const DEFAULT_DOH_URL = 'https://cloudflare-dns.com/dns-query';

/** The compiled component and the deployment's settings, made once per isolate. */
let server = null;

function setUp(env) {
  const checker = new Checker(MODULES);
  const allowReserved = env.ALLOW_RESERVED ? String(env.ALLOW_RESERVED) : undefined;
  const settings = deploymentSettings(checker, { allowReserved }, undefined);
  if ('err' in settings) return { error: `ALLOW_RESERVED: ${settings.err}` };
  return {
    checker,
    backend: workerdBackend(env.DOH_URL ? String(env.DOH_URL) : DEFAULT_DOH_URL),
    allowReserved: settings.ok.allowReserved,
    resolver: undefined,
    resolverField: false,
    sessions: { running: 0 },
  };
}

export default {
  async fetch(request, env) {
    server ??= setUp(env);
    let answer;
    if (server.error) {
      answer = problem(500, 'serverInternal', server.error);
    } else if (request.headers.has('transfer-encoding') && !request.headers.has('content-length')) {
      answer = problem(411, 'malformed', 'send the body with Content-Length');
    } else {
      const path = new URL(request.url).pathname;
      const body = request.method === 'POST' && request.body ? await readBody(chunks(request.body)) : '';
      answer = await handleRequest(server, { method: request.method, path, body });
    }
    return new Response(answer.body, { status: answer.status, headers: responseHeaders(answer) });
  },
};

/** A ReadableStream's chunks; stops reading when the caller stops iterating. */
async function* chunks(stream) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
