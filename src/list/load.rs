//! Loading `--list` paths (files or folders) into a [`SanctionsList`].
//!
//! * a folder holding a CSV set (file names matched case-insensitively: `CONS_PRIM.CSV`,
//!   `cons_alt.csv`, `sdn.csv`...) is one snapshot; an XML file is one snapshot; sub-folders
//!   are searched too, so one folder can yield several snapshots;
//! * a CSV file given directly brings the other files of its set from the same folder;
//! * snapshots are sorted by date, then path, and the same set named twice is read once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::csv_set::{self, CsvFile, CsvRole, CsvSetInput, classify_file_name};
use super::xml::parse_classic_xml;
use super::{DateBasis, Entry, ListFormat, ListKind, ListSnapshot, SanctionsList, SourceFile};
use crate::cache::{Chunked, ListCache, MIN_CACHED_BYTES};
use crate::util::sha256_hex;

/// How lists are loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions<'c> {
    /// Keep only the entries that can match a security ([`Entry::can_match_security`]):
    /// what `screen` and `trades` need. The list commands keep every entry.
    pub screening: bool,
    /// Where parsed lists are cached between runs (screening only).
    pub cache: Option<&'c ListCache>,
}

/// What parsing a snapshot's files gives, and what the cache stores for it.
#[derive(Debug, Serialize, Deserialize)]
struct Parsed {
    entries: Chunked<Entry>,
    /// Entries read but not kept ([`LoadOptions::screening`]).
    omitted: usize,
    /// Records read per file, in the order of the files.
    records: Vec<usize>,
    warnings: Vec<String>,
    publish_date: Option<NaiveDate>,
    record_count: Option<usize>,
    /// The kind the entries tell (before any is omitted).
    kind: Option<ListKind>,
}

impl Parsed {
    fn keep_screened(mut self, opts: &LoadOptions<'_>) -> Parsed {
        if opts.screening {
            let before = self.entries.0.len();
            self.entries.0.retain(Entry::can_match_security);
            self.omitted = before - self.entries.0.len();
        }
        self
    }
}

/// Parse through the cache: the key is the files' SHA-256 (`shas`, computed by the caller
/// from the bytes just read) and the format.
fn parse_cached(
    opts: &LoadOptions<'_>,
    format: &str,
    shas: &[&str],
    total_bytes: u64,
    parse: impl FnOnce() -> Result<Parsed, ListError>,
) -> Result<Parsed, ListError> {
    let cache = match opts.cache {
        Some(c) if opts.screening && total_bytes >= MIN_CACHED_BYTES => c,
        _ => return Ok(parse()?.keep_screened(opts)),
    };
    let mut parts = vec![format];
    parts.extend_from_slice(shas);
    let key = ListCache::key("parsed", &parts);
    if let Some(p) = cache.load::<Parsed>("parsed", &key) {
        return Ok(p);
    }
    let parsed = parse()?.keep_screened(opts);
    let _ = cache.store("parsed", &key, &parsed);
    Ok(parsed)
}

/// A list that could not be read. Always names the file.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Unrecognised { path: String, message: String },
}

/// What the loader accepts, for messages.
const EXPECTED: &str = "expected an OFAC CSV set (CONS_PRIM.CSV with CONS_ALT/CONS_ADD/CONS_COMMENTS.CSV, or SDN.CSV with ALT/ADD/SDN_COMMENTS.CSV), a classic XML file (consolidated.xml, sdn.xml), or a folder holding them";

/// How deep sub-folders are searched.
const MAX_DEPTH: usize = 4;

/// Human name of a list kind.
pub fn kind_description(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Consolidated => "OFAC consolidated (non-SDN) list",
        ListKind::Sdn => "OFAC SDN list",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A CSV set: the folder (as the user spelled it; empty for the current folder) and kind.
    CsvSet {
        dir: PathBuf,
        kind: ListKind,
    },
    Xml {
        path: PathBuf,
    },
}

fn io_err(path: &Path, e: &std::io::Error) -> ListError {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        _ => format!("cannot read: {e}"),
    };
    ListError::Io {
        path: path.display().to_string(),
        message,
    }
}

