// The WASI imports of the checker component, for every JavaScript runtime alike.
//
// The component is sans-IO: Rust's standard library imports wasi:cli and wasi:io only for its
// print and panic paths. These stand-ins give it an empty environment, no stdin, and an stdout
// and stderr that are kept in memory (bounded), so a host can show a panic message after a
// trap, as the wasmtime host does. Nothing here touches the network, a file or a clock.

/** How much of the component's output is kept, as in the wasmtime host. */
const CAPTURE_LIMIT = 64 * 1024;

/** The interfaces provided here; `scripts/build.mjs` checks the component imports no other. */
export const PROVIDED = [
  'wasi:cli/environment',
  'wasi:cli/exit',
  'wasi:cli/stderr',
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/terminal-input',
  'wasi:cli/terminal-output',
  'wasi:cli/terminal-stderr',
  'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout',
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
  'wasi:random/insecure',
  'wasi:random/insecure-seed',
  'wasi:random/random',
];

/** `length` (a bigint) random bytes, at most 64 KiB per call. */
function randomBytes(length) {
  const out = new Uint8Array(Number(BigInt.asUintN(16, length)));
  return crypto.getRandomValues(out);
}

function randomU64() {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * Fresh imports for one instance, and a function returning what it wrote to stderr.
 * @returns {{imports: Record<string, object>, stderr: () => string}}
 */
export function wasiImports() {
  const captured = [];
  let capturedBytes = 0;

  class Pollable {
    block() {}
    ready() {
      return true;
    }
  }
  class IoError {
    toDebugString() {
      return 'stream error';
    }
  }
  class InputStream {}
  class OutputStream {
    constructor(keep) {
      this.keep = keep;
    }
    checkWrite() {
      return 65536n;
    }
    write(bytes) {
      if (this.keep && capturedBytes < CAPTURE_LIMIT) {
        const room = CAPTURE_LIMIT - capturedBytes;
        const kept = bytes.slice(0, room);
        captured.push(kept);
        capturedBytes += kept.length;
      }
    }
    blockingWriteAndFlush(bytes) {
      this.write(bytes);
    }
    flush() {}
    blockingFlush() {}
    subscribe() {
      return new Pollable();
    }
  }
  class TerminalInput {}
  class TerminalOutput {}

  const stdout = new OutputStream(false);
  const stderr = new OutputStream(true);
  const stdin = new InputStream();
  const imports = {
    'wasi:cli/environment': { getEnvironment: () => [], getArguments: () => [], initialCwd: () => undefined },
    'wasi:cli/exit': {
      exit(status) {
        throw new Error(`the checker component called exit (${status?.tag ?? 'unknown'})`);
      },
    },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll: (list) => new Uint32Array(list.map((_, i) => i)) },
    'wasi:io/streams': { InputStream, OutputStream },
    // Rust's HashMap seeds; the checker draws no randomness of its own (options.seed does).
    'wasi:random/insecure': { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    'wasi:random/insecure-seed': { insecureSeed: () => [randomU64(), randomU64()] },
    'wasi:random/random': { getRandomBytes: randomBytes, getRandomU64: randomU64 },
  };
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    imports,
    stderr: () => captured.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode(),
  };
}
