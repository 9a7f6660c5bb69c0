//! Reviewed exceptions (`--exceptions FILE`): a compliance officer's recorded decisions that
//! a possible match is not the listed entity.
//!
//! Each exception names what it applies to (an identifier, or a security/issuer name, and
//! the OFAC entity id it was confused with), the decision, the reason, who decided and when,
//! and an optional expiry. A matching, unexpired exception turns a `review` position into
//! `cleared`. It never touches a `prohibited` or `pending` position, and an exception that
//! names an ISIN or CUSIP that is on the list is refused outright: the identifier itself is
//! listed, there is nothing to review.
//!
//! The file is CSV (header row with the field names below, any order) or TOML
//! (`[[exception]]` tables with the same keys):
//! `entity_id, identifier, name, decision, reason, decided_by, decided_on, expires`.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::ident::{check_cusip, check_isin, normalise_id};
use crate::index::ListIndex;
use crate::names::normalise;
use crate::report::{Position, Status};
use crate::util::sha256_hex;

/// One reviewed decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exception {
    /// Where it is written: `exceptions.csv line 3`, `exceptions.toml exception 2`.
    pub source: String,
    pub entity_id: String,
    /// An identifier of the security as the holdings write it (ISIN, CUSIP, SEDOL, ticker).
    pub identifier: Option<String>,
    /// A security or issuer name as the holdings write it.
    pub name: Option<String>,
    pub reason: String,
    pub decided_by: String,
    pub decided_on: NaiveDate,
    pub expires: Option<NaiveDate>,
}

/// What became of one exception in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionState {
    /// Cleared at least one `review` position.
    Applied,
    /// Matched no position.
    Unmatched,
    /// Matched positions but had expired on the as-of date: not applied.
    Expired,
    /// Not applied, ever: see the reason (a listed identifier, an incomplete entry, or a
    /// match on a prohibited position).
    Refused,
}

impl ExceptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionState::Applied => "applied",
            ExceptionState::Unmatched => "unmatched",
            ExceptionState::Expired => "expired",
            ExceptionState::Refused => "refused",
        }
    }
}

/// One exception with its outcome, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionOutcome {
    pub source: String,
    pub entity_id: Option<String>,
    pub identifier: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub expires: Option<NaiveDate>,
    pub state: ExceptionState,
    /// Positions it cleared (or would have, for expired/refused ones).
    pub positions: usize,
    /// Why it was refused or what to do about it.
    pub message: Option<String>,
}

/// An exceptions file as read: usable exceptions and the entries that were refused.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExceptionsFile {
    pub path: String,
    pub sha256: String,
    pub exceptions: Vec<Exception>,
    /// Entries that cannot be used (incomplete, unknown decision, bad date), with why.
    pub refused: Vec<ExceptionOutcome>,
}

/// An exceptions file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ExceptionsError {
    pub path: String,
    pub message: String,
}

/// Field values of one entry before validation.
#[derive(Debug, Default)]
struct RawEntry {
    source: String,
    fields: Vec<(String, String)>,
}

