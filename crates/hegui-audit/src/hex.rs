//! Lower-case hexadecimal, for hashes, keys and binary columns in JSON.

use crate::AuditError;

pub(crate) fn encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Decodes `s`; `what` names the value in the error.
pub(crate) fn decode(s: &str, what: &str) -> Result<Vec<u8>, AuditError> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(AuditError::Invalid(format!(
            "{what}: odd number of hex digits"
        )));
    }
    b.chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| AuditError::Invalid(format!("{what}: not hex")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_rejects_bad_digits() {
        let b = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::decode(&super::encode(&b), "x").unwrap(), b);
        assert!(super::decode("abc", "x").is_err());
        assert!(super::decode("zz", "x").is_err());
    }
}
