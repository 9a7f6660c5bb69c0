//! OFAC CSV sets: consolidated (CONS_PRIM, CONS_ALT, CONS_ADD, CONS_COMMENTS) and SDN
//! (SDN, ALT, ADD, SDN_COMMENTS). Both share one layout:
//!
//! * no header row, `"`-quoted, CRLF (some copies LF), a trailing 0x1A (DOS EOF) byte;
//! * `-0-` (usually with a trailing space, unquoted) means null;
//! * PRIM: `ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
//!   GRT, Vess_flag, Vess_owner, Remarks`; several programs are joined as `A] [B`;
//! * ALT: `ent_num, alt_num, alt_type, alt_name, alt_remarks`;
//! * ADD: `ent_num, add_num, Address, City/State/Postal, Country, Add_remarks`;
//! * COMMENTS: `ent_num, continuation` of a Remarks text cut at 1000 characters.
//!
//! The files are ASCII in practice; any field that is not valid UTF-8 is decoded as
//! Windows-1252.

use std::collections::HashMap;

use rayon::prelude::*;

use super::remarks::{cmic_data, parse_remarks};
use super::{Alias, Entry, ListError, ListKind, PartyType};

/// OFAC cuts Remarks at this many characters; the rest goes to the comments file.
pub const REMARKS_LIMIT: usize = 1000;

/// The four file roles of a CSV set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CsvRole {
    Prim,
    Alt,
    Add,
    Comments,
}

impl CsvRole {
    /// OFAC's file stem for this role in a set of `kind` (`CONS_PRIM`, `SDN`, `ALT`...).
    pub fn file_stem(self, kind: ListKind) -> &'static str {
        match (kind, self) {
            (ListKind::Consolidated, CsvRole::Prim) => "CONS_PRIM",
            (ListKind::Consolidated, CsvRole::Alt) => "CONS_ALT",
            (ListKind::Consolidated, CsvRole::Add) => "CONS_ADD",
            (ListKind::Consolidated, CsvRole::Comments) => "CONS_COMMENTS",
            (ListKind::Sdn, CsvRole::Prim) => "SDN",
            (ListKind::Sdn, CsvRole::Alt) => "ALT",
            (ListKind::Sdn, CsvRole::Add) => "ADD",
            (ListKind::Sdn, CsvRole::Comments) => "SDN_COMMENTS",
        }
    }
}

/// Which set and role a file name is (matched case-insensitively): `cons_prim.csv`,
/// `CONS_ALT.CSV`, `sdn.csv`, `sdn_comments.csv`...
pub fn classify_file_name(name: &str) -> Option<(ListKind, CsvRole)> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".csv")?;
    Some(match stem {
        "cons_prim" => (ListKind::Consolidated, CsvRole::Prim),
        "cons_alt" => (ListKind::Consolidated, CsvRole::Alt),
        "cons_add" => (ListKind::Consolidated, CsvRole::Add),
        "cons_comments" => (ListKind::Consolidated, CsvRole::Comments),
        "sdn" => (ListKind::Sdn, CsvRole::Prim),
        "alt" => (ListKind::Sdn, CsvRole::Alt),
        "add" => (ListKind::Sdn, CsvRole::Add),
        "sdn_comments" => (ListKind::Sdn, CsvRole::Comments),
        _ => return None,
    })
}

/// One file of a set, already read.
#[derive(Debug, Clone, Copy)]
pub struct CsvFile<'a> {
    /// Path used in messages.
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// A CSV set to parse. Only the primary file is required.
#[derive(Debug, Clone, Copy)]
pub struct CsvSetInput<'a> {
    pub kind: ListKind,
    pub prim: CsvFile<'a>,
    pub alt: Option<CsvFile<'a>>,
    pub add: Option<CsvFile<'a>>,
    pub comments: Option<CsvFile<'a>>,
}

/// A warning about one entry (or the whole set when `entry` is None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetWarning {
    pub entry: Option<String>,
    pub message: String,
}

