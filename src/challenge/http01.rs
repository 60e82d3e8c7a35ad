//! HTTP-01, step by step as Boulder does it: port of `va/http.go` (`validateHTTP01`,
//! `processHTTPValidation`, `processRedirect`) at 2d00c8e.

use std::net::IpAddr;

use crate::challenge::cause::{Cause, FetchError};
use crate::challenge::deadline::Deadline;
use crate::challenge::fetch::{send_request, Exchange, Response};
use crate::challenge::notes;
use crate::http::{go_quote, GoUrl};
use crate::job::{ChallengeType, Identifier, Options, Policy, Validation};
use crate::network::Network;
use crate::policy::addresses::{get_addrs, HttpValidationTarget};
use crate::policy::limits::{
    HTTP_PORT, MAX_BODY_SLURP_SIZE, MAX_PATH_SIZE, MAX_REDIRECT, MAX_RESPONSE_SIZE,
};
use crate::policy::redirect::{extract_request_target, TargetHost};
use crate::report::{Problem, ProblemType, Report, Status, ValidationRecord};

/// Port of `validateHTTP01`: fetch the key authorization file and compare it.
pub(crate) async fn validate<N: Network>(
    network: &N,
    validation: &Validation,
    options: &Options,
) -> Report {
    let mut run = Http01 {
        network,
        options,
        deadline: Deadline::http01(network.now_ms(), options.deadline_ms),
        records: Vec::new(),
        redirects: 0,
        notes: Vec::new(),
    };
    let path = format!("/.well-known/acme-challenge/{}", validation.token);
    let result = match run.process(&validation.identifier, &path).await {
        Ok(body) => compare(&body, &validation.key_authorization),
        Err(problem) => Err(problem),
    };
    let (status, problem) = match result {
        Ok(()) => (Status::Valid, None),
        Err(problem) => (Status::Invalid, Some(problem)),
    };
    Report {
        challenge: ChallengeType::Http01,
        status,
        problem,
        records: run.records,
        trace: Vec::new(),
        notes: run.notes,
        diagnosis: None,
    }
}

/// The key authorization check: trailing Unicode whitespace trimmed, leading kept, exact match.
fn compare(body: &[u8], key_authorization: &str) -> Result<(), Problem> {
    let payload = trim_trailing_whitespace(body);
    if payload == key_authorization.as_bytes() {
        return Ok(());
    }
    Err(Problem::new(
        ProblemType::Unauthorized,
        format!(
            "The key authorization file from the server did not match this challenge. Expected {} (got {})",
            go_quote(key_authorization.as_bytes()),
            go_quote(payload)
        ),
    ))
}

/// Go's `strings.TrimRightFunc(s, unicode.IsSpace)`: an invalid UTF-8 byte stops the trim.
fn trim_trailing_whitespace(mut bytes: &[u8]) -> &[u8] {
    loop {
        let Some(last) = last_char(bytes) else {
            return bytes;
        };
        if !last.is_whitespace() {
            return bytes;
        }
        bytes = &bytes[..bytes.len() - last.len_utf8()];
    }
}

/// The char that ends `bytes`, if they end in a valid UTF-8 sequence.
fn last_char(bytes: &[u8]) -> Option<char> {
    (1..=4.min(bytes.len())).find_map(|width| {
        let tail = std::str::from_utf8(&bytes[bytes.len() - width..]).ok()?;
        let mut chars = tail.chars();
        let c = chars.next()?;
        chars.next().is_none().then_some(c)
    })
}

/// The state `processHTTPValidation` keeps across the chain and the fallback.
struct Http01<'a, N> {
    network: &'a N,
    options: &'a Options,
    deadline: Deadline,
    /// One record per request attempt, in Boulder's order.
    records: Vec<ValidationRecord>,
    /// `numRedirects`: not reset by the fallback retry.
    redirects: u32,
    /// Where the documentation and the code disagree on this validation's path.
    notes: Vec<String>,
}

