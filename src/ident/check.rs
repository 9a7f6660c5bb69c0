//! Check digits of ISIN (ISO 6166), CUSIP (ANSI X9.6) and SEDOL.
//!
//! A failed check never drops the identifier: OFAC's own data has defective ISINs, so callers
//! keep the value, compare it anyway and report the defect.

use serde::{Deserialize, Serialize};

/// Result of validating an identifier's form and check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdCheck {
    Valid,
    /// Not the expected number of characters.
    BadLength,
    /// A character that the identifier cannot contain.
    BadCharacters,
    /// Well formed, but the check digit does not agree.
    BadCheckDigit,
}

impl IdCheck {
    pub fn is_valid(self) -> bool {
        self == IdCheck::Valid
    }

    /// Words for a report: "check digit does not agree".
    pub fn describe(self) -> &'static str {
        match self {
            IdCheck::Valid => "valid",
            IdCheck::BadLength => "wrong length",
            IdCheck::BadCharacters => "invalid characters",
            IdCheck::BadCheckDigit => "check digit does not agree",
        }
    }
}

/// Upper-case and strip spaces, dashes and dots that vendors put inside identifiers.
pub fn normalise_id(raw: &str) -> String {
    normalise_id_cow(raw).into_owned()
}

/// [`normalise_id`], borrowing `raw` when it is already normalised (the usual case: an
/// upper-case code with no separators).
pub fn normalise_id_cow(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return std::borrow::Cow::Borrowed(raw);
    }
    std::borrow::Cow::Owned(normalise_owned(raw))
}

fn normalise_owned(raw: &str) -> String {
    if raw.is_ascii() {
        // The common case, without decoding characters.
        let mut out = String::with_capacity(raw.len());
        out.extend(
            raw.bytes()
                .filter(|&b| !char::from(b).is_whitespace() && b != b'-' && b != b'.')
                .map(|b| char::from(b.to_ascii_uppercase())),
        );
        return out;
    }
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.' && *c != '\u{a0}')
        .flat_map(char::to_uppercase)
        .collect()
}

/// A digit's value, or a letter's (A = 10 ... Z = 35), as the check digits count them.
const fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as u32),
        b'A'..=b'Z' => Some((c - b'A') as u32 + 10),
        _ => None,
    }
}

/// What a character of an ISIN adds to its Luhn sum, read from the right, when the next
/// digit of the expanded string is not doubled (`[0]`) or is (`[1]`): a digit is itself or
/// doubled (its digits added); a letter (10..35) is two digits, units first.
const ISIN_LUHN: [[u8; 256]; 2] = {
    const DOUBLED: [u8; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let mut table = [[0u8; 256]; 2];
    let mut c = 0;
    while c < 256 {
        if let Some(v) = char_value(c as u8) {
            let v = v as usize;
            if v < 10 {
                table[0][c] = v as u8;
                table[1][c] = DOUBLED[v];
            } else {
                table[0][c] = (v % 10) as u8 + DOUBLED[v / 10];
                table[1][c] = DOUBLED[v % 10] + (v / 10) as u8;
            }
        }
        c += 1;
    }
    table
};

/// ISO 6166: 2 letters, 9 alphanumerics, 1 check digit; letters expand to 10..35, then Luhn.
pub fn check_isin(isin: &str) -> IdCheck {
    let b = isin.as_bytes();
    if b.len() != 12 {
        return IdCheck::BadLength;
    }
    if !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..11]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        || !b[11].is_ascii_digit()
    {
        return IdCheck::BadCharacters;
    }
    // Luhn from the right (check digit included) over the digit string the letters
    // expand to, in one pass without spelling it (this runs for every row): what each
    // character adds, whether its first digit is doubled or not, is looked up.
    let mut sum = 0u32;
    let mut doubled = 0usize;
    for &c in b.iter().rev() {
        sum += u32::from(ISIN_LUHN[doubled][usize::from(c)]);
        // A digit is one place of the string, a letter two.
        doubled ^= usize::from(c.is_ascii_digit());
    }
    if sum.is_multiple_of(10) {
        IdCheck::Valid
    } else {
        IdCheck::BadCheckDigit
    }
}

/// ANSI X9.6 CUSIP: 8 characters + check digit; `*`=36, `@`=37, `#`=38; double every 2nd.
pub fn check_cusip(cusip: &str) -> IdCheck {
    let b = cusip.as_bytes();
    if b.len() != 9 {
        return IdCheck::BadLength;
    }
    let mut sum = 0u32;
    for (i, &c) in b[..8].iter().enumerate() {
        let v = match c {
            b'*' => 36,
            b'@' => 37,
            b'#' => 38,
            _ => match char_value(c) {
                Some(v) => v,
                None => return IdCheck::BadCharacters,
            },
        };
        let v = if i % 2 == 1 { v * 2 } else { v };
        sum += v / 10 + v % 10;
    }
    if !b[8].is_ascii_digit() {
        return IdCheck::BadCharacters;
    }
    let check = (10 - sum % 10) % 10;
    if check == u32::from(b[8] - b'0') {
        IdCheck::Valid
    } else {
        IdCheck::BadCheckDigit
    }
}