/// The parsed set.
#[derive(Debug, Clone)]
pub struct ParsedSet {
    pub entries: Vec<Entry>,
    pub warnings: Vec<SetWarning>,
    /// Records read per role, in the order prim, alt, add, comments.
    pub records: [usize; 4],
}

/// Decode one field: UTF-8, else Windows-1252.
pub fn decode_field(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Bytes without a UTF-8 BOM and without trailing 0x1A (DOS EOF) bytes and blank lines.
fn trim_file(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let end = b
        .iter()
        .rposition(|&c| !matches!(c, 0x1A | b'\r' | b'\n' | b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// A field as an optional string: trimmed, `-0-` and empty are None.
fn field(rec: &csv::ByteRecord, i: usize) -> Option<String> {
    let raw = rec.get(i)?.trim_ascii();
    if raw.is_empty() || raw == b"-0-" {
        return None;
    }
    let s = decode_field(raw);
    // Non-ASCII white space (NBSP in Windows-1252) is trimmed too.
    let t = s.trim();
    if t.len() == s.len() {
        Some(s)
    } else if t.is_empty() || t == "-0-" {
        None
    } else {
        Some(t.to_string())
    }
}

/// The records of an optional file.
fn optional_records(
    file: &Option<CsvFile<'_>>,
) -> Result<Option<Vec<(usize, csv::ByteRecord)>>, ListError> {
    file.as_ref().map(records).transpose()
}

/// 1-based line of a record starting at a byte offset (line ends before it skipped: with
/// CRLF the reader may place a record's start on the `\n` of the previous line).
fn line_at(bytes: &[u8], newlines: &[usize], byte: u64) -> usize {
    let mut byte = usize::try_from(byte).unwrap_or(usize::MAX);
    while bytes.get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        byte += 1;
    }
    newlines.partition_point(|&n| n < byte) + 1
}

/// Read every record of a file as (line, record).
fn records(file: &CsvFile<'_>) -> Result<Vec<(usize, csv::ByteRecord)>, ListError> {
    let bytes = trim_file(file.bytes);
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::with_capacity(newlines.len() + 1);
    loop {
        let here = rdr.position().byte();
        // A fresh record each time, moved into the output (no clone).
        let mut rec = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                    continue;
                }
                let start = rec.position().map_or(here, csv::Position::byte);
                out.push((line_at(bytes, &newlines, start), rec));
            }
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(here, csv::Position::byte);
                return Err(ListError::Parse {
                    path: file.path.to_string(),
                    line: line_at(bytes, &newlines, at),
                    message: format!("not a readable CSV record: {e}"),
                });
            }
        }
    }
    Ok(out)
}

fn parse_err(file: &CsvFile<'_>, line: usize, message: impl Into<String>) -> ListError {
    ListError::Parse {
        path: file.path.to_string(),
        line,
        message: message.into(),
    }
}

/// The ent_num of a record: required, digits.
fn ent_num(file: &CsvFile<'_>, line: usize, rec: &csv::ByteRecord) -> Result<String, ListError> {
    match field(rec, 0) {
        Some(id) if id.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        Some(id) => Err(parse_err(
            file,
            line,
            format!("ent_num {id:?} is not a number (expected OFAC's headerless CSV layout)"),
        )),
        None => Err(parse_err(file, line, "ent_num is missing")),
    }
}

/// Party type from SDN_Type: null means an entity.
fn party_type(raw: Option<&str>) -> Option<PartyType> {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        None | Some("entity") => Some(PartyType::Entity),
        Some("individual") => Some(PartyType::Individual),
        Some("vessel") => Some(PartyType::Vessel),
        Some("aircraft") => Some(PartyType::Aircraft),
        Some(_) => None,
    }
}

/// Programs joined as `A] [B` (sometimes with the outer brackets too).
pub fn split_programs(raw: &str) -> Vec<String> {
    raw.split("] [")
        .map(|p| {
            p.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
        })
        .filter(|p| !p.is_empty() && *p != "-0-")
        .map(str::to_string)
        .collect()
}

