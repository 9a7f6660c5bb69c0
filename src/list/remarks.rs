//! Labelled identifiers: the CSV remarks parser, and the one builder from labelled
//! identifiers to [`CmicData`] that both formats use.
//!
//! OFAC's CSV packs identifiers into Remarks as `; `-separated `<Label> <value>` segments
//! (`Equity Ticker 941 HK; alt. ISIN HK0941009539; Listing Date (CMIC) 03 Jun 2021;
//! Unified Social Credit Code (USCC) 9111...X7 (China); a.k.a. 'CETC'; Linked To: X.`).
//! The classic XML writes the same facts as `<id>{idType, idNumber, idCountry}`; its
//! `idType` is exactly the CSV label. Both end in the same `Vec<Identifier>`, and
//! [`cmic_data`] turns that into typed NS-CMIC fields.

use chrono::NaiveDate;

use super::{CmicData, Identifier, ListedIsin, ListedTicker};
use crate::ident::check_isin;
use crate::ident::normalise_id;
use crate::ident::ticker::parse_list_ticker;

/// Identifier labels OFAC writes in remarks (CSV) and as `idType` (XML). CMIC labels first;
/// the rest are the other identifier types seen in the consolidated and SDN lists. A remarks
/// segment whose label is not here stays in the remarks text only.
pub const KNOWN_LABELS: &[&str] = &[
    // NS-CMIC.
    "Equity Ticker",
    "ISIN",
    "Issuer Name",
    "Target Type",
    "Listing Date (CMIC)",
    "Effective Date (CMIC)",
    "Purchase/Sales For Divestment Date (CMIC)",
    "Unified Social Credit Code (USCC)",
    "Legal Entity Number",
    "Company Number",
    "Business Registration Number",
    "C.R. No.",
    // Other registrations.
    "Registration Number",
    "Registration ID",
    "Public Registration Number",
    "Tax ID No.",
    "Government Gazette Number",
    "Identification Number",
    "National ID No.",
    "Passport",
    "SWIFT/BIC",
    "BIK (RU)",
    "V.A.T. Number",
    "License",
    // Other facts OFAC files as identifiers.
    "Website",
    "Email Address",
    "Phone Number",
    "Organization Established Date",
    "Organization Type:",
    "Gender",
    "Nationality of Registration",
    "Secondary sanctions risk:",
    "Executive Order 13662 Directive Determination -",
    "Executive Order 14024 Directive Information -",
    "Executive Order 14024 Directive Information",
    "Executive Order 14014 Directive Information:",
    "CAATSA Section 235 Information:",
];

/// Labels that are registration numbers of a legal person (kept in
/// [`CmicData::registrations`]).
const REGISTRATION_LABELS: &[&str] = &[
    "Company Number",
    "Business Registration Number",
    "C.R. No.",
    "Registration Number",
    "Registration ID",
    "Public Registration Number",
    "Tax ID No.",
    "Government Gazette Number",
    "Identification Number",
    "SWIFT/BIC",
    "BIK (RU)",
    "V.A.T. Number",
];

/// Listing/Effective Date labels of OFAC's directive programs: `Listing Date (EO 14024
/// Directive 3): 24 Feb 2022`. Any label of this shape is recognised.
fn directive_date_label(s: &str) -> Option<usize> {
    for prefix in ["Listing Date (", "Effective Date ("] {
        if let Some(rest) = s.strip_prefix(prefix)
            && let Some(close) = rest.find("):")
        {
            return Some(prefix.len() + close + 2);
        }
    }
    None
}

/// Labels whose value never ends in a `(Country)`: `Issuer Name China Communications
/// Construction Group (Ltd.)` keeps its parentheses.
const NO_COUNTRY_LABELS: &[&str] = &[
    "Equity Ticker",
    "ISIN",
    "Issuer Name",
    "Target Type",
    "Listing Date (CMIC)",
    "Effective Date (CMIC)",
    "Purchase/Sales For Divestment Date (CMIC)",
    "Website",
    "Email Address",
];

/// What the remarks text of a CSV entry holds, beside its free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedRemarks {
    /// Labelled identifiers in list order (`alt.` stripped).
    pub identifiers: Vec<Identifier>,
    /// `a.k.a. 'NAME'` segments: OFAC's weak aliases, which the CSV set writes only here.
    pub weak_akas: Vec<String>,
    /// `Linked To: NAME` segments.
    pub linked_to: Vec<String>,
}

