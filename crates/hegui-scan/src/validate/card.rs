//! Payment card numbers: Luhn plus an issuer prefix (IIN) and a length the issuer uses.
//! Luhn alone passes 1 in 10 random digit strings; the prefix table is what gives precision.

use super::luhn;

/// The card network an IIN and length belong to, if any.
pub fn network(d: &[u8]) -> Option<&'static str> {
    let n = d.len();
    let p2 = || (d[0] - b'0') as u32 * 10 + (d[1] - b'0') as u32;
    let p4 = || d[..4].iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32);
    if n < 13 {
        return None;
    }
    match d[0] {
        b'6' if d[1] == b'2' && (16..=19).contains(&n) => Some("unionpay"),
        b'4' if n == 16 || n == 19 => Some("visa"),
        b'5' if (51..=55).contains(&p2()) && n == 16 => Some("mastercard"),
        b'2' if (2221..=2720).contains(&p4()) && n == 16 => Some("mastercard"),
        b'3' if (p2() == 34 || p2() == 37) && n == 15 => Some("amex"),
        b'3' if (3528..=3589).contains(&p4()) && (16..=19).contains(&n) => Some("jcb"),
        b'6' if (p4() == 6011 || p2() == 65) && (16..=19).contains(&n) => Some("discover"),
        _ => None,
    }
}

/// Whether the digits are a plausible payment card number.
pub fn valid(d: &[u8]) -> bool {
    network(d).is_some() && luhn::valid(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(body: &str) -> String {
        (b'0'..=b'9')
            .map(|c| format!("{body}{}", c as char))
            .find(|s| luhn::valid(s.as_bytes()))
            .unwrap()
    }

    #[test]
    fn networks_and_lengths() {
        for body in ["622202123456789", "62220212345678901", "622848123456789012"] {
            assert!(valid(with_check(body).as_bytes()), "{body}");
        }
        assert!(valid(b"4111111111111111"));
        assert!(valid(with_check("555555555555444").as_bytes()));
        assert!(valid(with_check("37828224631000").as_bytes()));
        // Luhn-valid but no issuer: rejected.
        assert!(!valid(with_check("123456789012345").as_bytes()));
        // UnionPay prefix but 15 digits: rejected.
        assert!(!valid(with_check("62220212345678").as_bytes()));
        assert!(!valid(b"4111111111111112"));
    }
}
