//! Birth dates after a cue or in a birth-date column.

/// A date: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日 or YYYYMMDD. Returns its length.
pub(crate) fn date_at(t: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize, max: usize| {
        let mut k = from;
        while k < t.len() && k - from < max && t[k].is_ascii_digit() {
            k += 1;
        }
        k
    };
    let y_end = digits(i, 8);
    if y_end - i == 8 {
        let s = std::str::from_utf8(&t[i..y_end]).ok()?;
        let (y, m, d) = (
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..8].parse().ok()?,
        );
        return valid(y, m, d).then_some(8);
    }
    if y_end - i != 4 {
        return None;
    }
    let y: i16 = std::str::from_utf8(&t[i..y_end]).ok()?.parse().ok()?;
    let (sep, sep_len) = if t[y_end..].starts_with("年".as_bytes()) {
        ("年", 3)
    } else {
        // A year at the end of the text has no separator.
        (std::str::from_utf8(t.get(y_end..y_end + 1)?).ok()?, 1)
    };
    if !matches!(sep, "-" | "/" | "." | "年") {
        return None;
    }
    let m_start = y_end + sep_len;
    let m_end = digits(m_start, 2);
    let m: i8 = std::str::from_utf8(&t[m_start..m_end]).ok()?.parse().ok()?;
    let sep2 = if sep == "年" { "月" } else { sep };
    if !t[m_end..].starts_with(sep2.as_bytes()) {
        return None;
    }
    let d_start = m_end + sep2.len();
    let d_end = digits(d_start, 2);
    let d: i8 = std::str::from_utf8(&t[d_start..d_end]).ok()?.parse().ok()?;
    let mut end = d_end;
    if sep == "年" && t[end..].starts_with("日".as_bytes()) {
        end += 3;
    }
    valid(y, m, d).then_some(end - i)
}

pub(crate) fn valid(y: i16, m: i8, d: i8) -> bool {
    (1900..=2100).contains(&y) && jiff::civil::Date::new(y, m, d).is_ok()
}
