//! Reserved IP addresses: port of `iana/ip.go` at Boulder 2d00c8e, which embeds the IANA IPv4
//! and IPv6 Special-Purpose Address Registries (`iana/data/*.csv`, copied in `data/`; a test
//! checks the table below against them).
//!
//! Every address passes [`check`] before it may be dialled; only [`check`] makes a
//! [`UsableAddr`], so holding one proves the filter ran. Multicast (224.0.0.0/4, ff00::/8) is
//! not in the registries and is not reserved here (Boulder #8456 removed it).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A registry row: the text Boulder prints for an address in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reservation {
    /// The RFC column with runs of whitespace collapsed, e.g. `[RFC1122], Section 3.2.1.3`.
    pub rfc: &'static str,
    /// The Name column as the CSV holds it, e.g. `Private-Use` or `"This network"`.
    pub name: &'static str,
}

/// One address block of the registries.
struct Block {
    network: IpAddr,
    bits: u8,
    reservation: Reservation,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, bits: u8, rfc: &'static str, name: &'static str) -> Block {
    let network = IpAddr::V4(Ipv4Addr::new(a, b, c, d));
    Block {
        network,
        bits,
        reservation: Reservation { rfc, name },
    }
}

const fn v6(segments: [u16; 8], bits: u8, rfc: &'static str, name: &'static str) -> Block {
    let [a, b, c, d, e, f, g, h] = segments;
    let network = IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h));
    Block {
        network,
        bits,
        reservation: Reservation { rfc, name },
    }
}

const RFC1918: &str = "[RFC1918]";
const RFC1122: &str = "[RFC1122], Section 3.2.1.3";
const RFC5737: &str = "[RFC5737]";
const RFC4291: &str = "[RFC4291]";

/// The registries in CSV order, one entry per prefix (Boulder splits "a, b" rows).
#[rustfmt::skip]
static BLOCKS: [Block; 51] = [
    v4(0, 0, 0, 0, 8, "[RFC791], Section 3.2", "\"This network\""),
    v4(0, 0, 0, 0, 32, RFC1122, "\"This host on this network\""),
    v4(10, 0, 0, 0, 8, RFC1918, "Private-Use"),
    v4(100, 64, 0, 0, 10, "[RFC6598]", "Shared Address Space"),
    v4(127, 0, 0, 0, 8, RFC1122, "Loopback"),
    v4(169, 254, 0, 0, 16, "[RFC3927]", "Link Local"),
    v4(172, 16, 0, 0, 12, RFC1918, "Private-Use"),
    v4(192, 0, 0, 0, 24, "[RFC6890], Section 2.1", "IETF Protocol Assignments"),
    v4(192, 0, 0, 0, 29, "[RFC7335]", "IPv4 Service Continuity Prefix"),
    v4(192, 0, 0, 8, 32, "[RFC7600]", "IPv4 dummy address"),
    v4(192, 0, 0, 9, 32, "[RFC7723]", "Port Control Protocol Anycast"),
    v4(192, 0, 0, 10, 32, "[RFC8155]", "Traversal Using Relays around NAT Anycast"),
    v4(192, 0, 0, 170, 32, "[RFC8880][RFC7050], Section 2.2", "NAT64/DNS64 Discovery"),
    v4(192, 0, 0, 171, 32, "[RFC8880][RFC7050], Section 2.2", "NAT64/DNS64 Discovery"),
    v4(192, 0, 2, 0, 24, RFC5737, "Documentation (TEST-NET-1)"),
    v4(192, 31, 196, 0, 24, "[RFC7535]", "AS112-v4"),
    v4(192, 52, 193, 0, 24, "[RFC7450]", "AMT"),
    v4(192, 88, 99, 0, 24, "[RFC7526]", "Deprecated (6to4 Relay Anycast)"),
    v4(192, 88, 99, 2, 32, "[RFC6751]", "6a44-relay anycast address"),
    v4(192, 168, 0, 0, 16, RFC1918, "Private-Use"),
    v4(192, 175, 48, 0, 24, "[RFC7534]", "Direct Delegation AS112 Service"),
    v4(198, 18, 0, 0, 15, "[RFC2544]", "Benchmarking"),
    v4(198, 51, 100, 0, 24, RFC5737, "Documentation (TEST-NET-2)"),
    v4(203, 0, 113, 0, 24, RFC5737, "Documentation (TEST-NET-3)"),
    v4(240, 0, 0, 0, 4, "[RFC1112], Section 4", "Reserved"),
    v4(255, 255, 255, 255, 32, "[RFC8190] [RFC919], Section 7", "Limited Broadcast"),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, RFC4291, "Loopback Address"),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, RFC4291, "Unspecified Address"),
    v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, RFC4291, "IPv4-mapped Address"),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "[RFC6052]", "IPv4-IPv6 Translat."),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "[RFC8215]", "IPv4-IPv6 Translat."),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "[RFC6666]", "Discard-Only Address Block"),
    v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64, "[RFC9780]", "Dummy IPv6 Prefix"),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "[RFC2928]", "IETF Protocol Assignments"),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "[RFC4380] [RFC8190]", "TEREDO"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128, "[RFC7723]", "Port Control Protocol Anycast"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128, "[RFC8155]", "Traversal Using Relays around NAT Anycast"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128, "[RFC-ietf-dnssd-srp-25]", "DNS-SD Service Registration Protocol Anycast"),
    v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, "[RFC5180][RFC Errata 1752]", "Benchmarking"),
    v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32, "[RFC7450]", "AMT"),
    v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48, "[RFC7535]", "AS112-v6"),
    v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, "[RFC4843]", "Deprecated (previously ORCHID)"),
    v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, "[RFC7343]", "ORCHIDv2"),
    v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28, "[RFC9374]", "Drone Remote ID Protocol Entity Tags (DETs) Prefix"),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "[RFC3849]", "Documentation"),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "[RFC3056]", "6to4"),
    v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48, "[RFC7534]", "Direct Delegation AS112 Service"),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "[RFC9637]", "Documentation"),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "[RFC9602]", "Segment Routing (SRv6) SIDs"),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "[RFC4193] [RFC8190]", "Unique-Local"),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, RFC4291, "Link-Local Unicast"),
];