fn is_xml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Folder entries sorted by name (deterministic across file systems).
fn sorted_dir(dir: &Path, shown: &Path) -> Result<Vec<PathBuf>, ListError> {
    let read_from = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let rd = std::fs::read_dir(read_from).map_err(|e| io_err(shown, &e))?;
    let mut names = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|e| io_err(shown, &e))?;
        names.push(ent.file_name());
    }
    names.sort();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// Collect the sources in a folder (and its sub-folders).
fn scan_dir(dir: &Path, depth: usize, out: &mut Vec<Source>) -> Result<(), ListError> {
    for path in sorted_dir(dir, dir)? {
        let name = file_name(&path);
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                scan_dir(&path, depth + 1, out)?;
            }
        } else if let Some((kind, _)) = classify_file_name(&name) {
            let s = Source::CsvSet {
                dir: dir.to_path_buf(),
                kind,
            };
            if !out.contains(&s) {
                out.push(s);
            }
        } else if is_xml(&path) {
            out.push(Source::Xml { path });
        }
    }
    Ok(())
}

/// Load every list file or folder given with `--list`, with every entry.
pub fn load_paths(paths: &[PathBuf]) -> Result<SanctionsList, ListError> {
    load_paths_with(paths, &LoadOptions::default())
}

/// Load every list file or folder given with `--list`.
pub fn load_paths_with(
    paths: &[PathBuf],
    opts: &LoadOptions<'_>,
) -> Result<SanctionsList, ListError> {
    let mut sources: Vec<Source> = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| io_err(p, &e))?;
        let mut found = Vec::new();
        if meta.is_dir() {
            scan_dir(p, 0, &mut found)?;
            if found.is_empty() {
                return Err(ListError::Unrecognised {
                    path: p.display().to_string(),
                    message: format!("no OFAC list files in this folder; {EXPECTED}"),
                });
            }
        } else if let Some((kind, _)) = classify_file_name(&file_name(p)) {
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            found.push(Source::CsvSet { dir, kind });
        } else if is_xml(p) {
            found.push(Source::Xml { path: p.clone() });
        } else {
            return Err(ListError::Unrecognised {
                path: p.display().to_string(),
                message: format!("not a list file this program reads; {EXPECTED}"),
            });
        }
        for s in found {
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
    }
    // Snapshots are independent: read in parallel; the first error in the order given wins.
    let loaded: Vec<Result<ListSnapshot, ListError>> = sources
        .par_iter()
        .map(|s| match s {
            Source::CsvSet { dir, kind } => load_csv_dir_with(dir, *kind, opts),
            Source::Xml { path } => load_xml_with(path, opts),
        })
        .collect();
    let mut snapshots = Vec::with_capacity(sources.len());
    let mut seen_files: Vec<PathBuf> = Vec::new();
    for snap in loaded {
        let snap = snap?;
        // The same files reached twice by different spellings: keep one.
        let key: Vec<PathBuf> = snap
            .files
            .iter()
            .filter_map(|f| std::fs::canonicalize(&f.path).ok())
            .collect();
        if !key.is_empty() && key.iter().all(|k| seen_files.contains(k)) {
            continue;
        }
        seen_files.extend(key);
        snapshots.push(snap);
    }
    snapshots.sort_by(|a, b| {
        let pa = a.files.first().map(|f| f.path.as_str()).unwrap_or_default();
        let pb = b.files.first().map(|f| f.path.as_str()).unwrap_or_default();
        (a.date, pa).cmp(&(b.date, pb))
    });
    Ok(SanctionsList { snapshots })
}

fn read_file(path: &Path) -> Result<Vec<u8>, ListError> {
    std::fs::read(path).map_err(|e| io_err(path, &e))
}

/// The date a `LIST_DATE` file in `dir` declares (first line, `YYYY-MM-DD`).
fn declared_date(dir: &Path, warnings: &mut Vec<String>) -> Option<chrono::NaiveDate> {
    let path = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.eq_ignore_ascii_case("LIST_DATE") || n.eq_ignore_ascii_case("LIST_DATE.txt")
            })
        })?;
    let text = std::fs::read_to_string(&path).ok()?;
    let first = text.lines().next().unwrap_or("").trim();
    match chrono::NaiveDate::parse_from_str(first, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            warnings.push(format!(
                "{}: '{first}' is not a YYYY-MM-DD date; the set is dated by file modification time",
                path.display()
            ));
            None
        }
    }
}

/// The modification date (UTC) of a file.
fn modified_date(path: &Path) -> Option<chrono::NaiveDate> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(t).date_naive())
}

