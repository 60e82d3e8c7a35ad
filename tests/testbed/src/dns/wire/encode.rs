//! Message encoding (no name compression).

use super::{Message, Rdata, Record, OPTION_EDE, TYPE_OPT};

/// Encodes a message (no name compression).
pub fn encode(msg: &Message) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&msg.id.to_be_bytes());
    let flags1 = (u8::from(msg.qr) << 7)
        | ((msg.opcode & 0x0f) << 3)
        | (u8::from(msg.aa) << 2)
        | (u8::from(msg.tc) << 1)
        | u8::from(msg.rd);
    out.push(flags1);
    out.push((u8::from(msg.ra) << 7) | (msg.rcode & 0x0f));
    let arcount = u16::from(msg.edns_udp_size.is_some() || !msg.ede.is_empty());
    let ancount = u16::try_from(msg.answers.len()).unwrap_or(u16::MAX);
    for count in [1, ancount, 0, arcount] {
        out.extend_from_slice(&count.to_be_bytes());
    }
    put_name(&mut out, &msg.question.0);
    out.extend_from_slice(&msg.question.1.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    for record in msg.answers.iter().take(usize::from(ancount)) {
        put_record(&mut out, record);
    }
    if arcount == 1 {
        put_opt(&mut out, msg.edns_udp_size.unwrap_or(1232), &msg.ede);
    }
    out
}

/// The first 12 + question bytes of `full` with TC set and no records: a truncated answer.
pub fn truncated(msg: &Message) -> Vec<u8> {
    let short = Message {
        tc: true,
        answers: Vec::new(),
        ede: Vec::new(),
        ..msg.clone()
    };
    encode(&short)
}

/// Writes a dotted name; `\DDD` escapes (as made by the decoder) become their byte.
fn put_name(out: &mut Vec<u8>, name: &str) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let bytes = unescape(label);
        let bytes = &bytes[..bytes.len().min(63)];
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    }
    out.push(0);
}

fn unescape(label: &str) -> Vec<u8> {
    let raw = label.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let code = raw
            .get(i + 1..i + 4)
            .filter(|d| raw[i] == b'\\' && d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<u8>().ok());
        match code {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

fn put_record(out: &mut Vec<u8>, record: &Record) {
    put_name(out, &record.name);
    out.extend_from_slice(&record.rdata.rtype().to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&record.ttl.to_be_bytes());
    let mut rdata = Vec::new();
    match &record.rdata {
        Rdata::A(a) => rdata.extend_from_slice(&a.octets()),
        Rdata::Aaaa(a) => rdata.extend_from_slice(&a.octets()),
        Rdata::Cname(target) => put_name(&mut rdata, target),
        Rdata::Caa(caa) => {
            rdata.push(caa.flags);
            rdata.push(caa.tag.len() as u8);
            rdata.extend_from_slice(caa.tag.as_bytes());
            rdata.extend_from_slice(&caa.value);
        }
        Rdata::Txt(text) => {
            for piece in text.chunks(255) {
                rdata.push(piece.len() as u8);
                rdata.extend_from_slice(piece);
            }
            if text.is_empty() {
                rdata.push(0);
            }
        }
        Rdata::Other(_, raw) => rdata.extend_from_slice(raw),
    }
    put_rdata(out, &rdata);
}

fn put_rdata(out: &mut Vec<u8>, rdata: &[u8]) {
    let len = u16::try_from(rdata.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&rdata[..usize::from(len)]);
}

fn put_opt(out: &mut Vec<u8>, udp_size: u16, ede: &[(u16, String)]) {
    out.push(0);
    out.extend_from_slice(&TYPE_OPT.to_be_bytes());
    out.extend_from_slice(&udp_size.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    let mut rdata = Vec::new();
    for (code, text) in ede {
        let text = &text.as_bytes()[..text.len().min(1000)];
        rdata.extend_from_slice(&OPTION_EDE.to_be_bytes());
        rdata.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
        rdata.extend_from_slice(&code.to_be_bytes());
        rdata.extend_from_slice(text);
    }
    put_rdata(out, &rdata);
}
