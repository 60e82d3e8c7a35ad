//! A small JSON parser (RFC 8259) for API request bodies: whole documents only, bounded depth,
//! no panics, no recursion deeper than [`MAX_DEPTH`], and every error names the byte offset.
//!
//! Numbers stay as their text (checked against the grammar): the API decides what a number
//! means. Objects keep their members in order, duplicates included; the caller rejects them.

use std::fmt;

/// How deeply arrays and objects may nest (the document itself is depth 1).
pub const MAX_DEPTH: usize = 16;

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (grammar-checked).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in document order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// What kind of value this is, for error messages ("a string", "an array", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Why a text is not one JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset where parsing stopped.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// Parses `text` as exactly one JSON value, surrounded by optional whitespace.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        position: 0,
    };
    let value = parser.value(1)?;
    parser.skip_whitespace();
    if parser.position < parser.bytes.len() {
        return Err(parser.error("unexpected data after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Parser<'_> {
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name in double quotes"));
            }
            let name = self.string()?;
            self.skip_whitespace();
            if !self.eat(b':') {
                return Err(self.error("expected ':' after a member name"));
            }
            let value = self.value(depth.saturating_add(1))?;
            members.push((name, value));
            self.skip_whitespace();
            if self.eat(b'}') {
                return Ok(Value::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or '}' in an object"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth.saturating_add(1))?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or ']' in an array"));
            }
        }
    }

    /// Consumes the opening bracket of a container at `depth`.
    fn enter(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("arrays and objects nest too deeply"));
        }
        self.position = self.position.saturating_add(1);
        Ok(())
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, JsonError> {
        let end = self.position.saturating_add(word.len());
        if self.bytes.get(self.position..end) != Some(word.as_bytes()) {
            return Err(self.error("expected true, false or null"));
        }
        self.position = end;
        Ok(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.position;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.position = self.position.saturating_add(1),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.eat(b'.') {
            self.required_digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.required_digits()?;
        }
        let text = self.bytes.get(start..self.position).unwrap_or_default();
        Ok(Value::Number(String::from_utf8_lossy(text).into_owned()))
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("expected a digit"));
        }
        self.digits();
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.position = self.position.saturating_add(1);
        }
    }

    /// A string from its opening quote; the input is UTF-8 already (a `&str`).
    fn string(&mut self) -> Result<String, JsonError> {
        self.position = self.position.saturating_add(1);
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    self.position = self.position.saturating_add(1);
                    let c = self.escape()?;
                    let mut buffer = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(byte) => {
                    out.push(byte);
                    self.position = self.position.saturating_add(1);
                }
            }
        }
        self.position = self.position.saturating_add(1);
        // Only whole UTF-8 sequences of the input and encoded chars were copied.
        String::from_utf8(out).map_err(|_| self.error("invalid UTF-8 in a string"))
    }

    /// The character of an escape, the backslash consumed.
    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(byte) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.position = self.position.saturating_add(1);
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(self.error("invalid escape in a string")),
        })
    }

    /// `\uXXXX`, a UTF-16 surrogate pair written as two escapes included.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(self.error("lone UTF-16 surrogate in a string"));
                }
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return Err(self.error("lone UTF-16 surrogate in a string"));
                }
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(self.error("lone UTF-16 surrogate in a string")),
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
            value = (value << 4) | digit;
            self.position = self.position.saturating_add(1);
        }
        Ok(value)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.position = self.position.saturating_add(1);
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.position = self.position.saturating_add(1);
        }
        found
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.position,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, Value, MAX_DEPTH};

    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    fn n(text: &str) -> Value {
        Value::Number(text.to_string())
    }

    #[test]
    fn parses_valid_documents() {
        let rows: Vec<(&str, Value)> = vec![
            // Scalars at the top level, as RFC 8259 allows.
            ("null", Value::Null),
            ("true", Value::Bool(true)),
            (" false ", Value::Bool(false)),
            // Numbers keep their text; every part of the grammar.
            ("0", n("0")),
            ("-12.5e+3", n("-12.5e+3")),
            ("1E-2", n("1E-2")),
            // Escapes, including a surrogate pair and an escaped slash.
            (r#""a\"\\\/\b\f\n\r\t""#, s("a\"\\/\u{8}\u{c}\n\r\t")),
            (r#""\u00e9\ud83d\ude00""#, s("é😀")),
            // Raw UTF-8 passes through.
            ("\"héllo\"", s("héllo")),
            // Containers, empty and not, with whitespace everywhere.
            ("[]", Value::Array(vec![])),
            (" { } ", Value::Object(vec![])),
            (
                "{ \"a\" : [1, \"x\"], \"a\": null }",
                Value::Object(vec![
                    ("a".to_string(), Value::Array(vec![n("1"), s("x")])),
                    ("a".to_string(), Value::Null),
                ]),
            ),
        ];
        for (text, expected) in rows {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_invalid_documents() {
        let rows = [
            // Empty input and bare whitespace.
            ("", 0, "unexpected end of input"),
            ("  ", 2, "unexpected end of input"),
            // Trailing data and trailing commas.
            ("{} {}", 3, "unexpected data after the JSON value"),
            ("[1,]", 3, "expected a JSON value"),
            ("{\"a\":1,}", 7, "expected a member name in double quotes"),
            // Number grammar: leading zeros, bare sign, missing digits.
            ("01", 1, "unexpected data after the JSON value"),
            ("-", 1, "expected a digit"),
            ("1.", 2, "expected a digit"),
            ("1e+", 3, "expected a digit"),
            // Strings: unterminated, control character, bad escapes, lone surrogates.
            ("\"abc", 4, "unterminated string"),
            ("\"a\nb\"", 2, "control character in a string"),
            (r#""\x""#, 3, "invalid escape in a string"),
            (r#""\u12g4""#, 5, "expected four hex digits after \\u"),
            (r#""\ud800""#, 7, "lone UTF-16 surrogate in a string"),
            (r#""\udc00""#, 7, "lone UTF-16 surrogate in a string"),
            (r#""\ud800\u0041""#, 13, "lone UTF-16 surrogate in a string"),
            // Literals and members.
            ("nul", 0, "expected true, false or null"),
            ("{\"a\" 1}", 5, "expected ':' after a member name"),
            ("{a:1}", 1, "expected a member name in double quotes"),
            ("[1 2]", 3, "expected ',' or ']' in an array"),
            ("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' in an object"),
            ("'a'", 0, "expected a JSON value"),
        ];
        for (text, offset, reason) in rows {
            let error = parse(text).unwrap_err();
            assert_eq!((error.offset, error.reason), (offset, reason), "{text:?}");
        }
    }

    #[test]
    fn depth_limit_at_n_minus_1_n_and_n_plus_1() {
        for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(parse(&text).is_ok(), depth <= MAX_DEPTH, "depth {depth}");
        }
        // Deep nesting of objects fails at once, without recursion beyond the limit.
        let deep = "{\"a\":".repeat(100_000);
        assert_eq!(
            parse(&deep).unwrap_err().reason,
            "arrays and objects nest too deeply"
        );
    }

    #[test]
    fn every_proper_prefix_of_a_document_is_refused() {
        let text = r#"{"identifier":"example.com","deadline":[1.5e3,true,null],"x":"\u00e9"}"#;
        assert!(parse(text).is_ok());
        for end in 0..text.len() {
            if let Some(prefix) = text.get(..end) {
                assert!(parse(prefix).is_err(), "prefix {prefix:?}");
            }
        }
    }

    #[test]
    fn every_single_byte_is_parsed_without_panic() {
        for byte in 0..=255u8 {
            let text = String::from_utf8_lossy(&[b'[', byte, b']']).into_owned();
            let _ = parse(&text);
            let text = String::from_utf8_lossy(&[b'"', b'\\', byte, b'"']).into_owned();
            let _ = parse(&text);
        }
    }
}