fn source_file(path: &Path, role: &str, bytes: &[u8], sha256: &str, records: usize) -> SourceFile {
    SourceFile {
        path: path.display().to_string(),
        role: role.to_string(),
        sha256: sha256.to_string(),
        bytes: bytes.len() as u64,
        records,
    }
}

/// Read the CSV set of `kind` in folder `dir` (files matched case-insensitively).
pub fn load_csv_dir(dir: &Path, kind: ListKind) -> Result<ListSnapshot, ListError> {
    load_csv_dir_with(dir, kind, &LoadOptions::default())
}

fn load_csv_dir_with(
    dir: &Path,
    kind: ListKind,
    opts: &LoadOptions<'_>,
) -> Result<ListSnapshot, ListError> {
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut roles: BTreeMap<CsvRole, PathBuf> = BTreeMap::new();
    for path in sorted_dir(dir, shown)? {
        let Some((k, role)) = classify_file_name(&file_name(&path)) else {
            continue;
        };
        if k != kind || path.is_dir() {
            continue;
        }
        if let Some(prev) = roles.insert(role, path.clone()) {
            return Err(ListError::Unrecognised {
                path: shown.display().to_string(),
                message: format!(
                    "two files for {}: {} and {}",
                    role.file_stem(kind),
                    file_name(&prev),
                    file_name(&path)
                ),
            });
        }
    }
    let Some(prim_path) = roles.get(&CsvRole::Prim).cloned() else {
        let found: Vec<String> = roles.values().map(|p| file_name(p)).collect();
        return Err(ListError::Unrecognised {
            path: shown.display().to_string(),
            message: format!(
                "{} found without {}.CSV, the file that holds the entries",
                found.join(", "),
                CsvRole::Prim.file_stem(kind)
            ),
        });
    };
    let mut bytes: BTreeMap<CsvRole, Vec<u8>> = BTreeMap::new();
    for (role, path) in &roles {
        bytes.insert(*role, read_file(path)?);
    }
    let paths: BTreeMap<CsvRole, String> = roles
        .iter()
        .map(|(r, p)| (*r, p.display().to_string()))
        .collect();
    let file = |role: CsvRole| -> Option<CsvFile<'_>> {
        Some(CsvFile {
            path: paths.get(&role)?.as_str(),
            bytes: bytes.get(&role)?.as_slice(),
        })
    };
    let Some(prim) = file(CsvRole::Prim) else {
        return Err(ListError::Unrecognised {
            path: shown.display().to_string(),
            message: "the primary file could not be read".into(),
        });
    };
    let input = CsvSetInput {
        kind,
        prim,
        alt: file(CsvRole::Alt),
        add: file(CsvRole::Add),
        comments: file(CsvRole::Comments),
    };
    // Fingerprints from the bytes read, every run (the evidence and the cache key).
    let shas: BTreeMap<CsvRole, String> = bytes
        .par_iter()
        .map(|(role, b)| (*role, sha256_hex(b)))
        .collect();
    let order = [CsvRole::Prim, CsvRole::Alt, CsvRole::Add, CsvRole::Comments];
    let key_parts: Vec<String> = order
        .iter()
        .map(|r| {
            format!(
                "{}={}",
                r.file_stem(kind),
                shas.get(r).map_or("", String::as_str)
            )
        })
        .collect();
    let key_refs: Vec<&str> = key_parts.iter().map(String::as_str).collect();
    let total: u64 = bytes.values().map(|b| b.len() as u64).sum();
    let parsed = parse_cached(opts, "csv-set", &key_refs, total, || {
        let p = csv_set::parse_csv_set(&input)?;
        Ok(Parsed {
            entries: Chunked(p.entries),
            omitted: 0,
            records: p.records.to_vec(),
            warnings: p.warnings.into_iter().map(|w| w.message).collect(),
            publish_date: None,
            record_count: None,
            kind: Some(kind),
        })
    })?;

    let mut files = Vec::new();
    for (i, role) in order.iter().enumerate() {
        if let (Some(p), Some(b), Some(sha)) = (roles.get(role), bytes.get(role), shas.get(role)) {
            files.push(source_file(
                p,
                role.file_stem(kind),
                b,
                sha,
                parsed.records.get(i).copied().unwrap_or(0),
            ));
        }
    }
    let mut warnings = Vec::new();
    for role in [CsvRole::Alt, CsvRole::Add, CsvRole::Comments] {
        if !roles.contains_key(&role) {
            let what = match role {
                CsvRole::Alt => "only the weak aliases written in remarks are known",
                CsvRole::Add => "addresses and countries are unknown",
                _ => "remarks cut at 1000 characters cannot be completed",
            };
            warnings.push(format!(
                "{}: no {}.CSV in the set: {what}",
                shown.display(),
                role.file_stem(kind)
            ));
        }
    }
    warnings.extend(parsed.warnings);
    // CSV files carry no date: a LIST_DATE file beside them declares it, else the files'
    // modification time is the best there is.
    let declared = declared_date(dir, &mut warnings);
    let (date, date_basis, dated_by) = match (declared, modified_date(&prim_path)) {
        (Some(d), _) => (Some(d), DateBasis::Declared, "dated by its LIST_DATE file"),
        (None, Some(d)) => (
            Some(d),
            DateBasis::FileModified,
            "dated by file modification time, as CSV files carry no date (add a LIST_DATE file)",
        ),
        (None, None) => (None, DateBasis::Unknown, "undated"),
    };
    Ok(ListSnapshot {
        description: format!(
            "{}, CSV set ({}); {dated_by}",
            kind_description(kind),
            shown.display()
        ),
        format: ListFormat::CsvSet,
        kind,
        files,
        date,
        date_basis,
        record_count: None,
        embedded: false,
        entries: parsed.entries.0,
        omitted_entries: parsed.omitted,
        warnings,
    })
}

