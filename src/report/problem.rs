//! ACME problem documents, as Boulder's `probs` package builds them.

use std::fmt;

/// The ACME problem types Boulder uses for challenge errors (`probs/probs.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemType {
    /// `connection`
    Connection,
    /// `dns`
    Dns,
    /// `malformed`
    Malformed,
    /// `tls`
    Tls,
    /// `unauthorized`
    Unauthorized,
    /// `caa`
    Caa,
    /// `serverInternal`
    ServerInternal,
}

impl ProblemType {
    /// The type's name without the `urn:ietf:params:acme:error:` namespace.
    pub fn name(self) -> &'static str {
        match self {
            ProblemType::Connection => "connection",
            ProblemType::Dns => "dns",
            ProblemType::Malformed => "malformed",
            ProblemType::Tls => "tls",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::Caa => "caa",
            ProblemType::ServerInternal => "serverInternal",
        }
    }

    /// The HTTP status Boulder attaches to the type (`probs/probs.go`).
    pub fn http_status(self) -> u16 {
        match self {
            ProblemType::Unauthorized | ProblemType::Caa => 403,
            ProblemType::ServerInternal => 500,
            _ => 400,
        }
    }
}

impl fmt::Display for ProblemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "urn:ietf:params:acme:error:{}", self.name())
    }
}

/// A problem document: type and Boulder's detail text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The problem type.
    pub problem_type: ProblemType,
    /// The detail, byte for byte as Boulder writes it.
    pub detail: String,
}

impl Problem {
    /// A problem of `problem_type` with `detail`.
    pub fn new(problem_type: ProblemType, detail: impl Into<String>) -> Self {
        Problem {
            problem_type,
            detail: detail.into(),
        }
    }
}
