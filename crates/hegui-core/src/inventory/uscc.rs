//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-character alphabet (digits and capitals without I, O, S, V, Z); the last is a check
//! character over the first 17, weights 3^i mod 31, check = 31 − (Σ mod 31), 31 → 0.

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a code is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("has {0} characters; a unified social credit code has 18")]
    Length(usize),
    #[error("character {position} ({found:?}) is not allowed; codes use 0-9 and A-Z without I, O, S, V, Z")]
    Character { position: usize, found: char },
    #[error("check character is {found:?} but the first 17 characters give {expected:?}")]
    Check { found: char, expected: char },
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (which must be valid).
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, &c) in b.iter().enumerate() {
        sum += value(c)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Validates a code. Lower-case letters are accepted and read as capitals.
pub fn validate(code: &str) -> Result<(), UsccError> {
    let code = code.trim().to_ascii_uppercase();
    let n = code.chars().count();
    if n != 18 {
        return Err(UsccError::Length(n));
    }
    for (i, c) in code.chars().enumerate() {
        if !c.is_ascii() || value(c as u8).is_none() {
            return Err(UsccError::Character {
                position: i + 1,
                found: c,
            });
        }
    }
    let expected = check_char(&code[..17]).expect("validated above");
    let found = code.as_bytes()[17] as char;
    if found != expected {
        return Err(UsccError::Check { found, expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_character_round_trip() {
        // Build codes from known first-17 bodies and verify them.
        for body in [
            "91110108MA01ABCDE",
            "91350100M000100Y4",
            "12100000400000000",
            "5111000050000000Y",
        ] {
            let c = check_char(body).unwrap();
            let code = format!("{body}{c}");
            assert_eq!(validate(&code), Ok(()), "{code}");
            assert_eq!(validate(&code.to_lowercase()), Ok(()));
        }
    }

    #[test]
    fn published_codes_validate() {
        // A code with check character 0 (31 → 0) and one with a letter check character
        // exercise both branches.
        let zero = (0..31u8)
            .map(|k| format!("9111010800000{:0>4}", k))
            .find(|b| check_char(b) == Some('0'))
            .expect("some body has check 0");
        assert_eq!(validate(&format!("{zero}0")), Ok(()));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(validate("123"), Err(UsccError::Length(3)));
        let body = "91110108MA01ABCDE";
        let good = check_char(body).unwrap();
        let bad = if good == '1' { '2' } else { '1' };
        assert_eq!(
            validate(&format!("{body}{bad}")),
            Err(UsccError::Check {
                found: bad,
                expected: good
            })
        );
        assert!(matches!(
            validate("91110108MA01ABCDI5"),
            Err(UsccError::Character {
                position: 17,
                found: 'I'
            })
        ));
        assert!(matches!(
            validate("９1110108MA01ABCDE5"),
            Err(UsccError::Character { position: 1, .. })
        ));
    }
}
