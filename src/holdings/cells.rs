//! Cell values, whatever file they came from, and their conversion to holdings fields:
//! numbers written as text ("1,234.50", "(1 000)", "1.234,5"), identifiers that arrived as
//! numbers with their leading zeros lost, dates as Excel serials or text.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::ident::{IdCheck, check_cusip, check_sedol};

/// One cell of a sheet or CSV record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A spreadsheet error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// The cell, borrowed.
    pub fn as_ref(&self) -> CellRef<'_> {
        match self {
            Cell::Empty => CellRef::Empty,
            Cell::Text(t) => CellRef::Text(t),
            Cell::Number(n) => CellRef::Number(*n),
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Date(d) => CellRef::Date(*d),
            Cell::Error(e) => CellRef::Error(e),
        }
    }

    /// True for an empty cell or one holding only spaces.
    pub fn is_blank(&self) -> bool {
        self.as_ref().is_blank()
    }

    /// The cell as text (trimmed), as a user would read it; `None` when blank.
    pub fn text(&self) -> Option<String> {
        self.as_ref().text().map(Cow::into_owned)
    }
}

/// A cell borrowed from where it is kept (a [`Cell`], or a batch of rows whose texts share
/// one string): how rows are read without a string per cell.
///
/// Its tag is a whole word, so that a cell is copied and read back in words: with a
/// one-byte tag the payload sat at odd offsets, and copies read back at another width
/// stalled (store forwarding failed) in the loop every row goes through.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(u64)]
pub enum CellRef<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A spreadsheet error value such as `#N/A`.
    Error(&'a str),
}

impl<'a> CellRef<'a> {
    /// True for an empty cell or one holding only spaces.
    pub fn is_blank(self) -> bool {
        match self {
            CellRef::Empty => true,
            CellRef::Text(t) => crate::util::trim_ws(t).is_empty(),
            _ => false,
        }
    }

    /// The cell as text (trimmed), as a user would read it; `None` when blank. A text cell
    /// is borrowed.
    pub fn text(self) -> Option<Cow<'a, str>> {
        let s = match self {
            CellRef::Empty => return None,
            CellRef::Text(t) => Cow::Borrowed(t.trim()),
            CellRef::Number(n) => Cow::Owned(number_text(n)),
            CellRef::Bool(b) => Cow::Borrowed(if b { "TRUE" } else { "FALSE" }),
            CellRef::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            CellRef::Error(e) => Cow::Borrowed(e),
        };
        (!s.is_empty()).then_some(s)
    }
}

/// A number as text without a spurious `.0`: 2415.0 -> "2415".
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Texts that mean "no value" in holdings exports.
/// Called for every cell: a text longer than any placeholder (4 bytes) is past at once,
/// where it is called; only a short one is compared, without allocating.
#[inline]
pub fn is_placeholder(text: &str) -> bool {
    is_trimmed_placeholder(crate::util::trim_ws(text))
}

/// [`is_placeholder`] of a text already trimmed.
#[inline]
pub fn is_trimmed_placeholder(t: &str) -> bool {
    t.len() <= 4 && is_short_placeholder(t)
}

fn is_short_placeholder(t: &str) -> bool {
    // "", "-", "--", "—", "–", "n/a", "na", "#n/a", "null", "none", "nan" in any case: by
    // length first, as this runs for every short cell (currencies, country codes).
    let is = |p: &str| t.eq_ignore_ascii_case(p);
    match t.len() {
        0 => true,
        1 => t == "-",
        2 => t == "--" || is("na"),
        3 => t == "—" || t == "–" || is("n/a") || is("nan"),
        4 => is("#n/a") || is("null") || is("none"),
        _ => false,
    }
}

