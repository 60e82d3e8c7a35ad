//! `Content-Encoding: gzip` as Go's transport decodes it: `compress/gzip`'s reader (multi-member,
//! header and trailer checks) over the [`Inflater`], behind the transport's lazy `gzipReader`.
//!
//! Go's rules kept (`compress/gzip/gunzip.go`, unchanged from Go 1.19 to 1.26):
//! - a body that ends before any byte of a member ends the stream cleanly (also for the
//!   first member: an empty gzip body reads as empty); inside a header it is `unexpected EOF`;
//! - the header CRC (`FHCRC`) covers the header bytes before it, names and comments with
//!   their NUL included;
//! - a name or comment of 512 bytes or more without its NUL is `gzip: invalid header`;
//! - after a member, anything but the end of the body must be another member.
//!
//! Decoded bytes are passed to a [`Sink`] together with the points where Go's reader returns
//! them: the body limit is judged at those points (see `body.rs`).

use super::error::BodyError;
use super::gzip_header::{crc32_update, Header, HeaderEnd};
use super::inflate::{Flow, Inflater, Output, Status, Terminal};

/// Input is taken in pieces of at most this size, so a huge push is never copied whole.
const PIECE: usize = 4096;

/// What comes with the decoded bytes at a delivery point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Delivery {
    /// More may follow (`n, nil`).
    More,
    /// The body ended (`n, io.EOF`).
    End,
    /// Reading failed (`n, err`).
    Error(BodyError),
}

/// The consumer of decoded bytes.
pub(super) trait Sink {
    /// Decoded bytes, in order.
    fn data(&mut self, bytes: &[u8]);
    /// Go's reader returns the bytes decoded since the last delivery, with `delivery`.
    fn deliver(&mut self, delivery: Delivery) -> Flow;
    /// Whether the undelivered bytes are more than the reader still wants, so that Go's
    /// `Read` would return some of them without looking further.
    fn overflows(&self) -> bool;
}

/// Where the decoder is in the gzip stream.
#[derive(Debug)]
enum Stage {
    /// A member header; `first` for the first member.
    Header(Header),
    /// The member's DEFLATE data.
    Deflate,
    /// The member's CRC-32 and size.
    Trailer,
    /// Nothing more is read.
    Finished,
}

/// A gzip stream decoder with Go's behaviour.
pub(super) struct GzipDecoder {
    stage: Stage,
    input: Vec<u8>,
    inflater: Box<Inflater>,
    digest: u32,
    size: u32,
    trailer: Vec<u8>,
    after_member: bool,
}

impl GzipDecoder {
    /// A decoder at the start of the body.
    pub(super) fn new() -> GzipDecoder {
        GzipDecoder {
            stage: Stage::Header(Header::default()),
            input: Vec::new(),
            inflater: Box::new(Inflater::new()),
            digest: 0,
            size: 0,
            trailer: Vec::new(),
            after_member: false,
        }
    }