/// Alias type normalised: `aka`, `fka`, `nka` (from `a.k.a.`, `AKA`, `f.k.a.`...).
pub fn normalise_alias_kind(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Parse a CSV set into entries.
pub fn parse_csv_set(input: &CsvSetInput<'_>) -> Result<ParsedSet, ListError> {
    let mut warnings: Vec<SetWarning> = Vec::new();
    let mut records_read = [0usize; 4];

    // The four files are independent CSV texts: read them in parallel.
    let (comment_recs, (prim_recs, (alt_recs, add_recs))) = rayon::join(
        || optional_records(&input.comments),
        || {
            rayon::join(
                || records(&input.prim),
                || {
                    rayon::join(
                        || optional_records(&input.alt),
                        || optional_records(&input.add),
                    )
                },
            )
        },
    );
    let (comment_recs, prim_recs, alt_recs, add_recs) =
        (comment_recs?, prim_recs?, alt_recs?, add_recs?);

    // Comments first: continuation text per entry, in file order.
    let mut continuation: HashMap<String, String> = HashMap::new();
    if let (Some(f), Some(recs)) = (&input.comments, comment_recs) {
        records_read[3] = recs.len();
        for (line, rec) in recs {
            let id = ent_num(f, line, &rec)?;
            if let Some(raw) = rec.get(1) {
                // Not trimmed: the cut may fall on a space.
                let text = decode_field(raw);
                if text.trim() != "-0-" {
                    continuation.entry(id).or_default().push_str(&text);
                }
            }
        }
    }

    let prim = &input.prim;
    let recs = prim_recs;
    records_read[0] = recs.len();
    let mut entries: Vec<Entry> = Vec::with_capacity(recs.len());
    let mut remark_texts: Vec<String> = Vec::with_capacity(recs.len());
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (line, rec) in recs {
        let id = ent_num(prim, line, &rec)?;
        if by_id.contains_key(&id) {
            warnings.push(SetWarning {
                entry: Some(id.clone()),
                message: format!(
                    "entry {id} appears twice in {} (line {line}); the first row is used",
                    prim.path
                ),
            });
            continue;
        }
        let name = field(&rec, 1)
            .ok_or_else(|| parse_err(prim, line, format!("entry {id} has no name")))?;
        let type_raw = field(&rec, 2);
        let party_type = match party_type(type_raw.as_deref()) {
            Some(t) => t,
            None => {
                warnings.push(SetWarning {
                    entry: Some(id.clone()),
                    message: format!(
                        "entry {id}: unknown SDN_Type {:?}; treated as an entity",
                        type_raw.as_deref().unwrap_or_default()
                    ),
                });
                PartyType::Entity
            }
        };
        let programs = field(&rec, 3)
            .map(|p| split_programs(&p))
            .unwrap_or_default();
        let prim_remarks = rec.get(11).map(decode_field).filter(|r| r.trim() != "-0-");
        // Length before trimming: the cut may fall just after a space.
        let prim_len = prim_remarks.as_ref().map_or(0, |r| r.chars().count());
        let cont = continuation.remove(&id);
        let had_cont = cont.is_some();
        let remarks = match (prim_remarks, cont) {
            (Some(r), Some(c)) => Some(format!("{r}{c}")),
            (Some(r), None) => Some(r),
            (None, Some(c)) => Some(c),
            (None, None) => None,
        }
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());

        let mut truncated = false;
        let mut parse_text = remarks.clone().unwrap_or_default();
        if !had_cont
            && let Some(r) = &remarks
            && prim_len >= REMARKS_LIMIT
            && (input.comments.is_none() || !r.ends_with('.'))
        {
            truncated = true;
            // The last segment may be cut part-way: do not read it as data.
            let (kept, dropped) = match r.rfind("; ") {
                Some(i) => (&r[..i], r[i + 2..].trim()),
                None => ("", r.as_str()),
            };
            let comments_name = CsvRole::Comments.file_stem(input.kind);
            let dropped: String = if dropped.chars().count() > 80 {
                dropped.chars().take(80).chain("...".chars()).collect()
            } else {
                dropped.to_string()
            };
            warnings.push(SetWarning {
                entry: Some(id.clone()),
                message: format!(
                    "entry {id}: remarks are cut at {REMARKS_LIMIT} characters and no {comments_name} continuation was found; the cut last segment ({dropped:?}) was not used and anything after it is missing"
                ),
            });
            parse_text = kept.to_string();
        }
        by_id.insert(id.clone(), entries.len());
        remark_texts.push(parse_text);
        entries.push(Entry {
            id,
            name,
            party_type,
            programs,
            list_kind: input.kind,
            aliases: Vec::new(),
            identifiers: Vec::new(),
            linked_to: Vec::new(),
            remarks,
            remarks_truncated: truncated,
            countries: Vec::new(),
            cmic: None,
        });
    }
    // Remarks are the costly part and independent per entry: parse them in parallel.
    let parsed: Vec<_> = remark_texts.par_iter().map(|t| parse_remarks(t)).collect();
    for (e, p) in entries.iter_mut().zip(parsed) {
        e.aliases = p
            .weak_akas
            .into_iter()
            .map(|name| Alias {
                kind: "aka".into(),
                name,
                strength: Some("weak".into()),
            })
            .collect();
        e.identifiers = p.identifiers;
        e.linked_to = p.linked_to;
    }
    let orphans = continuation.len();
    if orphans > 0 {
        warnings.push(SetWarning {
            entry: None,
            message: format!(
                "{orphans} remarks continuation row(s) refer to no entry of {}",
                prim.path
            ),
        });
    }

    // ALT: strong aliases (OFAC writes weak a.k.a.s only in remarks).
    if let (Some(f), Some(recs)) = (&input.alt, alt_recs) {
        records_read[1] = recs.len();
        let mut strong: Vec<Vec<Alias>> = vec![Vec::new(); entries.len()];
        let mut orphans = 0usize;
        for (line, rec) in recs {
            let id = ent_num(f, line, &rec)?;
            let Some(&ix) = by_id.get(&id) else {
                orphans += 1;
                continue;
            };
            let Some(name) = field(&rec, 3) else {
                continue;
            };
            let kind = field(&rec, 2)
                .map(|k| normalise_alias_kind(&k))
                .unwrap_or_else(|| "aka".into());
            if let Some(v) = strong.get_mut(ix) {
                v.push(Alias {
                    kind,
                    name,
                    strength: Some("strong".into()),
                });
            }
        }
        for (e, mut s) in entries.iter_mut().zip(strong) {
            s.append(&mut e.aliases);
            e.aliases = s;
        }
        if orphans > 0 {
            warnings.push(SetWarning {
                entry: None,
                message: format!("{orphans} alias row(s) of {} refer to no entry", f.path),
            });
        }
    }

    // ADD: countries.
    if let (Some(f), Some(recs)) = (&input.add, add_recs) {
        records_read[2] = recs.len();
        let mut orphans = 0usize;
        for (line, rec) in recs {
            let id = ent_num(f, line, &rec)?;
            let Some(&ix) = by_id.get(&id) else {
                orphans += 1;
                continue;
            };
            if let Some(country) = field(&rec, 4)
                && let Some(e) = entries.get_mut(ix)
            {
                push_unique(&mut e.countries, country);
            }
        }
        if orphans > 0 {
            warnings.push(SetWarning {
                entry: None,
                message: format!("{orphans} address row(s) of {} refer to no entry", f.path),
            });
        }
    }

    // Typed CMIC data.
    for e in &mut entries {
        if e.is_cmic() {
            let mut w = Vec::new();
            e.cmic = Some(cmic_data(&e.id, &e.identifiers, &mut w));
            warnings.extend(w.into_iter().map(|message| SetWarning {
                entry: Some(e.id.clone()),
                message,
            }));
        }
    }

    Ok(ParsedSet {
        entries,
        warnings,
        records: records_read,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set<'a>(prim: &'a [u8], comments: Option<&'a [u8]>) -> CsvSetInput<'a> {
        CsvSetInput {
            kind: ListKind::Consolidated,
            prim: CsvFile {
                path: "CONS_PRIM.CSV",
                bytes: prim,
            },
            alt: None,
            add: None,
            comments: comments.map(|b| CsvFile {
                path: "CONS_COMMENTS.CSV",
                bytes: b,
            }),
        }
    }

    #[test]
    fn nulls_programs_eof_and_types() {
        let prim = b"1,\"A CO\",-0- ,\"UKRAINE-EO13662] [RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"SMITH, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'JS'.\"\r\n\x1a";
        let p = parse_csv_set(&set(prim, None)).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.records[0], 2);
        let a = &p.entries[0];
        assert_eq!(a.programs, ["UKRAINE-EO13662", "RUSSIA-EO14024"]);
        assert_eq!(a.party_type, PartyType::Entity);
        assert_eq!(a.remarks, None);
        let b = &p.entries[1];
        assert_eq!(b.party_type, PartyType::Individual);
        assert_eq!(b.aliases[0].name, "JS");
        assert_eq!(b.aliases[0].strength.as_deref(), Some("weak"));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn continuation_is_appended_and_truncation_flagged() {
        let long = format!("ISIN US0378331005; Target Type {}", "x".repeat(990));
        let prim = format!(
            "7,\"B\",-0- ,\"CMIC-EO13959\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{}\"\r\n",
            &long[..1000]
        );
        let with = parse_csv_set(&set(
            prim.as_bytes(),
            Some(b"7,\"xx; ISIN HK0941009539.\"\r\n"),
        ))
        .unwrap();
        let e = &with.entries[0];
        assert!(!e.remarks_truncated);
        assert!(
            e.remarks
                .as_deref()
                .unwrap()
                .ends_with("ISIN HK0941009539.")
        );
        assert_eq!(e.cmic.as_ref().unwrap().isins.len(), 2);

        let without = parse_csv_set(&set(prim.as_bytes(), None)).unwrap();
        let e = &without.entries[0];
        assert!(e.remarks_truncated);
        assert_eq!(e.cmic.as_ref().unwrap().isins.len(), 1);
        assert_eq!(e.cmic.as_ref().unwrap().target_type, None);
        assert_eq!(without.warnings.len(), 1);
        assert_eq!(without.warnings[0].entry.as_deref(), Some("7"));
    }

    #[test]
    fn latin1_fallback_and_errors_name_file_and_line() {
        let prim = b"1,\"CAF\xc9\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let p = parse_csv_set(&set(prim, None)).unwrap();
        assert_eq!(p.entries[0].name, "CAF\u{c9}");

        let bad = b"1,\"A\",-0- ,\"X\"\r\nabc,\"B\",-0- ,\"X\"\r\n";
        let e = parse_csv_set(&set(bad, None)).unwrap_err().to_string();
        assert!(e.starts_with("CONS_PRIM.CSV: line 2:"), "{e}");
    }

    #[test]
    fn duplicate_ids_keep_the_first_row_and_warn() {
        let prim = b"5,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n5,\"B\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
        let p = parse_csv_set(&set(prim, None)).unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].name, "A");
        assert!(p.warnings[0].message.contains("line 2"), "{:?}", p.warnings);
    }

    #[test]
    fn file_names_are_classified_case_insensitively() {
        assert_eq!(
            classify_file_name("CONS_PRIM.CSV"),
            Some((ListKind::Consolidated, CsvRole::Prim))
        );
        assert_eq!(
            classify_file_name("sdn_comments.csv"),
            Some((ListKind::Sdn, CsvRole::Comments))
        );
        assert_eq!(
            classify_file_name("Add.Csv"),
            Some((ListKind::Sdn, CsvRole::Add))
        );
        assert_eq!(classify_file_name("holdings.csv"), None);
    }
}
