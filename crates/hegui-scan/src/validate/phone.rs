//! Telephone numbers: mainland mobile numbers by their 3-digit prefix (including the 16x,
//! 17x and 19x ranges) and landline numbers by area code.

/// Whether an 11-digit number starts with an allocated mobile prefix.
pub fn mobile_prefix_ok(d: &[u8]) -> bool {
    if d.len() < 3 || d[0] != b'1' {
        return false;
    }
    let (a, b) = (d[1], d[2]);
    match a {
        b'3' | b'8' => true,
        b'4' => matches!(b, b'0' | b'1' | b'4'..=b'9'),
        b'5' => b != b'4',
        b'6' => matches!(b, b'2' | b'5' | b'6' | b'7'),
        b'7' => b != b'9',
        b'9' => b != b'4',
        _ => false,
    }
}

/// Whether digits (without the leading 0) start with a plausible area code: 10, 2x
/// (two-digit codes of the big cities) or a three-digit code 3xx–9xx. Returns its length.
pub fn area_code_len(d: &[u8]) -> Option<usize> {
    match d.first()? {
        b'1' if d.get(1) == Some(&b'0') => Some(2),
        b'2' if d.get(1).is_some_and(u8::is_ascii_digit) => Some(2),
        b'3'..=b'9' if d.len() >= 3 && d[..3].iter().all(u8::is_ascii_digit) => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_prefixes() {
        for ok in [
            "130", "139", "145", "147", "150", "153", "155", "162", "165", "166", "167", "170",
            "173", "177", "178", "180", "189", "190", "191", "193", "195", "199",
        ] {
            assert!(mobile_prefix_ok(ok.as_bytes()), "{ok}");
        }
        for bad in ["120", "154", "160", "164", "179", "194", "100", "230"] {
            assert!(!mobile_prefix_ok(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn area_codes() {
        assert_eq!(area_code_len(b"1012345678"), Some(2));
        assert_eq!(area_code_len(b"2112345678"), Some(2));
        assert_eq!(area_code_len(b"75512345678"), Some(3));
        assert_eq!(area_code_len(b"1112345678"), None);
    }
}