impl<N: Network> Http01<'_, N> {
    /// Port of `processHTTPValidation`: resolve, fetch (following redirects), retry once on the
    /// first IPv4 address after a dial error, then check status and body.
    async fn process(&mut self, identifier: &Identifier, path: &str) -> Result<Vec<u8>, Problem> {
        let target = self.initial_target(identifier).await?;
        let url = initial_url(identifier, path);
        self.records.push(record(&url, &target, target.first));
        let mut result = self.follow(&url, &target, target.first).await;
        if self.options.policy == Policy::Boulder {
            if let (Err(error), Some(v4)) = (&result, target.fallback) {
                if error.cause.allows_fallback() {
                    self.notes.extend(notes::on_fallback(error, &url, &target));
                    self.network.trace(format!(
                        "the IPv6 connection failed: Let's Encrypt retries {url} once, on {v4}"
                    ));
                    self.records.push(record(&url, &target, v4));
                    result = self.follow(&url, &target, v4).await;
                }
            }
        }
        let mut response = result.map_err(|error| error.problem(self.last_ip()))?;
        self.read_validation_body(&mut response).await
    }

    /// The identifier's target: its own address for IP identifiers, else DNS.
    async fn initial_target(
        &mut self,
        identifier: &Identifier,
    ) -> Result<HttpValidationTarget, Problem> {
        let available = match identifier {
            Identifier::Ip(address) => vec![*address],
            Identifier::Dns(name) => get_addrs(self.network, name, self.options, self.deadline)
                .await
                .map_err(|failure| Problem::new(ProblemType::Dns, failure.to_string()))?,
        };
        HttpValidationTarget::new(identifier.host(), HTTP_PORT, available)
            .ok_or_else(|| Problem::new(ProblemType::Dns, "no usable address"))
    }

    /// Status must be 200; at most 128 body bytes are read and 128 or more fail.
    async fn read_validation_body(
        &self,
        response: &mut Response<N::Connection>,
    ) -> Result<Vec<u8>, Problem> {
        let ip = self.last_ip();
        let url = self.last_url();
        let status = response.head().status;
        if status != 200 {
            let detail = format!("{ip}: Invalid response from {url}: {status}");
            return Err(Problem::new(ProblemType::Unauthorized, detail));
        }
        let body = response
            .read_body(self.network, self.deadline, MAX_RESPONSE_SIZE)
            .await
            .map_err(|error| {
                let detail = format!("{ip}: Error reading HTTP response body: {}", error.0);
                Problem::new(ProblemType::Unauthorized, detail)
            })?;
        if body.len() >= MAX_RESPONSE_SIZE {
            let detail = format!("{ip}: Invalid response from {url}: {}", go_quote(&body));
            return Err(Problem::new(ProblemType::Unauthorized, detail));
        }
        Ok(body)
    }

    /// Go's `client.Do` with Boulder's redirect hook: fetch, and follow redirects.
    async fn follow(
        &mut self,
        initial: &GoUrl,
        target: &HttpValidationTarget,
        address: IpAddr,
    ) -> Result<Response<N::Connection>, FetchError> {
        let mut url = initial.clone();
        let mut target = target.clone();
        let mut address = address;
        let mut referer: Option<String> = None;
        loop {
            let mut response = self
                .fetch_hop(&url, &target, address, referer.as_deref())
                .await?;
            let status = response.head().status;
            let location = match response.head().header("Location") {
                Some(location) if is_redirect(status) && !location.is_empty() => {
                    location.to_string()
                }
                _ => return Ok(response),
            };
            let next = url.join(&location).map_err(|error| FetchError {
                url: url.to_string(),
                cause: Cause::LocationParse(error.to_string()),
            })?;
            let tls_version = response.tls_version();
            let hook = self.process_redirect(next, status, tls_version).await;
            self.slurp(&mut response).await;
            let (next, next_target) = hook.map_err(|cause| FetchError {
                url: location.clone(),
                cause,
            })?;
            referer = referer_for(&url, &next);
            address = next_target.first;
            url = next;
            target = next_target;
        }
    }

    /// One request of the chain. With the pending PR 8905 a dial error is retried right
    /// here, on the hop's own first IPv4 address.
    async fn fetch_hop(
        &mut self,
        url: &GoUrl,
        target: &HttpValidationTarget,
        address: IpAddr,
        referer: Option<&str>,
    ) -> Result<Response<N::Connection>, FetchError> {
        let mut result = self.fetch(url, target.port, address, referer).await;
        if self.options.policy == Policy::BoulderPr8905 {
            if let (Err(cause), Some(v4)) = (&result, target.fallback) {
                if cause.allows_fallback() && address != v4 {
                    self.network
                        .trace(format!("PR 8905: retrying {url} on {v4}"));
                    self.records.push(record(url, target, v4));
                    result = self.fetch(url, target.port, v4, referer).await;
                }
            }
        }
        result.map_err(|cause| FetchError {
            url: url.to_string(),
            cause,
        })
    }

    async fn fetch(
        &self,
        url: &GoUrl,
        port: u16,
        address: IpAddr,
        referer: Option<&str>,
    ) -> Result<Response<N::Connection>, Cause> {
        let host = url.host().to_string();
        let hostname = url.hostname().to_string();
        let request_uri = url.request_uri();
        let exchange = Exchange {
            address,
            port,
            request_uri: &request_uri,
            host: &host,
            referer,
            user_agent: &self.options.user_agent,
            // Go's transport speaks TLS for https URLs whatever the port (spec 3.9).
            tls_host: (url.scheme() == "https").then_some(hostname.as_str()),
        };
        let timeout = self.options.connect_timeout_ms;
        send_request(self.network, &exchange, self.deadline, timeout).await
    }

    /// Port of Boulder's `processRedirect` hook, checks in Boulder's order.
    async fn process_redirect(
        &mut self,
        mut next: GoUrl,
        status: u16,
        tls_version: Option<u16>,
    ) -> Result<(GoUrl, HttpValidationTarget), Cause> {
        if self.redirects > MAX_REDIRECT {
            return Err(Cause::TooManyRedirects);
        }
        self.redirects += 1;
        if self.redirects == MAX_REDIRECT + 1 {
            self.notes.push(notes::ELEVEN_REDIRECTS.to_string());
        }
        if tls_version.is_some_and(|version| version < TLS_1_2) {
            return Err(Cause::RedirectFromOldTls);
        }
        if !matches!(status, 301 | 302 | 307 | 308) {
            return Err(Cause::DisallowedRedirectStatus);
        }
        next.lowercase_host();
        let request_target =
            extract_request_target(&next, &self.options.allow_reserved).map_err(Cause::Redirect)?;
        if next.path().len() > MAX_PATH_SIZE {
            return Err(Cause::RedirectTooLong);
        }
        let next_string = next.to_string();
        if self
            .records
            .iter()
            .any(|r| r.url.as_deref() == Some(next_string.as_str()))
        {
            return Err(Cause::RedirectLoop);
        }
        self.network
            .trace(format!("redirected ({status}) to {next_string}"));
        let port = request_target.port;
        let (host, available) = match request_target.host {
            TargetHost::Ip(address) => {
                (address.into_inner().to_string(), vec![address.into_inner()])
            }
            TargetHost::Dns(name) => {
                let available = get_addrs(self.network, &name, self.options, self.deadline)
                    .await
                    .map_err(|failure| Cause::RedirectDns(failure.to_string()))?;
                (name, available)
            }
        };
        let target = HttpValidationTarget::new(host, port, available)
            .ok_or_else(|| Cause::RedirectDns("no usable address".to_string()))?;
        self.records.push(record(&next, &target, target.first));
        Ok((next, target))
    }

    /// Go drains up to 2 KiB of a redirect response's body before following it, when the body
    /// is that short or of unknown length; errors are ignored.
    async fn slurp(&self, response: &mut Response<N::Connection>) {
        let short = response
            .head()
            .content_length()
            .is_none_or(|length| length <= MAX_BODY_SLURP_SIZE as u64);
        if short {
            let _ = response
                .read_body(self.network, self.deadline, MAX_BODY_SLURP_SIZE)
                .await;
        }
    }

    /// `addressUsed` of the last record: the IP Boulder puts before every detail.
    fn last_ip(&self) -> IpAddr {
        self.records
            .last()
            .and_then(|record| record.address_used)
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    fn last_url(&self) -> String {
        self.records
            .last()
            .and_then(|record| record.url.clone())
            .unwrap_or_default()
    }
}

