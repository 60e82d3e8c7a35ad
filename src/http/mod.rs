//! HTTP/1.1 bytes as Go's `net/http` client writes and reads them, and Go's URL rules.
//!
//! `request.rs` writes Boulder's GET; `response.rs` reads a response incrementally (head in
//! `head.rs`/`mime.rs`, framing in `transfer.rs`/`chunked.rs`, gzip in `gzip*.rs` over a
//! port of Go's inflater in `inflate.rs`, `huffman.rs`, `bits.rs`, `dict.rs`); `url.rs` is
//! Go's `net/url`; `go_quote.rs` is Go's `%q`.

mod bits;
mod body;
mod chunked;
mod dict;
mod error;
mod go_quote;
mod gzip;
mod gzip_header;
mod head;
mod huffman;
mod inflate;
mod mime;
mod request;
mod response;
mod transfer;
mod url;

pub use go_quote::go_quote;
pub use request::{encode_request, RequestHead, LETS_ENCRYPT_USER_AGENT};
pub use response::{BodyError, HeadError, HttpError, MimeError, ResponseHead, ResponseReader};
pub use url::{parse_addr, GoAddr, GoUrl, ParseAddrError, UrlError, UrlErrorCause};