/// Abbreviations whose final period belongs to the name (`CO., LTD.`), not to the remarks.
const ABBREVIATIONS: &[&str] = &[
    "LTD", "CO", "INC", "CORP", "LLC", "JSC", "PJSC", "OJSC", "CJSC", "PTE", "PTY", "BHD", "SDN",
    "CIA", "CIE", "LDA", "AG", "SA", "NV", "BV", "GMBH", "SRL", "SPA", "JR", "SR",
];

/// Strip the period that closes the whole remarks text from its last segment, unless it
/// ends an abbreviation (`GROUP CO., LTD.` keeps it, as the XML does).
fn strip_final_period(seg: &str) -> &str {
    let Some(body) = seg.strip_suffix('.') else {
        return seg;
    };
    let last_word = body.rsplit(char::is_whitespace).next().unwrap_or(body);
    let bare = last_word.trim_start_matches(['(', '\'', '"']);
    let is_abbrev = bare.contains('.')
        || ABBREVIATIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(bare) && !bare.is_empty());
    if is_abbrev { seg } else { body }
}

/// Split remarks into `; `-separated segments, the closing period removed from the last.
pub fn split_segments(text: &str) -> Vec<&str> {
    let text = text.trim();
    let mut segs: Vec<&str> = text
        .split("; ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(last) = segs.last_mut() {
        *last = strip_final_period(last).trim_end();
    }
    segs.retain(|s| !s.is_empty());
    segs
}

/// Split a trailing `(Country)` off a value: `9111...X7 (China)` -> (`9111...X7`, `China`).
pub fn split_country(value: &str) -> (String, Option<String>) {
    let v = value.trim();
    if let Some(body) = v.strip_suffix(')')
        && let Some(open) = body.rfind(" (")
    {
        let country = body[open + 2..].trim();
        let rest = body[..open].trim();
        if !country.is_empty()
            && !rest.is_empty()
            && !country.contains(['(', ')'])
            && country
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '.' || c == ',' || c == '-')
        {
            return (rest.to_string(), Some(country.to_string()));
        }
    }
    (v.to_string(), None)
}

/// One segment as (label, value), when its label is known.
fn parse_segment(seg: &str) -> Option<(&str, &str)> {
    let s = seg.strip_prefix("alt. ").unwrap_or(seg).trim_start();
    let mut best: Option<&str> = None;
    for label in KNOWN_LABELS {
        if let Some(rest) = s.strip_prefix(label)
            && (rest.is_empty() || rest.starts_with([' ', ':']) || label.ends_with([':', '-']))
            && best.is_none_or(|b| b.len() < label.len())
        {
            best = Some(label);
        }
    }
    if let Some(label) = best {
        let value = s[label.len()..].trim_start_matches(':').trim();
        return Some((label, value));
    }
    let end = directive_date_label(s)?;
    Some((&s[..end], s[end..].trim()))
}

/// Parse a CSV Remarks text into identifiers, weak aliases and parent links.
pub fn parse_remarks(text: &str) -> ParsedRemarks {
    let mut out = ParsedRemarks::default();
    for seg in split_segments(text) {
        let s = seg.strip_prefix("alt. ").unwrap_or(seg);
        if let Some(rest) = s.strip_prefix("a.k.a.") {
            let name = rest.trim().trim_matches(['\'', '"']).trim();
            if !name.is_empty() {
                out.weak_akas.push(name.to_string());
            }
            continue;
        }
        if let Some(rest) = s.strip_prefix("Linked To:") {
            let name = rest.trim();
            if !name.is_empty() {
                out.linked_to.push(name.to_string());
            }
            continue;
        }
        if let Some((label, value)) = parse_segment(s) {
            if value.is_empty() {
                continue;
            }
            let (value, country) = if NO_COUNTRY_LABELS.contains(&label) {
                (value.to_string(), None)
            } else {
                split_country(value)
            };
            out.identifiers.push(Identifier {
                label: label.to_string(),
                value,
                country,
            });
        }
    }
    out
}

/// `(Linked To: NAME)` groups in the XML remarks text.
pub fn linked_to_in_xml_remarks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("Linked To:") {
        let after = &rest[i + "Linked To:".len()..];
        let end = after.find(')').unwrap_or(after.len());
        let semi = after.find(';').unwrap_or(after.len());
        let end = end.min(semi);
        let name = after[..end].trim();
        if !name.is_empty() {
            out.push(name.to_string());
        }
        rest = &after[end..];
    }
    out
}

