//! The Luhn checksum (ISO/IEC 7812), used by payment cards and IMEIs.

/// Whether the digits pass Luhn. Non-digits make it false.
pub fn valid(digits: &[u8]) -> bool {
    if digits.len() < 2 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let d = (c - b'0') as u32;
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_numbers() {
        assert!(super::valid(b"4111111111111111"));
        // A check digit appended to a UnionPay body makes it valid; any other digit does not.
        let body = b"622202123456789012";
        let ok: Vec<u8> = (b'0'..=b'9')
            .filter(|&d| super::valid(&[&body[..], &[d]].concat()))
            .collect();
        assert_eq!(ok.len(), 1);
        assert!(super::valid(b"490154203237518"), "a published IMEI example");
        assert!(!super::valid(b"4111111111111112"));
        assert!(!super::valid(b"41111a1111111111"));
    }
}