/// A plain decimal ("1234.5", "-12", "0.25") of at most 15 significant digits, read in
/// one pass: the digits as an integer, divided by a power of ten. Both are exact in an
/// f64, so the one division rounds correctly: the same value as `str::parse` gives (its
/// own fast path), without its general machinery (this runs for every amount cell).
fn plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, body) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    // One pass without a test per digit beyond the byte's class: the digits as an integer
    // (wrapping: a number too long to be exact is refused below anyway), the significant
    // digits counted from the first non-zero one, the place of the point.
    let mut mantissa: u64 = 0;
    let mut significant = 0usize;
    let mut point: Option<usize> = None;
    for (i, &b) in body.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            significant += usize::from(mantissa != 0);
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let digits = body.len() - usize::from(point.is_some());
    let decimals = point.map(|p| body.len() - p - 1);
    if digits == 0 || significant > 15 || decimals.is_some_and(|d| d > 15) {
        return None;
    }
    let v = mantissa as f64 / POW10[decimals.unwrap_or(0)];
    Some(if negative { -v } else { v })
}

/// Parse a number written as text: thousands separators (`,` `.` space, apostrophe),
/// decimal comma, currency signs or codes, parentheses or a trailing minus for negatives.
pub fn parse_number(text: &str) -> Result<Option<f64>, String> {
    let raw = crate::util::trim_ws(text);
    if let Some(v) = plain_decimal(raw) {
        return Ok(Some(v));
    }
    // The usual number ("1234.5", "-12") at once, without the general path's copies.
    let digits = raw.strip_prefix('-').unwrap_or(raw).as_bytes();
    if digits.iter().any(u8::is_ascii_digit)
        && digits.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && digits.iter().filter(|&&c| c == b'.').count() <= 1
        && let Ok(v) = raw.parse::<f64>()
        && v.is_finite()
    {
        return Ok(Some(v));
    }
    if is_placeholder(raw) {
        return Ok(None);
    }
    let mut s: String = raw
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '\'' | '’' | '$' | '€' | '£' | '¥' | '\u{a0}' | '\u{202f}'
                )
        })
        .collect();
    // Currency code before or after the number: "USD1,234", "1,234 HKD".
    let alpha_prefix = s.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    if alpha_prefix == 3 {
        s.drain(..3);
    }
    let alpha_suffix = s
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if alpha_suffix == 3 {
        s.truncate(s.len() - 3);
    }
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
        negative = true;
        s = s[1..s.len() - 1].to_string();
    }
    if let Some(rest) = s.strip_suffix('-')
        && !rest.is_empty()
        && !rest.contains('-')
    {
        negative = true;
        s = rest.to_string();
    }
    let bad = || format!("'{raw}' is not a number");
    if s.is_empty() {
        return Err(bad());
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let cleaned = if commas > 0 && dots > 0 {
        // The last separator is the decimal one.
        let last_comma = s.rfind(',').unwrap_or(0);
        let last_dot = s.rfind('.').unwrap_or(0);
        if last_comma > last_dot {
            s.replace('.', "").replace(',', ".")
        } else {
            s.replace(',', "")
        }
    } else if commas > 0 {
        if thousands_grouped(&s, ',') {
            s.replace(',', "")
        } else if commas == 1 {
            s.replace(',', ".")
        } else {
            return Err(bad());
        }
    } else if dots > 1 {
        if thousands_grouped(&s, '.') {
            s.replace('.', "")
        } else {
            return Err(bad());
        }
    } else {
        s
    };
    let mut value: f64 = cleaned.parse().map_err(|_| bad())?;
    if !value.is_finite() {
        return Err(bad());
    }
    if negative {
        value = -value;
    }
    Ok(Some(value))
}

/// `1,234,567` style: the first group 1-3 digits (optionally signed), then groups of 3.
fn thousands_grouped(s: &str, sep: char) -> bool {
    let mut groups = s.split(sep);
    let first = groups.next().unwrap_or("");
    let first = first.strip_prefix('-').unwrap_or(first);
    if first.is_empty() || first.len() > 3 || !first.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && rest.iter().enumerate().all(|(i, g)| {
            // The last group may carry decimals with the other separator: handled by caller.
            let digits = if i + 1 == rest.len() {
                g.split('.').next().unwrap_or(g)
            } else {
                g
            };
            digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit())
        })
}