/// Port of `iana.IsReservedAddr`: the registry row for `address`, the most specific one when
/// blocks nest (Boulder sorts by prefix length). IPv4-mapped IPv6 is IPv6: it falls in
/// `::ffff:0:0/96`, never in an IPv4 block, as with Go's `netip.Prefix.Contains`.
pub fn reservation(address: IpAddr) -> Option<&'static Reservation> {
    BLOCKS
        .iter()
        .filter(|block| contains(block.network, block.bits, address))
        .max_by_key(|block| block.bits)
        .map(|block| &block.reservation)
}

/// Port of the check every address passes in Boulder (`isReservedIPFunc`): refused when
/// reserved, unless `allow` covers it (a test-only switch, like Boulder's test VA).
pub fn check(address: IpAddr, allow: &AllowList) -> Result<UsableAddr, ReservedAddress> {
    match reservation(address) {
        Some(reservation) if !allow.contains(address) => Err(ReservedAddress {
            address,
            reservation,
        }),
        _ => Ok(UsableAddr(address)),
    }
}

/// An address that passed [`check`]; only [`check`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UsableAddr(IpAddr);

impl UsableAddr {
    /// The address.
    pub fn into_inner(self) -> IpAddr {
        self.0
    }
}

impl fmt::Display for UsableAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why [`check`] refused an address; `Display` is Boulder's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReservedAddress {
    address: IpAddr,
    reservation: &'static Reservation,
}

impl ReservedAddress {
    /// The refused address.
    pub fn address(&self) -> IpAddr {
        self.address
    }

    /// The registry row it falls in.
    pub fn reservation(&self) -> &'static Reservation {
        self.reservation
    }
}

impl fmt::Display for ReservedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Reservation { rfc, name } = self.reservation;
        write!(
            f,
            "IP address is in a reserved address block: {rfc}: {name}"
        )
    }
}

impl std::error::Error for ReservedAddress {}

/// Reserved blocks to treat as public (test networks only; empty in production).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList {
    blocks: Vec<(IpAddr, u8)>,
}

