//! Bounded message decoding.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{
    Caa, Message, Rdata, Record, WireError, MAX_POINTERS, OPTION_EDE, TYPE_A, TYPE_AAAA, TYPE_CAA,
    TYPE_CNAME, TYPE_OPT, TYPE_TXT,
};

/// Decodes a message with exactly one question; answer, authority and additional records
/// are read (authority records are skipped), OPT gives `edns_udp_size` and `ede`.
pub fn decode(bytes: &[u8]) -> Result<Message, WireError> {
    let mut r = Reader { bytes, pos: 0 };
    let id = r.u16()?;
    let flags1 = r.u8()?;
    let flags2 = r.u8()?;
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    if counts[0] != 1 {
        return Err(WireError("QDCOUNT is not 1"));
    }
    let qname = r.name()?;
    let qtype = r.u16()?;
    let _qclass = r.u16()?;
    let mut msg = Message {
        id,
        qr: flags1 & 0x80 != 0,
        opcode: (flags1 >> 3) & 0x0f,
        aa: flags1 & 0x04 != 0,
        tc: flags1 & 0x02 != 0,
        rd: flags1 & 0x01 != 0,
        ra: flags2 & 0x80 != 0,
        rcode: flags2 & 0x0f,
        question: (qname, qtype),
        ..Message::default()
    };
    for (section, count) in counts.iter().enumerate().skip(1) {
        for _ in 0..*count {
            read_record(&mut r, &mut msg, section)?;
        }
    }
    Ok(msg)
}

fn read_record(r: &mut Reader<'_>, msg: &mut Message, section: usize) -> Result<(), WireError> {
    let name = r.name()?;
    let rtype = r.u16()?;
    let class = r.u16()?;
    let ttl = r.u32()?;
    let len = usize::from(r.u16()?);
    let start = r.pos;
    let data = r.take(len)?;
    if rtype == TYPE_OPT {
        msg.edns_udp_size = Some(class);
        msg.ede.extend(read_ede(data)?);
        return Ok(());
    }
    if section != 1 {
        return Ok(());
    }
    let rdata = match rtype {
        TYPE_A => Rdata::A(Ipv4Addr::from(
            <[u8; 4]>::try_from(data).map_err(|_| WireError("A length"))?,
        )),
        TYPE_AAAA => Rdata::Aaaa(Ipv6Addr::from(
            <[u8; 16]>::try_from(data).map_err(|_| WireError("AAAA length"))?,
        )),
        TYPE_CNAME => Rdata::Cname(
            Reader {
                bytes: r.bytes,
                pos: start,
            }
            .name()?,
        ),
        TYPE_CAA => read_caa(data)?,
        TYPE_TXT => Rdata::Txt(read_txt(data)?),
        other => Rdata::Other(other, data.to_vec()),
    };
    msg.answers.push(Record { name, ttl, rdata });
    Ok(())
}

fn read_ede(mut data: &[u8]) -> Result<Vec<(u16, String)>, WireError> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let mut r = Reader {
            bytes: data,
            pos: 0,
        };
        let code = r.u16()?;
        let len = usize::from(r.u16()?);
        let body = r.take(len)?;
        if code == OPTION_EDE && len >= 2 {
            let info = u16::from_be_bytes([body[0], body[1]]);
            out.push((info, String::from_utf8_lossy(&body[2..]).into_owned()));
        }
        data = &data[r.pos..];
    }
    Ok(out)
}

fn read_caa(data: &[u8]) -> Result<Rdata, WireError> {
    let mut r = Reader {
        bytes: data,
        pos: 0,
    };
    let flags = r.u8()?;
    let tag_len = usize::from(r.u8()?);
    let tag = String::from_utf8_lossy(r.take(tag_len)?).into_owned();
    let value = data[r.pos..].to_vec();
    Ok(Rdata::Caa(Caa { flags, tag, value }))
}

