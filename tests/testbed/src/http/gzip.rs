//! Gzip member writer (RFC 1952) around miniz_oxide's deflate.

/// Compresses `data` into one gzip member.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        // The standard check value of CRC-32 over "123456789".
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip() {
        for body in [&b""[..], b"tok.thumb", &[b'a'; 5000]] {
            let gz = gzip(body);
            assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
            let deflated = &gz[10..gz.len() - 8];
            assert_eq!(
                miniz_oxide::inflate::decompress_to_vec(deflated).unwrap(),
                body
            );
            assert_eq!(gz[gz.len() - 8..gz.len() - 4], crc32(body).to_le_bytes());
        }
    }
}
