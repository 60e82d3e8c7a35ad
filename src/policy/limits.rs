//! Boulder's fixed numbers, each with where it comes from (`va/http.go`, `va/va.go` at 2d00c8e).

/// `maxRedirect = 10` (`va/http.go`). The check `numRedirects > maxRedirect` runs before the
/// increment, so 11 redirects are followed and the 12th is refused.
pub const MAX_REDIRECT: u32 = 10;

/// `maxResponseSize = 128` (`va/http.go`): the validation reads at most this many body bytes,
/// and a body of this many or more fails. 128 leaves room for the 87-byte key authorization
/// plus trailing whitespace.
pub const MAX_RESPONSE_SIZE: usize = 128;

/// `maxPathSize = 2000` (`va/http.go`): the longest decoded redirect path accepted.
pub const MAX_PATH_SIZE: usize = 2000;

/// Go's `http.Client` drains up to this many body bytes of a redirect response before
/// following it (`maxBodySlurpSize` in net/http/client.go), when the body is that short or
/// of unknown length.
pub const MAX_BODY_SLURP_SIZE: usize = 2 << 10;

/// The gRPC server interceptor takes 20 ms off every incoming deadline (`grpc/interceptors.go`).
pub const GRPC_DEADLINE_SHAVE_MS: u64 = 20;

/// HTTP-01 validation takes another 200 ms off, once per validation (`va/http.go`).
pub const HTTP01_DEADLINE_SHAVE_MS: u64 = 200;

/// The dialer's deadline is 10 ms before the request's, so a connect that runs into the
/// deadline is still reported as a connect timeout (`va/http.go: newHTTPClient`).
pub const DIAL_DEADLINE_SHAVE_MS: u64 = 10;

/// Bytes asked for per receive: enough for a response head in one read, small in memory.
pub const RECEIVE_CHUNK: u32 = 16 * 1024;

/// The HTTP port Let's Encrypt validates on and the one HTTPS redirects use.
pub const HTTP_PORT: u16 = 80;

/// The HTTPS port.
pub const HTTPS_PORT: u16 = 443;
