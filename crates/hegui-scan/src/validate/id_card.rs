//! Resident identity card numbers (居民身份证号码, GB 11643-1999): 6-digit area code, 8-digit
//! birth date, 3-digit sequence, check character (ISO 7064 MOD 11-2; `X` for 10). First-
//! generation 15-digit numbers have a 6-digit birth date (19YYMMDD) and no check character.
//!
//! The checksum alone passes about 1 in 11 random 18-digit strings, so the province prefix
//! and a real birth date not after the reference day are required. The county code is not
//! checked against a current list: real numbers keep the code of the year they were issued.

use jiff::civil::Date;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Province-level prefixes (GB/T 2260 first two digits; 71 Taiwan, 81 Hong Kong, 82 Macao,
/// 83 for residence permits of Taiwan residents).
pub fn province_ok(d0: u8, d1: u8) -> bool {
    let p = (d0 - b'0') * 10 + (d1 - b'0');
    matches!(p, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83)
}

/// The check character for 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| (c - b'0') as u32 * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

fn num(b: &[u8]) -> i32 {
    b.iter().fold(0, |n, &c| n * 10 + (c - b'0') as i32)
}

/// A real date between 1900-01-01 and `today`.
fn birth_ok(y: i32, m: i32, d: i32, today: Date) -> bool {
    if !(1900..=9999).contains(&y) {
        return false;
    }
    match Date::new(y as i16, m as i8, d as i8) {
        Ok(date) => date <= today,
        Err(_) => false,
    }
}

/// Why a candidate is or is not an identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdCheck {
    Valid,
    BadProvince,
    BadDate,
    BadChecksum,
    NotDigits,
}

/// Validates an 18-character number (digits, last may be X or x).
pub fn check18(b: &[u8], today: Date) -> IdCheck {
    if b.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] | 0x20 == b'x')
    {
        return IdCheck::NotDigits;
    }
    if !province_ok(b[0], b[1]) {
        return IdCheck::BadProvince;
    }
    if !birth_ok(num(&b[6..10]), num(&b[10..12]), num(&b[12..14]), today) {
        return IdCheck::BadDate;
    }
    if check_char(&b[..17]) != b[17].to_ascii_uppercase() {
        return IdCheck::BadChecksum;
    }
    IdCheck::Valid
}

/// Validates a 15-digit first-generation number (issued before 2000, born in the 1900s).
pub fn check15(b: &[u8], today: Date) -> IdCheck {
    if b.len() != 15 || !b.iter().all(u8::is_ascii_digit) {
        return IdCheck::NotDigits;
    }
    if !province_ok(b[0], b[1]) {
        return IdCheck::BadProvince;
    }
    if !birth_ok(1900 + num(&b[6..8]), num(&b[8..10]), num(&b[10..12]), today) {
        return IdCheck::BadDate;
    }
    IdCheck::Valid
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 23);

    fn make(body: &str) -> String {
        format!("{body}{}", check_char(body.as_bytes()) as char)
    }

    #[test]
    fn the_standard_example_validates() {
        // GB 11643's worked example: 11010519491231002X.
        assert_eq!(check18(b"11010519491231002X", TODAY), IdCheck::Valid);
        assert_eq!(check18(b"11010519491231002x", TODAY), IdCheck::Valid);
        assert_eq!(check18(b"110105194912310021", TODAY), IdCheck::BadChecksum);
    }

    #[test]
    fn check_character_x_and_zero() {
        let x = (0..1000)
            .map(|s| format!("44030119900101{s:03}"))
            .find(|b| check_char(b.as_bytes()) == b'X')
            .unwrap();
        assert_eq!(check18(make(&x).as_bytes(), TODAY), IdCheck::Valid);
        let zero = (0..1000)
            .map(|s| format!("44030119900101{s:03}"))
            .find(|b| check_char(b.as_bytes()) == b'0')
            .unwrap();
        assert_eq!(check18(make(&zero).as_bytes(), TODAY), IdCheck::Valid);
    }

    #[test]
    fn leap_days_and_impossible_dates() {
        assert_eq!(
            check18(make("11010120000229123").as_bytes(), TODAY),
            IdCheck::Valid
        );
        assert_eq!(
            check18(make("11010119000229123").as_bytes(), TODAY),
            IdCheck::BadDate,
            "1900 is not a leap year"
        );
        assert_eq!(
            check18(make("11010120010229123").as_bytes(), TODAY),
            IdCheck::BadDate
        );
        assert_eq!(
            check18(make("11010119901301123").as_bytes(), TODAY),
            IdCheck::BadDate
        );
        assert_eq!(
            check18(make("11010118991231123").as_bytes(), TODAY),
            IdCheck::BadDate
        );
    }

    #[test]
    fn future_birth_dates_are_rejected() {
        assert_eq!(
            check18(make("11010120261123123").as_bytes(), TODAY),
            IdCheck::Valid,
            "born today"
        );
        assert_eq!(
            check18(make("11010120261124123").as_bytes(), TODAY),
            IdCheck::BadDate,
            "born tomorrow"
        );
    }

    #[test]
    fn province_prefixes() {
        assert_eq!(
            check18(make("99010119900101123").as_bytes(), TODAY),
            IdCheck::BadProvince
        );
        assert_eq!(
            check18(make("16010119900101123").as_bytes(), TODAY),
            IdCheck::BadProvince
        );
        for p in [
            "11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81",
            "83",
        ] {
            let b = format!("{p}010119900101123");
            assert_eq!(check18(make(&b).as_bytes(), TODAY), IdCheck::Valid, "{p}");
        }
    }

    #[test]
    fn fifteen_digit_numbers() {
        assert_eq!(check15(b"110105491231002", TODAY), IdCheck::Valid);
        assert_eq!(check15(b"110105490231002", TODAY), IdCheck::BadDate);
        assert_eq!(check15(b"990105491231002", TODAY), IdCheck::BadProvince);
    }
}
