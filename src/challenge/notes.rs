//! Notes for the user where Let's Encrypt's public documentation and Boulder's code disagree
//! and the prediction follows the code (spec section 8).

use crate::challenge::cause::{Cause, FetchError};
use crate::http::GoUrl;
use crate::io::DialError;
use crate::policy::addresses::HttpValidationTarget;

/// Followed when the 11th redirect is: the documentation says 10.
pub(crate) const ELEVEN_REDIRECTS: &str = "Let's Encrypt's documentation says it follows up to 10 redirects; Boulder's code follows 11 and refuses the 12th.";

/// The notes a fallback after `error` deserves.
pub(crate) fn on_fallback(
    error: &FetchError,
    initial: &GoUrl,
    target: &HttpValidationTarget,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Cause::Dial(dial) = &error.cause {
        if *dial != DialError::Timeout {
            notes.push("Let's Encrypt's IPv6 page says the IPv4 retry happens only after connection timeouts; Boulder's code retries after any failed TCP connect, as here.".to_string());
        }
    }
    if error.url != initial.to_string() {
        notes.push(format!(
            "Let's Encrypt's IPv6 page says redirects get no IPv4 retry; in Boulder's code a failed connect at a redirect hop ({}) uses the one retry, which replays the whole chain from {} over IPv4.",
            error.url, initial
        ));
    }
    let v6 = target.available.iter().filter(|a| a.is_ipv6()).count();
    let v4 = target.available.len() - v6;
    if v6 > 1 || v4 > 1 {
        notes.push(format!(
            "{} has {v6} IPv6 and {v4} IPv4 addresses; Let's Encrypt only ever tries the first of each, whatever its documentation's \"one of the IPv4 addresses\" suggests.",
            target.host
        ));
    }
    notes
}