/// A CMIC date as OFAC writes it, leniently: `03 Jun 2021`, `3 Jun 2021`, `03 June 2021`,
/// `03-Jun-2021`, and ISO `2021-06-03`.
pub fn parse_list_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().trim_end_matches('.');
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|p| !p.is_empty())
        .collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let day: u32 = day.parse().ok()?;
    let year: i32 = if year.len() == 4 {
        year.parse().ok()?
    } else {
        return None;
    };
    let month = month_number(month)?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if n.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(n.as_str()) || (n == "sept" && *m == "september"))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Build the typed NS-CMIC fields from an entry's labelled identifiers. Defects (bad ISINs,
/// unreadable tickers or dates) are kept or skipped and reported in `warnings`, naming the
/// entry; nothing is rejected.
pub fn cmic_data(
    entry_id: &str,
    identifiers: &[Identifier],
    warnings: &mut Vec<String>,
) -> CmicData {
    let mut c = CmicData::default();
    for id in identifiers {
        let value = id.value.trim();
        match id.label.as_str() {
            "Equity Ticker" => {
                let key = parse_list_ticker(value);
                if key.is_none() {
                    warnings.push(format!(
                        "entry {entry_id}: Equity Ticker {value:?} could not be understood (kept as written)"
                    ));
                }
                c.tickers.push(ListedTicker {
                    raw: value.to_string(),
                    key,
                });
            }
            "ISIN" => {
                let check = check_isin(&normalise_id(value));
                if !check.is_valid() {
                    warnings.push(format!(
                        "entry {entry_id}: ISIN {value} is defective ({}); kept as listed",
                        check.describe()
                    ));
                }
                c.isins.push(ListedIsin {
                    value: value.to_string(),
                    check,
                });
            }
            "Issuer Name" => c.issuer_names.push(value.to_string()),
            "Target Type" if c.target_type.is_none() => {
                c.target_type = Some(value.to_string());
            }
            "Listing Date (CMIC)" => set_date(&mut c.listing_date, id, entry_id, warnings),
            "Effective Date (CMIC)" => set_date(&mut c.effective_date, id, entry_id, warnings),
            "Purchase/Sales For Divestment Date (CMIC)" => {
                set_date(&mut c.divestment_date, id, entry_id, warnings)
            }
            "Unified Social Credit Code (USCC)" => c.uscc.push(value.to_string()),
            "Legal Entity Number" => c.lei.push(value.to_string()),
            label if REGISTRATION_LABELS.contains(&label) => c.registrations.push(id.clone()),
            _ => {}
        }
    }
    c
}

