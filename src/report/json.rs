//! JSON rendering of the challenge object, escaping strings as Go's `encoding/json` does
//! (Boulder's WFE marshals with it, so `<`, `>` and `&` appear as `\u003c`, `\u003e`, `\u0026`).

use std::fmt::Write;
use std::net::IpAddr;

use super::{Report, Status, ValidationRecord};

/// `{"type":…,"status":…,"error":{…},"validationRecord":[…]}`.
pub(crate) fn challenge_object(report: &Report) -> String {
    let mut out = String::with_capacity(512);
    out.push_str("{\"type\":");
    string(&mut out, report.challenge.name());
    out.push_str(",\"status\":");
    string(
        &mut out,
        match report.status {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
        },
    );
    if let Some(problem) = &report.problem {
        out.push_str(",\"error\":{\"type\":");
        string(&mut out, &problem.problem_type.to_string());
        out.push_str(",\"detail\":");
        string(&mut out, &problem.detail);
        let _ = write!(out, ",\"status\":{}}}", problem.problem_type.http_status());
    }
    out.push_str(",\"validationRecord\":[");
    for (i, record) in report.records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        validation_record(&mut out, record);
    }
    out.push_str("]}");
    out
}

pub(crate) fn validation_record(out: &mut String, record: &ValidationRecord) {
    out.push('{');
    if let Some(url) = &record.url {
        out.push_str("\"url\":");
        string(out, url);
        out.push(',');
    }
    out.push_str("\"hostname\":");
    string(out, &record.hostname);
    out.push_str(",\"port\":");
    string(out, &record.port.to_string());
    // Boulder's fields are `omitempty`: only a lookup failure's record lacks these.
    if !record.addresses_resolved.is_empty() {
        out.push_str(",\"addressesResolved\":");
        addresses(out, &record.addresses_resolved);
    }
    if let Some(address) = record.address_used {
        out.push_str(",\"addressUsed\":");
        string(out, &address.to_string());
    }
    if !record.addresses_tried.is_empty() {
        out.push_str(",\"addressesTried\":");
        addresses(out, &record.addresses_tried);
    }
    out.push('}');
}

fn addresses(out: &mut String, list: &[IpAddr]) {
    out.push('[');
    for (i, address) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, &address.to_string());
    }
    out.push(']');
}

/// Writes `value` as a JSON string the way Go's `encoding/json` does (HTML-safe escaping).
pub(crate) fn string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22 and newer write these two short forms.
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn strings_escape_like_go() {
        let rows = [
            ("plain", "\"plain\""),
            ("a\"b\\c", "\"a\\\"b\\\\c\""), // quotes and backslashes
            ("<a&b>", "\"\\u003ca\\u0026b\\u003e\""), // Go's HTML-safe escaping
            ("\n\r\t\u{1}", "\"\\n\\r\\t\\u0001\""), // control characters
            ("\u{8}\u{c}", "\"\\b\\f\""),   // Go 1.22's short escapes
            ("\u{2028}", "\"\\u2028\""),    // JavaScript line separator
            ("é\u{fffd}", "\"é\u{fffd}\""), // other Unicode stays as is
        ];
        for (input, expected) in rows {
            let mut out = String::new();
            string(&mut out, input);
            assert_eq!(out, expected, "input {input:?}");
        }
    }
}