/// SEDOL: 6 characters (no vowels) + check digit; weights 1,3,1,7,3,9.
pub fn check_sedol(sedol: &str) -> IdCheck {
    let b = sedol.as_bytes();
    if b.len() != 7 {
        return IdCheck::BadLength;
    }
    const WEIGHTS: [u32; 6] = [1, 3, 1, 7, 3, 9];
    let mut sum = 0u32;
    for (i, &c) in b[..6].iter().enumerate() {
        if matches!(c, b'A' | b'E' | b'I' | b'O' | b'U') {
            return IdCheck::BadCharacters;
        }
        match char_value(c) {
            Some(v) => sum += v * WEIGHTS[i],
            None => return IdCheck::BadCharacters,
        }
    }
    if !b[6].is_ascii_digit() {
        return IdCheck::BadCharacters;
    }
    let check = (10 - sum % 10) % 10;
    if check == u32::from(b[6] - b'0') {
        IdCheck::Valid
    } else {
        IdCheck::BadCheckDigit
    }
}

/// The CUSIP inside a US or CA ISIN (`US` + CUSIP + check).
pub fn cusip_from_isin(isin: &str) -> Option<&str> {
    if isin.len() == 12 && (isin.starts_with("US") || isin.starts_with("CA")) && isin.is_ascii() {
        Some(&isin[2..11])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isin_examples() {
        for ok in [
            "US0378331005",
            "CNE100000PM8",
            "XS1233275194",
            "US16941M1099",
            "AU0000XVGZA3",
            "AU0000VXGZA3",
            "CNE1000002V2",
        ] {
            assert_eq!(check_isin(ok), IdCheck::Valid, "{ok}");
        }
        assert_eq!(check_isin("US0378331006"), IdCheck::BadCheckDigit);
        // OFAC's own defects: an 11-character ISIN and CCCC's onshore bonds.
        assert_eq!(check_isin("BRC1EODR004"), IdCheck::BadLength);
        assert_eq!(check_isin("CND10002K094"), IdCheck::BadCheckDigit);
        assert_eq!(check_isin("CND10002G601"), IdCheck::BadCheckDigit);
        assert_eq!(check_isin("us0378331005"), IdCheck::BadCharacters);
    }

    #[test]
    fn isin_check_digit_agrees_with_the_spelt_out_luhn() {
        // ISO 6166 as written: letters spelt as two digits, then Luhn over the string.
        fn spelt_out(isin: &str) -> bool {
            let digits: String = isin
                .bytes()
                .map(|c| char_value(c).unwrap_or(0).to_string())
                .collect();
            let sum: u32 = digits
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = u32::from(c - b'0') * if i % 2 == 1 { 2 } else { 1 };
                    d / 10 + d % 10
                })
                .sum();
            sum.is_multiple_of(10)
        }
        let chars = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut rng = crate::util::TestRng(0x2545_f491_4f6c_dd1d);
        let mut next = |n: usize| rng.below(n);
        let mut valid = 0;
        for _ in 0..20_000 {
            let mut isin = String::new();
            for i in 0..12 {
                let pick = match i {
                    0 | 1 => 10 + next(26),
                    11 => next(10),
                    _ => next(36),
                };
                isin.push(chars[pick] as char);
            }
            let ok = spelt_out(&isin);
            valid += usize::from(ok);
            assert_eq!(check_isin(&isin).is_valid(), ok, "{isin}");
        }
        // About one in ten is valid: both answers were checked.
        assert!((1_500..2_500).contains(&valid), "{valid}");
    }

    #[test]
    fn cusip_examples() {
        assert_eq!(check_cusip("037833100"), IdCheck::Valid);
        assert_eq!(check_cusip("16941M109"), IdCheck::Valid);
        assert_eq!(check_cusip("16941M108"), IdCheck::BadCheckDigit);
        assert_eq!(check_cusip("16941M10"), IdCheck::BadLength);
        assert_eq!(check_cusip("16941M10X"), IdCheck::BadCharacters);
    }

    #[test]
    fn sedol_examples() {
        assert_eq!(check_sedol("0263494"), IdCheck::Valid);
        assert_eq!(check_sedol("B0YBKJ7"), IdCheck::Valid);
        assert_eq!(check_sedol("B0YBKJ8"), IdCheck::BadCheckDigit);
        assert_eq!(check_sedol("A0YBKJ7"), IdCheck::BadCharacters);
    }

    #[test]
    fn cusip_inside_isin() {
        assert_eq!(cusip_from_isin("US16941M1099"), Some("16941M109"));
        assert_eq!(cusip_from_isin("CNE1000002V2"), None);
    }

    #[test]
    fn id_normalisation() {
        assert_eq!(normalise_id(" us0378-33100 5 "), "US0378331005");
        assert!(matches!(
            normalise_id_cow("US0378331005"),
            std::borrow::Cow::Borrowed("US0378331005")
        ));
        assert_eq!(normalise_id_cow("us 037"), "US037");
        assert_eq!(normalise_id_cow("ÉX\u{a0}1"), "ÉX1");
    }
}
