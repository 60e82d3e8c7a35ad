//! Hand-built responses for the tests of this module.

use super::name::encode_name;
use super::record::TYPE_OPT;

/// Wire form of a dotted name.
pub(super) fn wire(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    encode_name(name, &mut out).unwrap();
    out
}

/// A response assembled section by section; counts follow what is added.
pub(super) struct Builder {
    id: u16,
    flags: [u8; 2],
    counts: [u16; 4],
    body: Vec<u8>,
}

impl Builder {
    /// A response header: QR, RD and RA set, the given 4-bit RCODE.
    pub(super) fn response(id: u16, rcode: u8) -> Self {
        Self {
            id,
            flags: [0x81, 0x80 | (rcode & 0x0F)],
            counts: [0; 4],
            body: Vec::new(),
        }
    }

    /// Replaces both flag bytes.
    pub(super) fn flags(mut self, flags: [u8; 2]) -> Self {
        self.flags = flags;
        self
    }

    /// Offset the next byte will have in the built message.
    pub(super) fn offset(&self) -> usize {
        12 + self.body.len()
    }

    /// Adds a question (class IN) with a name in wire form.
    pub(super) fn question(self, name: &[u8], qtype: u16) -> Self {
        self.question_in(name, qtype, 1)
    }

    /// Adds a question of any class.
    pub(super) fn question_in(mut self, name: &[u8], qtype: u16, class: u16) -> Self {
        self.body.extend_from_slice(name);
        self.body.extend_from_slice(&qtype.to_be_bytes());
        self.body.extend_from_slice(&class.to_be_bytes());
        self.counts[0] += 1;
        self
    }

    /// Adds an answer record (class IN).
    pub(super) fn answer(self, name: &[u8], rtype: u16, ttl: u32, rdata: &[u8]) -> Self {
        self.record(1, name, rtype, 1, ttl, rdata)
    }

    /// Adds an authority record (class IN).
    pub(super) fn authority(self, name: &[u8], rtype: u16, rdata: &[u8]) -> Self {
        self.record(2, name, rtype, 1, 60, rdata)
    }

    /// Adds an OPT record with this EXTENDED-RCODE and these options.
    pub(super) fn opt(self, extended_rcode: u8, options: &[(u16, &[u8])]) -> Self {
        let mut rdata = Vec::new();
        for (code, data) in options {
            rdata.extend_from_slice(&code.to_be_bytes());
            rdata.extend_from_slice(&(data.len() as u16).to_be_bytes());
            rdata.extend_from_slice(data);
        }
        let ttl = u32::from(extended_rcode) << 24;
        self.record(3, b"\x00", TYPE_OPT, 1232, ttl, &rdata)
    }

    /// Adds a record to section 1 (answer), 2 (authority) or 3 (additional).
    pub(super) fn record(
        mut self,
        section: usize,
        name: &[u8],
        rtype: u16,
        class: u16,
        ttl: u32,
        rdata: &[u8],
    ) -> Self {
        self.body.extend_from_slice(name);
        self.body.extend_from_slice(&rtype.to_be_bytes());
        self.body.extend_from_slice(&class.to_be_bytes());
        self.body.extend_from_slice(&ttl.to_be_bytes());
        self.body
            .extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        self.body.extend_from_slice(rdata);
        self.counts[section] += 1;
        self
    }

    /// The message bytes.
    pub(super) fn build(&self) -> Vec<u8> {
        let mut out = self.id.to_be_bytes().to_vec();
        out.extend_from_slice(&self.flags);
        for count in self.counts {
            out.extend_from_slice(&count.to_be_bytes());
        }
        out.extend_from_slice(&self.body);
        out
    }
}
