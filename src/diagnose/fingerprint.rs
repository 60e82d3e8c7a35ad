//! What identifies a web server in its answer, and how alike two answers are.
//!
//! Two requests for the same random path with the same `Host` reach the same server when the
//! status, the header names in order, `Server`, `Location` and the body agree. Volatile values
//! (dates, cookies, request ids) are left out by comparing header *names* only; a body that
//! differs by a few bytes is taken as dynamic content, not another server.

use crate::http::ResponseHead;
use crate::report::ResponseSummary;

/// The head of an answer, reduced to what identifies the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeadPrint {
    /// The status code.
    pub(crate) status: u16,
    /// The header names in arrival order.
    pub(crate) header_names: Vec<String>,
    /// The `Server` header.
    pub(crate) server: Option<String>,
    /// The `Location` header.
    pub(crate) location: Option<String>,
}

/// An answer's print: the head, and the body when it was read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Print {
    /// The head.
    pub(crate) head: HeadPrint,
    /// (length, SHA-256) of the whole body.
    pub(crate) body: Option<(u64, String)>,
}

/// How alike two answers are, with the differences in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Likeness {
    /// Nothing differs.
    Same,
    /// Only the header names or a few body bytes differ: most likely the same server.
    Similar(Vec<String>),
    /// Status, `Server`, `Location` or the body differ: another server or another site.
    Different(Vec<String>),
}

/// Bodies whose lengths differ by at most this many bytes (or 2 %) count as one page with
/// dynamic content.
const DYNAMIC_SLACK_BYTES: u64 = 16;

/// The print of a response head.
pub(crate) fn head_print(head: &ResponseHead) -> HeadPrint {
    HeadPrint {
        status: head.status,
        header_names: head.headers.iter().map(|(name, _)| name.clone()).collect(),
        server: head.header("Server").map(str::to_string),
        location: head.header("Location").map(str::to_string),
    }
}

/// The print of a probe's answer.
pub(crate) fn print_of(summary: &ResponseSummary) -> Print {
    Print {
        head: HeadPrint {
            status: summary.status,
            header_names: summary.header_names.clone(),
            server: summary.server.clone(),
            location: summary.location.clone(),
        },
        body: summary
            .body_complete
            .then(|| (summary.body_bytes, summary.body_sha256.clone())),
    }
}

/// How alike `a` and `b` are; the words name `a` first.
pub(crate) fn compare(a: &Print, b: &Print) -> Likeness {
    let mut different = Vec::new();
    let mut similar = Vec::new();
    if a.head.status != b.head.status {
        different.push(format!("status {} vs {}", a.head.status, b.head.status));
    }
    if a.head.server != b.head.server {
        different.push(format!(
            "Server {} vs {}",
            shown(&a.head.server),
            shown(&b.head.server)
        ));
    }
    if a.head.location != b.head.location {
        different.push(format!(
            "Location {} vs {}",
            shown(&a.head.location),
            shown(&b.head.location)
        ));
    }
    if a.head.header_names != b.head.header_names {
        similar.push(format!(
            "header names [{}] vs [{}]",
            a.head.header_names.join(", "),
            b.head.header_names.join(", ")
        ));
    }
    if let (Some((a_len, a_sha)), Some((b_len, b_sha))) = (&a.body, &b.body) {
        if a_sha != b_sha {
            let text = format!(
                "body {a_len} bytes (sha256 {}) vs {b_len} bytes (sha256 {})",
                short(a_sha),
                short(b_sha)
            );
            if close(*a_len, *b_len) {
                similar.push(format!("{text}: dynamic content?"));
            } else {
                different.push(text);
            }
        }
    }
    match (different.is_empty(), similar.is_empty()) {
        (true, true) => Likeness::Same,
        (true, false) => Likeness::Similar(similar),
        (false, _) => {
            different.extend(similar);
            Likeness::Different(different)
        }
    }
}

/// A one-line description of an answer, e.g. `404, Server nginx, 3 headers, body 153 bytes`.
pub(crate) fn describe(print: &Print) -> String {
    let mut text = format!(
        "{}, Server {}, {} header{}",
        print.head.status,
        shown(&print.head.server),
        print.head.header_names.len(),
        if print.head.header_names.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    if let Some(location) = &print.head.location {
        text.push_str(&format!(", Location {location}"));
    }
    if let Some((length, sha)) = &print.body {
        text.push_str(&format!(", body {length} bytes (sha256 {})", short(sha)));
    }
    text
}

fn close(a: u64, b: u64) -> bool {
    let gap = a.abs_diff(b);
    gap <= DYNAMIC_SLACK_BYTES || gap.saturating_mul(50) <= a.max(b)
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(value) => format!("{value:?}"),
        None => "(none)".to_string(),
    }
}

/// The first 12 hex digits of a digest.
pub(crate) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::{compare, HeadPrint, Likeness, Print};

    fn print(status: u16, server: &str, names: &[&str], body: Option<(u64, &str)>) -> Print {
        Print {
            head: HeadPrint {
                status,
                header_names: names.iter().map(|n| n.to_string()).collect(),
                server: Some(server.to_string()),
                location: None,
            },
            body: body.map(|(len, sha)| (len, sha.to_string())),
        }
    }

    #[test]
    fn likeness() {
        let base = print(404, "nginx", &["Server", "Date"], Some((153, "aa")));
        let rows = [
            (base.clone(), "same"), // identical answers
            (
                print(404, "nginx", &["Date", "Server"], Some((153, "aa"))),
                "similar",
            ), // order differs
            (
                print(404, "nginx", &["Server", "Date"], Some((160, "bb"))),
                "similar",
            ), // 7 bytes: dynamic
            (
                print(404, "nginx", &["Server", "Date"], Some((153, "bb"))),
                "similar",
            ), // same length
            (
                print(404, "nginx", &["Server", "Date"], Some((170, "bb"))),
                "different",
            ), // 17 bytes off
            (print(404, "nginx", &["Server", "Date"], None), "same"), // body unknown: not compared
            (
                print(200, "nginx", &["Server", "Date"], Some((153, "aa"))),
                "different",
            ), // status
            (
                print(404, "Apache", &["Server", "Date"], Some((153, "aa"))),
                "different",
            ), // Server
        ];
        for (other, expected) in rows {
            let got = match compare(&base, &other) {
                Likeness::Same => "same",
                Likeness::Similar(_) => "similar",
                Likeness::Different(_) => "different",
            };
            assert_eq!(got, expected, "{other:?}");
        }
    }

    #[test]
    fn large_bodies_get_two_percent() {
        let a = print(404, "x", &[], Some((10_000, "aa")));
        let near = print(404, "x", &[], Some((10_200, "bb"))); // exactly 2 %
        let far = print(404, "x", &[], Some((10_205, "bb"))); // just over 2 %
        assert!(matches!(compare(&a, &near), Likeness::Similar(_)));
        assert!(matches!(compare(&a, &far), Likeness::Different(_)));
    }
}