    /// Decodes more of the body. `Stop` once the sink is satisfied or the stream ended.
    pub(super) fn push(&mut self, bytes: &[u8], sink: &mut impl Sink) -> Flow {
        for piece in bytes.chunks(PIECE) {
            self.input.extend_from_slice(piece);
            if self.run(None, sink) == Flow::Stop {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    /// The body ended (cleanly or with an error of the framing below).
    pub(super) fn finish(&mut self, end: Terminal, sink: &mut impl Sink) -> Flow {
        self.run(Some(&end), sink)
    }

    /// Runs the stages on the buffered input.
    fn run(&mut self, end: Option<&Terminal>, sink: &mut impl Sink) -> Flow {
        let input = std::mem::take(&mut self.input);
        let mut pos = 0;
        let flow = loop {
            let rest = input.get(pos..).unwrap_or_default();
            let (used, next) = match &mut self.stage {
                Stage::Finished => break Flow::Stop,
                Stage::Header(header) => {
                    let (used, outcome) = header.push(rest, end);
                    (used, outcome.map(|outcome| self.header_done(outcome, sink)))
                }
                Stage::Deflate => self.inflate(rest, end, sink),
                Stage::Trailer => self.read_trailer(rest, end, sink),
            };
            pos += used;
            match next {
                Some(Flow::Stop) => {
                    self.stage = Stage::Finished;
                    break Flow::Stop;
                }
                Some(Flow::Continue) => {}
                None => break Flow::Continue,
            }
        };
        self.input = input;
        self.input.drain(..pos.min(self.input.len()));
        flow
    }

    /// A header finished: start the member, or end the stream.
    fn header_done(&mut self, outcome: HeaderEnd, sink: &mut impl Sink) -> Flow {
        match outcome {
            HeaderEnd::Complete => {
                self.stage = Stage::Deflate;
                *self.inflater = Inflater::new();
                self.digest = 0;
                self.size = 0;
                self.trailer.clear();
                // After a member, Go's Read returns the member's last bytes now.
                match self.after_member {
                    true => sink.deliver(Delivery::More),
                    false => Flow::Continue,
                }
            }
            HeaderEnd::CleanEnd => sink.deliver(Delivery::End),
            HeaderEnd::Failed(error) => sink.deliver(Delivery::Error(error)),
        }
    }

    /// The DEFLATE data of a member. Returns the bytes used and what to do next.
    fn inflate(
        &mut self,
        rest: &[u8],
        end: Option<&Terminal>,
        sink: &mut impl Sink,
    ) -> (usize, Option<Flow>) {
        let mut output = Decoded {
            sink,
            digest: &mut self.digest,
            size: &mut self.size,
        };
        let (used, status) = self.inflater.run(rest, end, &mut output);
        let next = match status {
            Status::NeedInput => None,
            Status::Stopped => Some(Flow::Stop),
            Status::Failed(error) => Some(sink_of(output).deliver(Delivery::Error(error))),
            Status::StreamEnd => {
                let sink = sink_of(output);
                if sink.overflows() {
                    Some(sink.deliver(Delivery::More))
                } else {
                    self.stage = Stage::Trailer;
                    Some(Flow::Continue)
                }
            }
        };
        (used, next)
    }

    /// The 8-byte trailer: CRC-32 and size of the member's data.
    fn read_trailer(
        &mut self,
        rest: &[u8],
        end: Option<&Terminal>,
        sink: &mut impl Sink,
    ) -> (usize, Option<Flow>) {
        let used = rest.len().min(8 - self.trailer.len());
        self.trailer.extend_from_slice(&rest[..used]);
        if self.trailer.len() < 8 {
            return match end {
                None => (used, None),
                // io.ReadFull; gunzip turns io.EOF into io.ErrUnexpectedEOF here.
                Some(end) => (used, Some(sink.deliver(Delivery::Error(end.no_eof())))),
            };
        }
        let digest = u32::from_le_bytes([
            self.trailer[0],
            self.trailer[1],
            self.trailer[2],
            self.trailer[3],
        ]);
        let size = u32::from_le_bytes([
            self.trailer[4],
            self.trailer[5],
            self.trailer[6],
            self.trailer[7],
        ]);
        if digest != self.digest || size != self.size {
            return (
                used,
                Some(sink.deliver(Delivery::Error(BodyError::GzipChecksum))),
            );
        }
        // Multistream: the next member, or the end.
        self.stage = Stage::Header(Header::default());
        self.after_member = true;
        (used, Some(Flow::Continue))
    }
}

/// Gets the sink back out of the adapter.
fn sink_of<'a, S: Sink>(output: Decoded<'a, S>) -> &'a mut S {
    output.sink
}

/// The inflater's output: counts the member's CRC and size, and feeds the sink.
struct Decoded<'a, S> {
    sink: &'a mut S,
    digest: &'a mut u32,
    size: &'a mut u32,
}