/// A numeric cell: a number, or text that parses as one.
pub fn cell_number(cell: CellRef<'_>) -> Result<Option<f64>, String> {
    match cell {
        CellRef::Empty => Ok(None),
        CellRef::Number(n) => Ok(Some(n)),
        CellRef::Text(t) => parse_number(t),
        CellRef::Bool(_) => Err("a TRUE/FALSE value is not a number".into()),
        CellRef::Date(d) => Err(format!("a date ({d}) is not a number")),
        CellRef::Error(e) => Err(format!("cell holds the error {e}")),
    }
}

/// An identifier whose leading zeros a spreadsheet dropped ("37833100" for CUSIP
/// 037833100): pad with zeros to `len` when the padded value passes the check digit.
pub fn repair_leading_zeros(value: &str, len: usize, check: fn(&str) -> IdCheck) -> Cow<'_, str> {
    let v = value.trim();
    if v.len() < len && !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) {
        let padded = format!("{v:0>len$}");
        if check(&padded) == IdCheck::Valid {
            return Cow::Owned(padded);
        }
    }
    Cow::Borrowed(v)
}

/// CUSIP as written, or repaired when a spreadsheet dropped its leading zeros.
pub fn repair_cusip(value: &str) -> Cow<'_, str> {
    repair_leading_zeros(value, 9, check_cusip)
}

/// SEDOL as written, or repaired when a spreadsheet dropped its leading zeros.
pub fn repair_sedol(value: &str) -> Cow<'_, str> {
    repair_leading_zeros(value, 7, check_sedol)
}

/// A date cell or date text (ISO, `2025-06-03`, `03 Jun 2025`, `03-Jun-2025`, `2025/06/03`,
/// `20250603`). Ambiguous day/month numeric forms (`03/06/2025`) are refused.
pub fn cell_date(cell: CellRef<'_>) -> Result<Option<NaiveDate>, String> {
    match cell {
        CellRef::Empty => Ok(None),
        CellRef::Date(d) => Ok(Some(d)),
        CellRef::Text(t) if is_placeholder(t) => Ok(None),
        CellRef::Text(t) => {
            let t = t.trim();
            let t = t
                .split(['T', ' '])
                .next()
                .filter(|p| p.len() >= 8 && p.contains('-'))
                .unwrap_or(t);
            for fmt in [
                "%Y-%m-%d",
                "%Y/%m/%d",
                "%d %b %Y",
                "%d-%b-%Y",
                "%d %B %Y",
                "%Y%m%d",
                "%b %d, %Y",
            ] {
                if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
                    return Ok(Some(d));
                }
            }
            Err(format!(
                "'{t}' is not a date holdscreen can read unambiguously; write it as YYYY-MM-DD"
            ))
        }
        CellRef::Number(n) => Err(format!("{} is not a date", number_text(n))),
        CellRef::Bool(_) => Err("a TRUE/FALSE value is not a date".into()),
        CellRef::Error(e) => Err(format!("cell holds the error {e}")),
    }
}

/// Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
/// text"), else Windows-1252.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return Cow::Owned(String::from_utf16_lossy(&units));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return Cow::Owned(String::from_utf16_lossy(&units));
    }
    // UTF-8 text (the usual case) is read in place, not copied.
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// Windows-1252 byte to char (Latin-1 with the 0x80-0x9F printable block).
pub fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    if (0x80..0xA0).contains(&b) {
        HIGH[(b - 0x80) as usize]
    } else {
        b as char
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_by_length_are_the_listed_ones() {
        const LISTED: [&str; 11] = [
            "", "-", "--", "—", "–", "n/a", "na", "#n/a", "null", "none", "nan",
        ];
        // Every text of up to four characters from the placeholders' own letters.
        let alphabet = [
            "", "-", "—", "–", "n", "N", "a", "A", "/", "#", "u", "U", "l", "o", "e", "x",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
            texts.sort();
            texts.dedup();
        }
        assert!(texts.len() > 10_000);
        for t in &texts {
            let listed = LISTED.iter().any(|p| p.eq_ignore_ascii_case(t));
            assert_eq!(is_short_placeholder(t), listed, "{t:?}");
            assert_eq!(is_placeholder(&format!(" {t} ")), listed, "{t:?}");
        }
    }

    #[test]
    fn numbers_as_text() {
        let ok = [
            ("100,000", 100_000.0),
            ("45,000.00", 45_000.0),
            ("1.234.567,89", 1_234_567.89),
            ("1 234,5", 1234.5),
            ("1'234.50", 1234.5),
            ("(1,000)", -1000.0),
            ("1,000-", -1000.0),
            ("$2,500", 2500.0),
            ("HKD 12,000", 12000.0),
            ("12,000 USD", 12000.0),
            ("12,5", 12.5),
            ("-3.25", -3.25),
            ("1e3", 1000.0),
            ("1.234.567", 1_234_567.0),
        ];
        for (text, want) in ok {
            assert_eq!(parse_number(text), Ok(Some(want)), "{text}");
        }
        for text in ["", "-", "N/A", "n/a", "--"] {
            assert_eq!(parse_number(text), Ok(None), "{text}");
        }
        for text in ["abc", "1,2,3", "12..5", "1.2.3"] {
            assert!(parse_number(text).is_err(), "{text}");
        }
    }

    #[test]
    fn lost_leading_zeros_are_restored_only_when_the_check_digit_agrees() {
        assert_eq!(repair_cusip("37833100"), "037833100"); // Apple
        assert_eq!(repair_cusip("37833101"), "37833101"); // would not check
        assert_eq!(repair_cusip("16941M109"), "16941M109");
        assert_eq!(repair_sedol("263494"), "0263494"); // BAE Systems
    }

    #[test]
    fn number_cells_as_text() {
        assert_eq!(Cell::Number(2415.0).text().as_deref(), Some("2415"));
        assert_eq!(Cell::Number(1.5).text().as_deref(), Some("1.5"));
        assert_eq!(Cell::Text("  ".into()).text(), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 3).unwrap();
        for t in [
            "2025-06-03",
            "2025/06/03",
            "03 Jun 2025",
            "03-Jun-2025",
            "20250603",
            "2025-06-03T00:00:00",
        ] {
            assert_eq!(cell_date(CellRef::Text(t)), Ok(Some(d)), "{t}");
        }
        assert!(cell_date(CellRef::Text("03/06/2025")).is_err());
    }

    #[test]
    fn plain_decimals_read_as_str_parse_does() {
        for t in [
            "0",
            "-0",
            "1",
            "-12",
            "1234.5",
            "13591477.17",
            "0.1",
            "0.3",
            ".5",
            "5.",
            "-.25",
            "999999999999999",
            "123456789.012345",
            "0.000000000000001",
            "268.41",
            "007",
        ] {
            let want: f64 = t.parse().unwrap();
            let got = plain_decimal(t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
            assert_eq!(parse_number(t), Ok(Some(want)), "{t}");
        }
        for t in [
            "",
            "-",
            ".",
            "1.2.3",
            "1,234",
            "1e5",
            "+1",
            "1234567890123456",
            "--1",
        ] {
            assert_eq!(plain_decimal(t), None, "{t}");
        }
        // Leading zeros are not significant; a long number is refused, not wrapped.
        assert_eq!(plain_decimal("0000000000000000000001"), Some(1.0));
        assert_eq!(plain_decimal("99999999999999999999999"), None);
        assert_eq!(plain_decimal("0.0000000000000001"), None);
        // Many made-up decimals: read exactly as str::parse reads them, or left to it.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..100_000 {
            let len = next() % 20;
            let mut t = String::new();
            if next() % 4 == 0 {
                t.push('-');
            }
            for _ in 0..len {
                t.push(match next() % 13 {
                    0 => '.',
                    1 | 2 => '0',
                    n => char::from(b'0' + (n % 10) as u8),
                });
            }
            if let Some(v) = plain_decimal(&t) {
                let want: f64 = t.parse().unwrap();
                assert_eq!(v.to_bits(), want.to_bits(), "{t}");
            }
        }
        // Past its reach, the general path still reads it.
        assert_eq!(
            parse_number("1234567890123456"),
            Ok(Some(1234567890123456.0))
        );
    }

    #[test]
    fn text_decoding() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFISIN"), "ISIN");
        assert_eq!(decode_text(b"\xFF\xFEI\0S\0"), "IS");
        assert_eq!(decode_text(b"Soci\xe9t\xe9 \x80"), "Société €");
    }
}