impl AllowList {
    /// Parses `198.51.100.0/24,2001:db8::/32`: comma-separated CIDR blocks, spaces around
    /// items ignored, host bits zero.
    pub fn parse(list: &str) -> Result<AllowList, CidrError> {
        let mut blocks = Vec::new();
        for (index, item) in list.split(',').enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err(CidrError::EmptyItem {
                    position: index + 1,
                });
            }
            let (address, length) = item.split_once('/').ok_or_else(|| CidrError::NotCidr {
                item: item.to_string(),
            })?;
            let address: IpAddr = address.parse().map_err(|_| CidrError::BadAddress {
                item: item.to_string(),
            })?;
            if length.is_empty() || !length.bytes().all(|c| c.is_ascii_digit()) {
                return Err(CidrError::BadPrefixLength {
                    item: item.to_string(),
                });
            }
            let bits = length.parse::<u8>().unwrap_or(u8::MAX);
            blocks.push(checked_block(item, address, bits)?);
        }
        Ok(AllowList { blocks })
    }

    /// Builds the list from `(network, prefix length)` pairs, with the checks of [`parse`].
    ///
    /// [`parse`]: AllowList::parse
    pub fn from_blocks(
        blocks: impl IntoIterator<Item = (IpAddr, u8)>,
    ) -> Result<AllowList, CidrError> {
        let blocks = blocks
            .into_iter()
            .map(|(address, bits)| checked_block(&format!("{address}/{bits}"), address, bits))
            .collect::<Result<_, _>>()?;
        Ok(AllowList { blocks })
    }

    /// The blocks, as `(network, prefix length)`.
    pub fn blocks(&self) -> impl Iterator<Item = (IpAddr, u8)> + '_ {
        self.blocks.iter().copied()
    }

    /// Whether a block covers `address` (same family only).
    pub fn contains(&self, address: IpAddr) -> bool {
        self.blocks
            .iter()
            .any(|&(network, bits)| contains(network, bits, address))
    }
}

fn checked_block(item: &str, network: IpAddr, bits: u8) -> Result<(IpAddr, u8), CidrError> {
    let max = if network.is_ipv4() { 32 } else { 128 };
    if bits > max {
        return Err(CidrError::PrefixTooLong {
            item: item.to_string(),
            max,
        });
    }
    let masked = mask(network, bits);
    if masked != network {
        let network = format!("{masked}/{bits}");
        return Err(CidrError::HostBitsSet {
            item: item.to_string(),
            network,
        });
    }
    Ok((network, bits))
}

/// Why an allow-list item is not a usable CIDR block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrError {
    /// Nothing between two commas (1-based position).
    EmptyItem {
        /// Which item.
        position: usize,
    },
    /// No `/prefix-length`.
    NotCidr {
        /// The item.
        item: String,
    },
    /// The part before `/` is not an IP address.
    BadAddress {
        /// The item.
        item: String,
    },
    /// The part after `/` is not a number.
    BadPrefixLength {
        /// The item.
        item: String,
    },
    /// Longer than 32 (IPv4) or 128 (IPv6).
    PrefixTooLong {
        /// The item.
        item: String,
        /// The family's longest prefix.
        max: u8,
    },
    /// Bits after the prefix are set, e.g. `10.0.0.1/8`.
    HostBitsSet {
        /// The item.
        item: String,
        /// The block it probably means.
        network: String,
    },
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyItem { position } => write!(f, "item {position} of the block list is empty"),
            Self::NotCidr { item } => {
                write!(f, "{item:?} is not a CIDR block such as 198.51.100.0/24")
            }
            Self::BadAddress { item } => write!(f, "{item:?}: not an IPv4 or IPv6 address"),
            Self::BadPrefixLength { item } => {
                write!(f, "{item:?}: the prefix length is not a number")
            }
            Self::PrefixTooLong { item, max } => {
                write!(f, "{item:?}: the prefix length is longer than {max}")
            }
            Self::HostBitsSet { item, network } => {
                write!(f, "{item:?}: host bits are set; the block is {network}")
            }
        }
    }
}

impl std::error::Error for CidrError {}

/// Go's `netip.Prefix.Contains`: same family, first `bits` bits equal.
fn contains(network: IpAddr, bits: u8, address: IpAddr) -> bool {
    match (network, address) {
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
            mask(address, bits) == network
        }
        _ => false,
    }
}

/// `address` with every bit after the first `bits` cleared.
fn mask(address: IpAddr, bits: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let keep = u32::MAX
                .checked_shl(32 - u32::from(bits.min(32)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & keep))
        }
        IpAddr::V6(v6) => {
            let keep = u128::MAX
                .checked_shl(128 - u32::from(bits.min(128)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & keep))
        }
    }
}

#[cfg(test)]
mod tests;