fn set_date(
    slot: &mut Option<NaiveDate>,
    id: &Identifier,
    entry_id: &str,
    warnings: &mut Vec<String>,
) {
    match parse_list_date(&id.value) {
        Some(d) => match slot {
            None => *slot = Some(d),
            Some(prev) if *prev != d => warnings.push(format!(
                "entry {entry_id}: {} given twice ({prev} and {d}); the first is used",
                id.label
            )),
            Some(_) => {}
        },
        None => warnings.push(format!(
            "entry {entry_id}: {} {:?} is not a date; ignored",
            id.label, id.value
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::IdCheck;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_are_read_leniently() {
        assert_eq!(parse_list_date("03 Jun 2021"), Some(d(2021, 6, 3)));
        assert_eq!(parse_list_date("3 Jun 2021"), Some(d(2021, 6, 3)));
        assert_eq!(parse_list_date("03 June 2021"), Some(d(2021, 6, 3)));
        assert_eq!(parse_list_date(" 16 dec 2021. "), Some(d(2021, 12, 16)));
        assert_eq!(parse_list_date("10 Sept 2022"), Some(d(2022, 9, 10)));
        assert_eq!(parse_list_date("2021-06-03"), Some(d(2021, 6, 3)));
        assert_eq!(parse_list_date("03-Jun-2021"), Some(d(2021, 6, 3)));
        assert_eq!(parse_list_date("31 Feb 2021"), None);
        assert_eq!(parse_list_date("03 Ju 2021"), None);
        assert_eq!(parse_list_date("03 Jun 21"), None);
        assert_eq!(parse_list_date("Jun 2021"), None);
        assert_eq!(parse_list_date(""), None);
    }

    const TELECOM: &str = "Equity Ticker CHA US; alt. Equity Ticker 0728 HK; Issuer Name China Telecom Corporation Limited; ISIN US1694261033; alt. ISIN CNE1000002V2; Target Type Public Company; Effective Date (CMIC) 02 Aug 2021; Purchase/Sales For Divestment Date (CMIC) 03 Jun 2022; Listing Date (CMIC) 03 Jun 2021; Unified Social Credit Code (USCC) 9111000071093019X7 (China); Linked To: CHINA TELECOMMUNICATIONS CORPORATION.";

    #[test]
    fn remarks_segments_become_identifiers() {
        let p = parse_remarks(TELECOM);
        let labels: Vec<&str> = p.identifiers.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Equity Ticker",
                "Equity Ticker",
                "Issuer Name",
                "ISIN",
                "ISIN",
                "Target Type",
                "Effective Date (CMIC)",
                "Purchase/Sales For Divestment Date (CMIC)",
                "Listing Date (CMIC)",
                "Unified Social Credit Code (USCC)"
            ]
        );
        let uscc = &p.identifiers[9];
        assert_eq!(uscc.value, "9111000071093019X7");
        assert_eq!(uscc.country.as_deref(), Some("China"));
        assert_eq!(p.identifiers[1].value, "0728 HK");
        assert_eq!(p.linked_to, ["CHINA TELECOMMUNICATIONS CORPORATION"]);
        assert!(p.weak_akas.is_empty());
    }

    #[test]
    fn final_period_of_an_abbreviation_stays() {
        let p = parse_remarks(
            "Target Type Public Company; Linked To: CHINA MOBILE COMMUNICATIONS GROUP CO., LTD.",
        );
        assert_eq!(p.linked_to, ["CHINA MOBILE COMMUNICATIONS GROUP CO., LTD."]);
        let p = parse_remarks("C.R. No. 2162198 (Hong Kong).");
        assert_eq!(
            p.identifiers,
            [Identifier {
                label: "C.R. No.".into(),
                value: "2162198".into(),
                country: Some("Hong Kong".into())
            }]
        );
        let p = parse_remarks("USCC x; a.k.a. 'CETC'; a.k.a. 'CSC'.");
        assert_eq!(p.weak_akas, ["CETC", "CSC"]);
        assert!(
            p.identifiers.is_empty(),
            "unknown label USCC is not an identifier"
        );
    }

    #[test]
    fn directive_dates_and_colon_labels() {
        let p = parse_remarks(
            "Listing Date (EO 14024 Directive 3): 24 Feb 2022; Organization Type: Banking; Tax ID No. 7707083893 (Russia)",
        );
        assert_eq!(p.identifiers.len(), 3);
        assert_eq!(
            p.identifiers[0].label,
            "Listing Date (EO 14024 Directive 3):"
        );
        assert_eq!(p.identifiers[0].value, "24 Feb 2022");
        assert_eq!(p.identifiers[1].label, "Organization Type:");
        assert_eq!(p.identifiers[1].value, "Banking");
        assert_eq!(p.identifiers[2].country.as_deref(), Some("Russia"));
    }

    #[test]
    fn cmic_fields_are_typed_and_defects_reported() {
        let mut p = parse_remarks(TELECOM);
        p.identifiers.push(Identifier {
            label: "ISIN".into(),
            value: "BRC1EODR004".into(),
            country: None,
        });
        p.identifiers.push(Identifier {
            label: "Equity Ticker".into(),
            value: "603019CN".into(),
            country: None,
        });
        let mut w = Vec::new();
        let c = cmic_data("30882", &p.identifiers, &mut w);
        assert_eq!(c.tickers.len(), 3);
        assert_eq!(
            c.tickers[2].key.as_ref().map(|k| k.code.as_str()),
            Some("603019")
        );
        assert_eq!(c.isins.len(), 3);
        assert_eq!(c.isins[2].check, IdCheck::BadLength);
        assert_eq!(c.listing_date, Some(d(2021, 6, 3)));
        assert_eq!(c.effective_date, Some(d(2021, 8, 2)));
        assert_eq!(c.divestment_date, Some(d(2022, 6, 3)));
        assert_eq!(c.uscc, ["9111000071093019X7"]);
        assert_eq!(c.target_type.as_deref(), Some("Public Company"));
        assert_eq!(c.issuer_names, ["China Telecom Corporation Limited"]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("entry 30882") && w[0].contains("BRC1EODR004"));
    }

    #[test]
    fn bad_dates_warn_instead_of_failing() {
        let ids = [Identifier {
            label: "Listing Date (CMIC)".into(),
            value: "sometime".into(),
            country: None,
        }];
        let mut w = Vec::new();
        let c = cmic_data("1", &ids, &mut w);
        assert_eq!(c.listing_date, None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn xml_linked_to() {
        assert_eq!(
            linked_to_in_xml_remarks(
                "For more ...; (Linked To: CHINA MOBILE COMMUNICATIONS GROUP CO., LTD.)"
            ),
            ["CHINA MOBILE COMMUNICATIONS GROUP CO., LTD."]
        );
        assert!(linked_to_in_xml_remarks("nothing").is_empty());
    }
}