impl<S: Sink> Output for Decoded<'_, S> {
    fn write(&mut self, bytes: &[u8]) {
        *self.digest = crc32_update(*self.digest, bytes);
        *self.size = self.size.wrapping_add(bytes.len() as u32);
        self.sink.data(bytes);
    }

    fn flush(&mut self) -> Flow {
        self.sink.deliver(Delivery::More)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A gzip member built with miniz_oxide's deflate and a hand-written header and trailer.
    pub(in crate::http) fn member(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend_from_slice(&crc32_update(0, data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    /// Records the data and the deliveries, wanting everything.
    #[derive(Default)]
    struct Record {
        bytes: Vec<u8>,
        deliveries: Vec<(usize, Delivery)>,
    }

    impl Sink for Record {
        fn data(&mut self, bytes: &[u8]) {
            self.bytes.extend_from_slice(bytes);
        }
        fn deliver(&mut self, delivery: Delivery) -> Flow {
            let stop = delivery != Delivery::More;
            self.deliveries.push((self.bytes.len(), delivery));
            if stop {
                Flow::Stop
            } else {
                Flow::Continue
            }
        }
        fn overflows(&self) -> bool {
            false
        }
    }

    /// Decodes `input` in pieces of `step` bytes, then ends the body.
    fn decode(input: &[u8], step: usize) -> Record {
        let mut decoder = GzipDecoder::new();
        let mut record = Record::default();
        for piece in input.chunks(step.max(1)) {
            if decoder.push(piece, &mut record) == Flow::Stop {
                return record;
            }
        }
        decoder.finish(Terminal::Eof, &mut record);
        record
    }

    #[test]
    fn decodes_like_go() {
        use Delivery::{End, Error, More};
        let one = member(b"hello, gzip");
        let two = [member(b"first "), member(b"second")].concat();
        let mut bad_crc = member(b"data");
        let crc_at = bad_crc.len() - 8;
        bad_crc[crc_at] ^= 1;
        let mut bad_size = member(b"data");
        let size_at = bad_size.len() - 4;
        bad_size[size_at] ^= 1;
        let with = |tail: &[u8]| [one.clone(), tail.to_vec()].concat();
        /// Input, decoded body, and deliveries (body length at each, and what came with it).
        struct Row(Vec<u8>, &'static [u8], Vec<(usize, Delivery)>);
        let rows = [
            Row(one.clone(), b"hello, gzip", vec![(11, End)]),
            // After a member, Go's Read returns its data once the next header is read.
            Row(two, b"first second", vec![(6, More), (12, End)]),
            Row(Vec::new(), b"", vec![(0, End)]), // an empty body is an empty stream
            Row(bad_crc, b"data", vec![(4, Error(BodyError::GzipChecksum))]),
            Row(bad_size, b"data", vec![(4, Error(BodyError::GzipChecksum))]),
            // After a member: 1 to 9 bytes are a short header, 10 a bad one.
            Row(
                with(b"Z"),
                b"hello, gzip",
                vec![(11, Error(BodyError::UnexpectedEof))],
            ),
            Row(
                with(b"ZZZZZZZZZ"),
                b"hello, gzip",
                vec![(11, Error(BodyError::UnexpectedEof))],
            ),
            Row(
                with(b"ZZZZZZZZZZ"),
                b"hello, gzip",
                vec![(11, Error(BodyError::GzipHeader))],
            ),
            Row(
                one[..one.len() - 3].to_vec(),
                b"hello, gzip",
                vec![(11, Error(BodyError::UnexpectedEof))],
            ),
            Row(
                b"not gzip at all".to_vec(),
                b"",
                vec![(0, Error(BodyError::GzipHeader))],
            ),
            Row(
                b"\x1f\x8b".to_vec(),
                b"",
                vec![(0, Error(BodyError::UnexpectedEof))],
            ),
        ];
        for Row(input, body, deliveries) in rows {
            for step in [input.len(), 1, 5] {
                let record = decode(&input, step);
                assert_eq!(record.bytes, body, "{input:?} step {step}");
                assert_eq!(record.deliveries, deliveries, "{input:?} step {step}");
            }
        }
    }

    #[test]
    fn hands_out_full_windows_before_the_end() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let record = decode(&member(&data), 8192);
        assert_eq!(record.bytes, data);
        // Two full 32 KiB windows, then the rest with the end of the stream.
        let deliveries: Vec<usize> = record.deliveries.iter().map(|(at, _)| *at).collect();
        assert_eq!(deliveries, vec![32_768, 65_536, 70_000]);
        assert_eq!(
            record.deliveries.last().map(|(_, d)| d.clone()),
            Some(Delivery::End)
        );
    }
}
