//! TLS alerts as Go names them: port of `crypto/tls/alert.go` (`alertText`, `alert.String`).

/// Go's text for alert `code`: `tls: <description>`, or `tls: alert(<code>)` for codes Go's
/// table does not have.
pub(crate) fn alert_text(code: u8) -> String {
    match description(code) {
        Some(text) => format!("tls: {text}"),
        None => format!("tls: alert({code})"),
    }
}

/// Go's `alertText` table (Go 1.23 and later, which added `ech_required`).
fn description(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "close notify",
        10 => "unexpected message",
        20 => "bad record MAC",
        21 => "decryption failed",
        22 => "record overflow",
        30 => "decompression failure",
        40 => "handshake failure",
        42 => "bad certificate",
        43 => "unsupported certificate",
        44 => "revoked certificate",
        45 => "expired certificate",
        46 => "unknown certificate",
        47 => "illegal parameter",
        48 => "unknown certificate authority",
        49 => "access denied",
        50 => "error decoding message",
        51 => "error decrypting message",
        60 => "export restriction",
        70 => "protocol version not supported",
        71 => "insufficient security level",
        80 => "internal error",
        86 => "inappropriate fallback",
        90 => "user canceled",
        100 => "no renegotiation",
        109 => "missing extension",
        110 => "unsupported extension",
        111 => "certificate unobtainable",
        112 => "unrecognized name",
        113 => "bad certificate status response",
        114 => "bad certificate hash value",
        115 => "unknown PSK identity",
        116 => "certificate required",
        120 => "no application protocol",
        121 => "encrypted client hello required",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::alert_text;

    #[test]
    fn texts_match_go() {
        let rows = [
            (40, "tls: handshake failure"),              // the common refusal
            (70, "tls: protocol version not supported"), // TLS 1.1-only servers
            (112, "tls: unrecognized name"),             // SNI refused
            (120, "tls: no application protocol"),       // acme-tls/1 not served
            (20, "tls: bad record MAC"),                 // Go's capital MAC
            (1, "tls: alert(1)"),                        // unknown codes by number
            (255, "tls: alert(255)"),                    // the largest code
        ];
        for (code, text) in rows {
            assert_eq!(alert_text(code), text);
        }
    }
}