/// `tls.VersionTLS12`: `processRedirect` refuses redirects that came over anything older.
const TLS_1_2: u16 = 0x0303;

/// The statuses for which Go's client calls the redirect hook (when `Location` is set).
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Go's `refererForURL`: the previous URL without user info, none from https to http.
fn referer_for(previous: &GoUrl, next: &GoUrl) -> Option<String> {
    if previous.scheme() == "https" && next.scheme() == "http" {
        return None;
    }
    Some(previous.without_userinfo().to_string())
}

/// `http://<host>/.well-known/acme-challenge/<token>`, IPv6 literals in brackets.
fn initial_url(identifier: &Identifier, path: &str) -> GoUrl {
    let host = match identifier {
        Identifier::Ip(IpAddr::V6(v6)) => format!("[{v6}]"),
        other => other.host(),
    };
    GoUrl::http(&host, path)
}

fn record(url: &GoUrl, target: &HttpValidationTarget, address: IpAddr) -> ValidationRecord {
    ValidationRecord {
        url: Some(url.to_string()),
        hostname: target.host.clone(),
        port: target.port,
        addresses_resolved: target.available.clone(),
        address_used: Some(address),
        addresses_tried: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{compare, trim_trailing_whitespace};

    #[test]
    fn trims_like_go_trim_right_func() {
        let rows: [(&[u8], &[u8]); 6] = [
            (b"ka\n\r \t", b"ka"),      // TestHTTP: keyauth + "\n\r \t"
            (b" ka", b" ka"),           // leading whitespace is kept
            (b"ka\xc2\xa0", b"ka"),     // U+00A0 is a Unicode space
            (b"ka\xe3\x80\x80", b"ka"), // U+3000 too
            (b"ka\xff ", b"ka\xff"),    // invalid UTF-8 stops the trim
            (b"\x0b\x0c", b""),         // \v and \f
        ];
        for (input, expected) in rows {
            assert_eq!(trim_trailing_whitespace(input), expected, "{input:?}");
        }
    }

    #[test]
    fn mismatch_quotes_like_go() {
        let problem = compare(b"\xef\xffAABBCC", "ka").unwrap_err();
        assert_eq!(
            problem.detail,
            "The key authorization file from the server did not match this challenge. Expected \"ka\" (got \"\\xef\\xffAABBCC\")"
        );
    }
}
