//! The NS-CMIC snapshot compiled into the binary: the CMIC-EO13959 entries of OFAC's
//! consolidated (non-SDN) CSV set `data/ofac/cons-2025-12` (captured by 2025-12-19).
//!
//! The original files are compiled in and parsed once, on first use, by the same reader as
//! `--list`; only the NS-CMIC entries are kept. The files' SHA-256 digests are those of the
//! original bytes, so a report can be traced to them.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::csv_set::{CsvFile, CsvSetInput, parse_csv_set};
use super::{DateBasis, ListFormat, ListKind, ListSnapshot, SanctionsList, SourceFile};
use crate::util::sha256_hex;

/// The date the embedded CSV set was captured by (the CSV files carry no date).
pub const EMBEDDED_CAPTURED_BY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 19) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Description of the embedded snapshot.
pub const EMBEDDED_DESCRIPTION: &str =
    "OFAC consolidated (non-SDN) list, NS-CMIC entries, CSV set captured by 2025-12-19 (embedded)";

const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "cons-2025-12/cons_prim.csv",
        "CONS_PRIM",
        include_bytes!("../../data/ofac/cons-2025-12/cons_prim.csv"),
    ),
    (
        "cons-2025-12/cons_alt.csv",
        "CONS_ALT",
        include_bytes!("../../data/ofac/cons-2025-12/cons_alt.csv"),
    ),
    (
        "cons-2025-12/cons_add.csv",
        "CONS_ADD",
        include_bytes!("../../data/ofac/cons-2025-12/cons_add.csv"),
    ),
    (
        "cons-2025-12/cons_comments.csv",
        "CONS_COMMENTS",
        include_bytes!("../../data/ofac/cons-2025-12/cons_comments.csv"),
    ),
];

fn build() -> SanctionsList {
    let file = |i: usize| CsvFile {
        path: FILES[i].0,
        bytes: FILES[i].2,
    };
    let input = CsvSetInput {
        kind: ListKind::Consolidated,
        prim: file(0),
        alt: Some(file(1)),
        add: Some(file(2)),
        comments: Some(file(3)),
    };
    let (entries, warnings, records) = match parse_csv_set(&input) {
        Ok(p) => {
            let entries: Vec<_> = p.entries.into_iter().filter(|e| e.is_cmic()).collect();
            let warnings = p
                .warnings
                .into_iter()
                .filter(|w| {
                    w.entry
                        .as_ref()
                        .is_some_and(|id| entries.iter().any(|e| &e.id == id))
                })
                .map(|w| w.message)
                .collect();
            (entries, warnings, p.records)
        }
        // Cannot happen with the files shipped (tested); never panic in any case.
        Err(e) => (
            Vec::new(),
            vec![format!("the embedded list could not be read: {e}")],
            [0; 4],
        ),
    };
    let files = FILES
        .iter()
        .zip(records)
        .map(|((path, role, bytes), records)| SourceFile {
            path: (*path).to_string(),
            role: (*role).to_string(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
            records,
        })
        .collect();
    SanctionsList {
        snapshots: vec![ListSnapshot {
            description: EMBEDDED_DESCRIPTION.to_string(),
            format: ListFormat::CsvSet,
            kind: ListKind::Consolidated,
            files,
            date: Some(EMBEDDED_CAPTURED_BY),
            date_basis: DateBasis::CapturedBy,
            record_count: None,
            embedded: true,
            entries,
            omitted_entries: 0,
            warnings,
        }],
    }
}

/// The embedded list, parsed once per process.
pub fn embedded_list_ref() -> &'static SanctionsList {
    static LIST: OnceLock<SanctionsList> = OnceLock::new();
    LIST.get_or_init(build)
}

/// The embedded list (NS-CMIC entries of the 2025-12 consolidated CSV set).
pub fn embedded_list() -> SanctionsList {
    embedded_list_ref().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_holds_the_68_cmic_entries() {
        let l = embedded_list();
        assert_eq!(l.snapshots.len(), 1);
        let s = &l.snapshots[0];
        assert!(s.embedded);
        assert_eq!(s.entries.len(), 68);
        assert!(s.entries.iter().all(|e| e.is_cmic() && e.cmic.is_some()));
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2025, 12, 19));
        assert_eq!(s.date_basis, DateBasis::CapturedBy);
        assert_eq!(s.files.len(), 4);
        assert!(s.files[0].sha256.starts_with("7027f6656b7815e3"));
        assert_eq!(s.files[0].records, 442);
        assert!(!s.entries.iter().any(|e| e.remarks_truncated));
    }
}