/// The list kind a classic XML file name says (`sdn.xml`, `consolidated.xml`), if any.
fn xml_kind_from_name(name: &str) -> Option<ListKind> {
    let n = name.to_ascii_lowercase();
    if n.starts_with("sdn") {
        Some(ListKind::Sdn)
    } else if n.starts_with("cons") {
        Some(ListKind::Consolidated)
    } else {
        None
    }
}

/// Read one classic XML file.
pub fn load_xml(path: &Path) -> Result<ListSnapshot, ListError> {
    load_xml_with(path, &LoadOptions::default())
}

fn load_xml_with(path: &Path, opts: &LoadOptions<'_>) -> Result<ListSnapshot, ListError> {
    let bytes = read_file(path)?;
    let shown = path.display().to_string();
    let name_kind = xml_kind_from_name(&file_name(path));
    let sha = sha256_hex(&bytes);
    let kind_tag = match name_kind {
        Some(ListKind::Sdn) => "classic-xml:sdn",
        Some(ListKind::Consolidated) => "classic-xml:consolidated",
        None => "classic-xml",
    };
    let parsed = parse_cached(opts, kind_tag, &[&sha], bytes.len() as u64, || {
        let p = parse_classic_xml(&shown, &bytes, name_kind)?;
        Ok(Parsed {
            kind: p.entries.first().map(|e| e.list_kind),
            records: vec![p.entries.len()],
            entries: Chunked(p.entries),
            omitted: 0,
            warnings: p.warnings.into_iter().map(|w| w.message).collect(),
            publish_date: p.publish_date,
            record_count: p.record_count,
        })
    })?;
    let kind = parsed
        .kind
        .unwrap_or(name_kind.unwrap_or(ListKind::Consolidated));
    let records = parsed.records.first().copied().unwrap_or(0);
    let mut description = format!("{}, classic XML ({shown})", kind_description(kind));
    match parsed.publish_date {
        Some(d) => description.push_str(&format!(", Publish_Date {d}")),
        None => description.push_str(", no Publish_Date"),
    }
    if name_kind.is_none() {
        description.push_str("; list kind inferred from its programs");
    }
    Ok(ListSnapshot {
        description,
        format: ListFormat::ClassicXml,
        kind,
        files: vec![source_file(
            path,
            match kind {
                ListKind::Consolidated => "consolidated.xml",
                ListKind::Sdn => "sdn.xml",
            },
            &bytes,
            &sha,
            records,
        )],
        date: parsed.publish_date,
        date_basis: if parsed.publish_date.is_some() {
            DateBasis::PublishDate
        } else {
            DateBasis::Unknown
        },
        record_count: parsed.record_count,
        embedded: false,
        entries: parsed.entries.0,
        omitted_entries: parsed.omitted,
        warnings: parsed.warnings,
    })
}