impl RawEntry {
    fn get(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

const KNOWN_FIELDS: [&str; 8] = [
    "entity_id",
    "identifier",
    "name",
    "decision",
    "reason",
    "decided_by",
    "decided_on",
    "expires",
];

/// Decisions that mean "this is not the listed entity".
fn is_clearing_decision(d: &str) -> bool {
    matches!(
        d.trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str(),
        "clear"
            | "cleared"
            | "false-positive"
            | "not-a-match"
            | "no-match"
            | "dismiss"
            | "dismissed"
    )
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.get(..10).unwrap_or(t);
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

/// Read an exceptions file (CSV, or TOML when the name ends in `.toml`).
pub fn load_exceptions(path: &Path) -> Result<ExceptionsFile, ExceptionsError> {
    let display = path.display().to_string();
    let fail = |message: String| ExceptionsError {
        path: display.clone(),
        message,
    };
    let bytes =
        std::fs::read(path).map_err(|e| fail(format!("cannot read the exceptions file: {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.clone());
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let raw = if is_toml {
        raw_from_toml(text, &file_name).map_err(fail)?
    } else {
        raw_from_csv(text, &file_name).map_err(fail)?
    };
    let mut out = ExceptionsFile {
        path: display.clone(),
        sha256: sha256_hex(&bytes),
        ..ExceptionsFile::default()
    };
    for entry in raw {
        match validate(&entry) {
            Ok(e) => out.exceptions.push(e),
            Err(message) => out.refused.push(ExceptionOutcome {
                source: entry.source.clone(),
                entity_id: entry.get("entity_id"),
                identifier: entry.get("identifier"),
                name: entry.get("name"),
                reason: entry.get("reason"),
                decided_by: entry.get("decided_by"),
                decided_on: entry.get("decided_on").and_then(|d| parse_date(&d)),
                expires: entry.get("expires").and_then(|d| parse_date(&d)),
                state: ExceptionState::Refused,
                positions: 0,
                message: Some(message),
            }),
        }
    }
    Ok(out)
}

fn raw_from_csv(text: &str, file_name: &str) -> Result<Vec<RawEntry>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !h.is_empty() && !KNOWN_FIELDS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() || !headers.iter().any(|h| h == "entity_id") {
        return Err(format!(
            "the header row must name the columns {} (unknown: {})",
            KNOWN_FIELDS.join(", "),
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        out.push(RawEntry {
            source: format!("{file_name} line {line}"),
            fields: headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        });
    }
    Ok(out)
}

fn raw_from_toml(text: &str, file_name: &str) -> Result<Vec<RawEntry>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| format!("not valid TOML: {e}"))?;
    let Some(items) = table.get("exception") else {
        return Err("no [[exception]] entries".into());
    };
    let Some(items) = items.as_array() else {
        return Err("`exception` must be written as [[exception]] tables".into());
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let source = format!("{file_name} exception {}", i + 1);
        let Some(t) = item.as_table() else {
            return Err(format!("{source}: not a table"));
        };
        let mut fields = Vec::new();
        for (k, v) in t {
            if !KNOWN_FIELDS.contains(&k.as_str()) {
                return Err(format!(
                    "{source}: unknown key `{k}` (known: {})",
                    KNOWN_FIELDS.join(", ")
                ));
            }
            let s = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return Err(format!("{source}: `{k}` must be a string, number or date")),
            };
            fields.push((k.clone(), s));
        }
        out.push(RawEntry { source, fields });
    }
    Ok(out)
}

fn validate(e: &RawEntry) -> Result<Exception, String> {
    let entity_id = e
        .get("entity_id")
        .ok_or("no entity_id: name the OFAC entity the match was confused with")?;
    let identifier = e.get("identifier");
    let name = e.get("name");
    if identifier.is_none() && name.is_none() {
        return Err("neither identifier nor name: say what the exception applies to".into());
    }
    let decision = e.get("decision").unwrap_or_else(|| "clear".into());
    if !is_clearing_decision(&decision) {
        return Err(format!(
            "decision `{decision}` is not understood (use `clear`: the position is not the listed entity)"
        ));
    }
    let reason = e
        .get("reason")
        .ok_or("no reason: record why the match was dismissed")?;
    let decided_by = e
        .get("decided_by")
        .ok_or("no decided_by: record who decided")?;
    let decided_on_text = e
        .get("decided_on")
        .ok_or("no decided_on: record when (YYYY-MM-DD)")?;
    let decided_on = parse_date(&decided_on_text)
        .ok_or_else(|| format!("decided_on `{decided_on_text}` is not a YYYY-MM-DD date"))?;
    let expires = match e.get("expires") {
        None => None,
        Some(t) => {
            Some(parse_date(&t).ok_or_else(|| format!("expires `{t}` is not a YYYY-MM-DD date"))?)
        }
    };
    Ok(Exception {
        source: e.source.clone(),
        entity_id,
        identifier,
        name,
        reason,
        decided_by,
        decided_on,
        expires,
    })
}

/// The position's identifiers, normalised.
fn position_ids(p: &Position) -> Vec<String> {
    [&p.isin, &p.cusip, &p.sedol, &p.ticker]
        .into_iter()
        .flatten()
        .map(|s| normalise_id(s))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Exceptions applied to the screened positions of a run, batch after batch, on the as-of
/// date; [`ExceptionRun::outcomes`] says what became of each.
#[derive(Debug)]
pub struct ExceptionRun<'f> {
    file: &'f ExceptionsFile,
    as_of: NaiveDate,
    /// Per exception: why it can never apply (its identifier is itself listed).
    refused: Vec<Option<String>>,
    /// Per exception: positions it cleared (or matched when expired), and prohibited
    /// positions it matched.
    matched: Vec<(usize, usize)>,
}

impl<'f> ExceptionRun<'f> {
    pub fn new(file: &'f ExceptionsFile, index: &ListIndex, as_of: NaiveDate) -> Self {
        let refused = file
            .exceptions
            .iter()
            .map(|ex| {
                // An identifier that is itself on the list can never be cleared.
                let id = normalise_id(ex.identifier.as_deref()?);
                let listed = (check_isin(&id).is_valid() && !index.by_isin(&id).is_empty())
                    || (check_cusip(&id).is_valid() && !index.by_cusip(&id).is_empty());
                listed.then(|| {
                    format!(
                        "{id} is on the list itself: an exact ISIN/CUSIP match cannot be cleared by an exception"
                    )
                })
            })
            .collect();
        ExceptionRun {
            file,
            as_of,
            refused,
            matched: vec![(0, 0); file.exceptions.len()],
        }
    }

    /// The exceptions file.
    pub fn file(&self) -> &'f ExceptionsFile {
        self.file
    }

    /// Apply the exceptions to some positions (a batch of the run, in input order).
    pub fn apply(&mut self, positions: &mut [Position]) {
        if self.file.exceptions.is_empty() {
            return;
        }
        let name_keys: Vec<[Option<String>; 2]> = positions
            .iter()
            .map(|p| {
                if p.entity_id.is_none() {
                    return [None, None];
                }
                [
                    p.security
                        .as_deref()
                        .map(|n| normalise(n).key)
                        .filter(|k| !k.is_empty()),
                    p.issuer
                        .as_deref()
                        .map(|n| normalise(n).key)
                        .filter(|k| !k.is_empty()),
                ]
            })
            .collect();
        for (x, ex) in self.file.exceptions.iter().enumerate() {
            if self.refused[x].is_some() {
                continue;
            }
            let want_id = ex.identifier.as_deref().map(normalise_id);
            let want_name = ex.name.as_deref().map(|n| normalise(n).key);
            let expired = ex.expires.is_some_and(|d| d < self.as_of);
            let (cleared, prohibited_hits) = &mut self.matched[x];
            for (i, p) in positions.iter_mut().enumerate() {
                if p.entity_id.as_deref() != Some(ex.entity_id.as_str()) {
                    continue;
                }
                let by_id = want_id
                    .as_ref()
                    .is_some_and(|w| position_ids(p).iter().any(|id| id == w));
                let by_name = want_name.as_ref().is_some_and(|w| {
                    !w.is_empty() && name_keys[i].iter().flatten().any(|k| k == w)
                });
                if !(by_id || by_name) {
                    continue;
                }
                match p.status {
                    Status::Review if expired => {
                        *cleared += 1;
                        p.notes.push(format!(
                            "exception {} expired on {}: not applied",
                            ex.source,
                            ex.expires.map(|d| d.to_string()).unwrap_or_default()
                        ));
                    }
                    Status::Review => {
                        *cleared += 1;
                        p.status = Status::Cleared;
                        p.exception = Some(ex.source.clone());
                        p.action = Some("none: dismissed by a reviewed exception".into());
                        p.notes.push(format!(
                            "cleared by exception {}: {} (decided by {} on {})",
                            ex.source, ex.reason, ex.decided_by, ex.decided_on
                        ));
                    }
                    Status::Prohibited | Status::Pending | Status::Blocked => {
                        *prohibited_hits += 1;
                        p.notes.push(format!(
                            "exception {} not applied: only a review can be cleared, this position is {}",
                            ex.source,
                            p.status.as_str()
                        ));
                    }
                    _ => {}
                }
            }
        }
    }

    /// One outcome per exception (refused entries of the file included), in file order.
    pub fn outcomes(self) -> Vec<ExceptionOutcome> {
        let mut outcomes: Vec<ExceptionOutcome> = Vec::new();
        for ((ex, refused), (cleared, prohibited_hits)) in self
            .file
            .exceptions
            .iter()
            .zip(self.refused)
            .zip(self.matched)
        {
            let mut outcome = ExceptionOutcome {
                source: ex.source.clone(),
                entity_id: Some(ex.entity_id.clone()),
                identifier: ex.identifier.clone(),
                name: ex.name.clone(),
                reason: Some(ex.reason.clone()),
                decided_by: Some(ex.decided_by.clone()),
                decided_on: Some(ex.decided_on),
                expires: ex.expires,
                state: ExceptionState::Unmatched,
                positions: cleared,
                message: None,
            };
            let expired = ex.expires.is_some_and(|d| d < self.as_of);
            if let Some(why) = refused {
                outcome.state = ExceptionState::Refused;
                outcome.message = Some(why);
            } else if expired && cleared > 0 {
                outcome.state = ExceptionState::Expired;
                outcome.message = Some("review the decision again, then renew or remove it".into());
            } else if cleared > 0 {
                outcome.state = ExceptionState::Applied;
            } else if prohibited_hits > 0 {
                outcome.state = ExceptionState::Refused;
                outcome.positions = prohibited_hits;
                outcome.message = Some(
                    "matched only prohibited/pending positions: strong evidence cannot be cleared by an exception"
                        .into(),
                );
            } else if expired {
                outcome.state = ExceptionState::Expired;
                outcome.message = Some("matched nothing either: remove it".into());
            } else {
                outcome.message = Some(
                    "matched no position: check the entity id, identifier or name, or remove it"
                        .into(),
                );
            }
            outcomes.push(outcome);
        }
        outcomes.extend(self.file.refused.iter().cloned());
        outcomes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, text: &str) -> ExceptionsFile {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        load_exceptions(&p).unwrap()
    }

    #[test]
    fn csv_entries_are_validated() {
        let f = load(
            "exceptions.csv",
            "entity_id,identifier,name,decision,reason,decided_by,decided_on,expires\n\
             30923,,China Mobile Games & Entertainment,clear,different company (NASDAQ: CMGE),J. Smith,2026-01-15,2027-01-15\n\
             30882,CNE1000002V2,,clear,wrong,J. Smith,2026-01-15,\n\
             ,,Some name,clear,no entity,J. Smith,2026-01-15,\n\
             30923,,X,escalate,unknown decision,J. Smith,2026-01-15,\n\
             30923,,X,clear,bad date,J. Smith,15/01/2026,\n",
        );
        assert_eq!(f.sha256.len(), 64);
        assert_eq!(f.exceptions.len(), 2);
        assert_eq!(f.exceptions[0].source, "exceptions.csv line 2");
        assert_eq!(
            f.exceptions[0].expires,
            NaiveDate::from_ymd_opt(2027, 1, 15)
        );
        let why: Vec<&str> = f
            .refused
            .iter()
            .map(|r| r.message.as_deref().unwrap())
            .collect();
        assert_eq!(why.len(), 3);
        assert!(why[0].starts_with("no entity_id"));
        assert!(why[1].contains("escalate"));
        assert!(why[2].contains("15/01/2026"));
        assert!(f.refused.iter().all(|r| r.state == ExceptionState::Refused));
    }

    #[test]
    fn toml_entries_with_native_dates() {
        let f = load(
            "exceptions.toml",
            r#"
[[exception]]
entity_id = "30923"
name = "China Mobile Games & Entertainment"
decision = "false-positive"
reason = "different company"
decided_by = "J. Smith"
decided_on = 2026-01-15
expires = 2027-01-15
"#,
        );
        assert_eq!(f.exceptions.len(), 1, "{:?}", f.refused);
        assert_eq!(
            f.exceptions[0].decided_on,
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
        );
        assert_eq!(f.exceptions[0].source, "exceptions.toml exception 1");
    }

    #[test]
    fn unreadable_files_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "who,what\n1,2\n").unwrap();
        let err = load_exceptions(&p).unwrap_err().to_string();
        assert!(err.contains("x.csv") && err.contains("entity_id"), "{err}");
        let t = dir.path().join("x.toml");
        std::fs::write(&t, "[[exception]]\nentity = 1\n").unwrap();
        let err = load_exceptions(&t).unwrap_err().to_string();
        assert!(err.contains("unknown key `entity`"), "{err}");
    }
}