fn read_txt(data: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut r = Reader {
        bytes: data,
        pos: 0,
    };
    let mut out = Vec::new();
    while r.pos < data.len() {
        let len = usize::from(r.u8()?);
        out.extend_from_slice(r.take(len)?);
    }
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(WireError("length overflow"))?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(WireError("short message"))?;
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a name at `pos`, following compression pointers; leaves `pos` after it.
    fn name(&mut self) -> Result<String, WireError> {
        let mut name = String::new();
        let mut cursor = self.pos;
        let mut resume = None;
        let mut wire_len = 0usize;
        for _ in 0..=MAX_POINTERS + 127 {
            let len = *self.bytes.get(cursor).ok_or(WireError("short name"))?;
            match len & 0xc0 {
                0x00 if len == 0 => {
                    self.pos = resume.unwrap_or(cursor + 1);
                    return Ok(name);
                }
                0x00 => {
                    let end = cursor + 1 + usize::from(len);
                    let label = self
                        .bytes
                        .get(cursor + 1..end)
                        .ok_or(WireError("short label"))?;
                    wire_len += label.len() + 1;
                    if wire_len > 255 {
                        return Err(WireError("name longer than 255"));
                    }
                    push_label(&mut name, label);
                    cursor = end;
                }
                0xc0 => {
                    let low = *self
                        .bytes
                        .get(cursor + 1)
                        .ok_or(WireError("short pointer"))?;
                    resume.get_or_insert(cursor + 2);
                    cursor = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                }
                _ => return Err(WireError("reserved label type")),
            }
        }
        Err(WireError("too many labels or pointers"))
    }
}

fn push_label(name: &mut String, label: &[u8]) {
    if !name.is_empty() {
        name.push('.');
    }
    for &b in label {
        if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("\\{b:03}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::wire::encode;

    fn sample() -> Message {
        Message {
            id: 0xbeef,
            qr: true,
            rd: true,
            ra: true,
            rcode: 2,
            question: ("www.example.com".into(), TYPE_AAAA),
            answers: vec![
                Record {
                    name: "www.example.com".into(),
                    ttl: 60,
                    rdata: Rdata::Cname("dual.example.com".into()),
                },
                Record {
                    name: "dual.example.com".into(),
                    ttl: 60,
                    rdata: Rdata::Aaaa("2001:db8::10".parse().unwrap()),
                },
                Record {
                    name: "dual.example.com".into(),
                    ttl: 60,
                    rdata: Rdata::A("198.51.100.10".parse().unwrap()),
                },
                Record {
                    name: "example.com".into(),
                    ttl: 5,
                    rdata: Rdata::Caa(Caa::parse("128 issue \"letsencrypt.org\"").unwrap()),
                },
                Record {
                    name: "t.example.com".into(),
                    ttl: 5,
                    rdata: Rdata::Txt(vec![b'x'; 300]),
                },
            ],
            edns_udp_size: Some(1232),
            ede: vec![(6, "DNSSEC Bogus".into())],
            ..Message::default()
        }
    }

    #[test]
    fn round_trip() {
        let msg = sample();
        assert_eq!(decode(&encode(&msg)), Ok(msg));
    }

    #[test]
    fn every_prefix_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "prefix {n}");
        }
    }

    #[test]
    fn every_byte_flip_is_handled() {
        let bytes = encode(&sample());
        for i in 0..bytes.len() {
            let mut copy = bytes.clone();
            copy[i] ^= 0xff;
            let _ = decode(&copy);
        }
    }

    #[test]
    fn compression_pointers() {
        // Header, question "a.b" at 12, answer name = pointer to 12, CNAME rdata = "c" + pointer.
        let mut m = vec![0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
        m.extend_from_slice(&[1, b'a', 1, b'b', 0, 0, 5, 0, 1]);
        m.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, b'c', 0xc0, 14]);
        let msg = decode(&m).unwrap();
        assert_eq!(msg.answers[0].name, "a.b");
        assert_eq!(msg.answers[0].rdata, Rdata::Cname("c.b".into()));
        // A pointer to itself loops: refused, not hung.
        let mut looped = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        looped.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        assert!(decode(&looped).is_err());
    }

    #[test]
    fn odd_label_bytes_are_escaped() {
        let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[3, b'a', b'.', 0, 0, 0, 1, 0, 1]);
        let msg = decode(&m).unwrap();
        assert_eq!(msg.question.0, "a\\046\\000");
        // Echoing the question writes the same bytes back.
        assert_eq!(&encode(&msg)[12..], &m[12..]);
    }
}
