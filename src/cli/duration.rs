//! Durations on the command line: `10s`, `1500ms`, `1.5s`, `2m`.

/// Parses a duration into milliseconds. A unit is required; at most `u32::MAX` ms.
pub fn parse_duration(text: &str) -> Result<u32, String> {
    let invalid =
        || format!("invalid duration {text:?}: use a number and a unit, e.g. 10s, 1500ms, 2m");
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(invalid)?;
    let (number, unit) = text.split_at(split);
    let scale: f64 = match unit {
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        _ => return Err(invalid()),
    };
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let ms = (value * scale).round();
    if ms > f64::from(u32::MAX) {
        return Err(format!("duration {text:?} is too long"));
    }
    Ok(ms as u32)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn parses_go_like_durations() {
        let rows = [
            ("10s", Ok(10_000)),   // Let's Encrypt's connect timeout
            ("1500ms", Ok(1_500)), // milliseconds
            ("1.5s", Ok(1_500)),   // fractions
            ("2m", Ok(120_000)),   // minutes
            ("0s", Ok(0)),         // zero is allowed
        ];
        for (text, expected) in rows {
            assert_eq!(parse_duration(text), expected, "{text}");
        }
        for bad in [
            "10",
            "s",
            "",
            "1.s",
            ".5s",
            "10h",
            "-1s",
            "1e3s",
            "99999999m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} must be refused");
        }
    }
}
