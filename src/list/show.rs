//! `list show`: find one entry by id (ent_num / uid) or by a name or alias substring.
//!
//! An id finds the entry in every loaded snapshot that has it (one [`ShownEntry`] per
//! snapshot, so two versions of a list show both). A name finds every entry whose primary
//! name or an alias contains the text, case-insensitively and ignoring repeated spaces; when
//! that is several entries, the one whose name or alias is exactly the text wins, otherwise
//! the caller gets the candidates to choose an id from.

use chrono::NaiveDate;
use serde::Serialize;

use super::{DateBasis, Entry, ListFormat, SanctionsList, SourceFile};

/// One entry as found in one snapshot, with where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ShownEntry {
    /// The snapshot's description (source, format, path, date).
    pub snapshot: String,
    pub format: ListFormat,
    pub snapshot_date: Option<NaiveDate>,
    pub date_basis: DateBasis,
    pub embedded: bool,
    /// The snapshot's files (the entry's record is in the primary file; aliases, addresses
    /// and remarks continuations in the others).
    pub files: Vec<SourceFile>,
    /// Warnings of the snapshot that name this entry.
    pub warnings: Vec<String>,
    pub entry: Entry,
}

/// An entry a name matched, for the user to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub programs: Vec<String>,
    /// The name or alias that contains the text.
    pub matched: String,
    /// `name` or `alias`.
    pub matched_on: &'static str,
}

/// What a `list show` query found.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Lookup {
    /// One entry (in one or more snapshots).
    Found { entries: Vec<ShownEntry> },
    /// Several entries match the name: choose an id.
    Ambiguous { candidates: Vec<Candidate> },
    /// Nothing matches.
    NotFound,
}

/// Upper-case with runs of whitespace collapsed, for name comparison.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Every occurrence of the entry `id` across the list's snapshots.
fn occurrences(list: &SanctionsList, id: &str) -> Vec<ShownEntry> {
    let mut out = Vec::new();
    for s in &list.snapshots {
        for e in s.entries.iter().filter(|e| e.id == id) {
            let needle = format!("entry {id}:");
            out.push(ShownEntry {
                snapshot: s.description.clone(),
                format: s.format,
                snapshot_date: s.date,
                date_basis: s.date_basis,
                embedded: s.embedded,
                files: s.files.clone(),
                warnings: s
                    .warnings
                    .iter()
                    .filter(|w| w.contains(&needle))
                    .cloned()
                    .collect(),
                entry: e.clone(),
            });
        }
    }
    out
}

/// Find an entry by id, or by a name/alias substring.
pub fn lookup(list: &SanctionsList, query: &str) -> Lookup {
    let q = query.trim();
    if q.is_empty() {
        return Lookup::NotFound;
    }
    if q.chars().all(|c| c.is_ascii_digit()) {
        let found = occurrences(list, q);
        if !found.is_empty() {
            return Lookup::Found { entries: found };
        }
    }
    let needle = fold(q);
    // id -> (candidate, exact)
    let mut matches: Vec<(Candidate, bool)> = Vec::new();
    for s in &list.snapshots {
        for e in &s.entries {
            let mut hit: Option<(String, &'static str, bool)> = None;
            let name = fold(&e.name);
            if name.contains(&needle) {
                hit = Some((e.name.clone(), "name", name == needle));
            }
            for a in &e.aliases {
                let an = fold(&a.name);
                if an.contains(&needle) {
                    let exact = an == needle;
                    match &hit {
                        Some((_, _, true)) => {}
                        Some(_) if !exact => {}
                        _ => hit = Some((a.name.clone(), "alias", exact)),
                    }
                }
            }
            let Some((matched, matched_on, exact)) = hit else {
                continue;
            };
            if let Some(m) = matches.iter_mut().find(|(c, _)| c.id == e.id) {
                // The same entry in another snapshot: keep the newest name, remember exactness.
                m.0.name = e.name.clone();
                m.0.programs = e.programs.clone();
                m.1 |= exact;
                continue;
            }
            matches.push((
                Candidate {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    programs: e.programs.clone(),
                    matched,
                    matched_on,
                },
                exact,
            ));
        }
    }
    let exact: Vec<&Candidate> = matches.iter().filter(|m| m.1).map(|m| &m.0).collect();
    let chosen = match (matches.len(), exact.len()) {
        (0, _) => return Lookup::NotFound,
        (1, _) => matches[0].0.id.clone(),
        (_, 1) => exact[0].id.clone(),
        _ => {
            let mut candidates: Vec<Candidate> = matches.into_iter().map(|m| m.0).collect();
            candidates.sort_by(|a, b| id_order(&a.id, &b.id));
            return Lookup::Ambiguous { candidates };
        }
    };
    Lookup::Found {
        entries: occurrences(list, &chosen),
    }
}

/// Order ids numerically when they are numbers.
pub(crate) fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::embedded::embedded_list;

    #[test]
    fn finds_by_id() {
        let list = embedded_list();
        let Lookup::Found { entries } = lookup(&list, "33114") else {
            panic!("33114 not found");
        };
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].entry.name, "SENSETIME GROUP LIMITED");
        assert!(entries[0].embedded);
    }

    #[test]
    fn finds_by_name_case_insensitively() {
        let list = embedded_list();
        let Lookup::Found { entries } = lookup(&list, "sensetime") else {
            panic!("sensetime not found");
        };
        assert_eq!(entries[0].entry.id, "33114");
    }

    #[test]
    fn exact_name_wins_over_substrings() {
        let mut list = embedded_list();
        let other = list.snapshots[0]
            .entries
            .iter_mut()
            .find(|e| e.id != "33114")
            .expect("another entry");
        other.name = "SENSETIME GROUP LIMITED HOLDINGS".into();
        let Lookup::Found { entries } = lookup(&list, "sensetime  group limited") else {
            panic!("expected one entry");
        };
        assert_eq!(entries[0].entry.id, "33114");
        let Lookup::Ambiguous { candidates } = lookup(&list, "sensetime group") else {
            panic!("expected two entries");
        };
        assert_eq!(candidates.len(), 2);
    }

    #[test]
    fn shared_alias_is_ambiguous() {
        // "CHINA TELECOM" is an alias of 30882 and of its parent 30939.
        let list = embedded_list();
        let Lookup::Ambiguous { candidates } = lookup(&list, "China Telecom") else {
            panic!("expected several entries");
        };
        let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"30882") && ids.contains(&"30939"), "{ids:?}");
    }

    #[test]
    fn several_matches_are_candidates() {
        let list = embedded_list();
        let Lookup::Ambiguous { candidates } = lookup(&list, "aviation") else {
            panic!("expected several entries");
        };
        assert!(candidates.len() > 1);
        assert!(
            candidates
                .windows(2)
                .all(|w| id_order(&w[0].id, &w[1].id).is_le())
        );
    }

    #[test]
    fn nothing_matches() {
        let list = embedded_list();
        assert!(matches!(lookup(&list, "no such company"), Lookup::NotFound));
        assert!(matches!(lookup(&list, "   "), Lookup::NotFound));
        assert!(matches!(lookup(&list, "1"), Lookup::NotFound));
    }
}
