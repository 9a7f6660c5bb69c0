//! `list diff`: what changed between two versions of a list, entry by entry.
//!
//! Entries are matched by id (ent_num / uid). An entry is *added* when only the new list has
//! it, *removed* when only the old one has it, and *changed* when a compared field differs:
//! name, party type, programs, aliases, identifiers, Linked To, address countries, the typed
//! NS-CMIC fields (dates, ISINs, tickers, issuer names, target type, USCC, LEI) and remarks.
//!
//! Sets (programs, aliases, identifiers...) are compared as sets, so a reordering is no
//! change. Values are compared after collapsing repeated spaces, so a reformatted file is
//! not reported as changed. The two formats write remarks differently (the CSV set packs
//! every identifier into them, the XML keeps only leftover text), so remarks are compared
//! only between snapshots of the same format; the identifiers, aliases and links they hold
//! are compared in every case. Identifiers the typed NS-CMIC fields cover (ISIN, Equity
//! Ticker, dates...) are reported under those fields for NS-CMIC entries, not again under
//! `identifiers`; for other entries every identifier is under `identifiers`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::show::id_order;
use super::{CmicData, Entry, ListFormat, PartyType, SanctionsList, SourceFile};

/// Identifier labels reported through the typed NS-CMIC fields ([`super::CmicData`]).
pub const TYPED_LABELS: &[&str] = &[
    "Equity Ticker",
    "ISIN",
    "Issuer Name",
    "Target Type",
    "Listing Date (CMIC)",
    "Effective Date (CMIC)",
    "Purchase/Sales For Divestment Date (CMIC)",
    "Unified Social Credit Code (USCC)",
    "Legal Entity Number",
];

/// A compared field of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Name,
    PartyType,
    Programs,
    Aliases,
    Identifiers,
    LinkedTo,
    Countries,
    ListingDate,
    EffectiveDate,
    DivestmentDate,
    Isins,
    Tickers,
    IssuerNames,
    TargetType,
    Uscc,
    Lei,
    Remarks,
}

impl Field {
    /// Words for a report.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::PartyType => "Party type",
            Field::Programs => "Programs",
            Field::Aliases => "Aliases",
            Field::Identifiers => "Identifiers",
            Field::LinkedTo => "Linked To",
            Field::Countries => "Address countries",
            Field::ListingDate => "Listing Date (CMIC)",
            Field::EffectiveDate => "Effective Date (CMIC)",
            Field::DivestmentDate => "Purchase/Sales For Divestment Date (CMIC)",
            Field::Isins => "ISINs",
            Field::Tickers => "Equity Tickers",
            Field::IssuerNames => "Issuer Names",
            Field::TargetType => "Target Type",
            Field::Uscc => "USCC",
            Field::Lei => "LEI",
            Field::Remarks => "Remarks",
        }
    }

    /// True for the typed NS-CMIC fields.
    pub fn is_cmic(self) -> bool {
        matches!(
            self,
            Field::ListingDate
                | Field::EffectiveDate
                | Field::DivestmentDate
                | Field::Isins
                | Field::Tickers
                | Field::IssuerNames
                | Field::TargetType
                | Field::Uscc
                | Field::Lei
        )
    }
}

/// One field of one entry that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: Field,
    /// The whole old value (set members joined with `; `), None when absent.
    pub old: Option<String>,
    pub new: Option<String>,
    /// For set fields: members only in the old list.
    pub removed: Vec<String>,
    /// For set fields: members only in the new list.
    pub added: Vec<String>,
}

/// An entry added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryBrief {
    pub id: String,
    pub name: String,
    pub party_type: PartyType,
    pub programs: Vec<String>,
    pub cmic: bool,
    pub listing_date: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    pub divestment_date: Option<NaiveDate>,
}

/// An entry both lists have, with the fields that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedEntry {
    pub id: String,
    /// The new list's name.
    pub name: String,
    /// The new list's programs.
    pub programs: Vec<String>,
    /// On the NS-CMIC list in the old or the new version.
    pub cmic: bool,
    pub changes: Vec<FieldChange>,
}

/// Counts of one comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub old_entries: usize,
    pub new_entries: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl Counts {
    /// True when nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0 && self.changed == 0
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSide {
    /// Descriptions of the side's snapshots.
    pub snapshots: Vec<String>,
    /// The newest snapshot date of the side.
    pub date: Option<NaiveDate>,
    pub files: Vec<SourceFile>,
}

/// Everything `list diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct ListDiff {
    pub old: DiffSide,
    pub new: DiffSide,
    /// Every entry.
    pub counts: Counts,
    /// CMIC-EO13959 entries only (in either version).
    pub cmic_counts: Counts,
    /// Changed entries per field.
    pub field_counts: BTreeMap<Field, usize>,
    /// True when the lists below hold NS-CMIC entries only (`--cmic-only`); the counts
    /// always cover every entry.
    pub cmic_only: bool,
    pub added: Vec<EntryBrief>,
    pub removed: Vec<EntryBrief>,
    pub changed: Vec<ChangedEntry>,
    /// How the comparison was made, where it matters (formats, several snapshots).
    pub notes: Vec<String>,
}

impl ListDiff {
    /// Keep only NS-CMIC entries in the added/removed/changed lists (counts unchanged).
    pub fn retain_cmic(mut self) -> ListDiff {
        self.added.retain(|e| e.cmic);
        self.removed.retain(|e| e.cmic);
        self.changed.retain(|e| e.cmic);
        self.cmic_only = true;
        self
    }
}

fn side(list: &SanctionsList) -> DiffSide {
    DiffSide {
        snapshots: list
            .snapshots
            .iter()
            .map(|s| s.description.clone())
            .collect(),
        date: list.snapshots.iter().filter_map(|s| s.date).max(),
        files: list
            .snapshots
            .iter()
            .flat_map(|s| s.files.iter().cloned())
            .collect(),
    }
}

/// Entries by id; a later snapshot (newer: snapshots are sorted by date) wins.
fn by_id(list: &SanctionsList) -> BTreeMap<&str, (&Entry, ListFormat)> {
    let mut m = BTreeMap::new();
    for s in &list.snapshots {
        for e in &s.entries {
            m.insert(e.id.as_str(), (e, s.format));
        }
    }
    m
}

fn brief(e: &Entry) -> EntryBrief {
    let c = e.cmic.as_ref();
    EntryBrief {
        id: e.id.clone(),
        name: e.name.clone(),
        party_type: e.party_type,
        programs: e.programs.clone(),
        cmic: e.is_cmic(),
        listing_date: c.and_then(|c| c.listing_date),
        effective_date: c.and_then(|c| c.effective_date),
        divestment_date: c.and_then(|c| c.divestment_date),
    }
}

/// Collapse runs of whitespace; trim.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn party(p: PartyType) -> String {
    match p {
        PartyType::Entity => "entity",
        PartyType::Individual => "individual",
        PartyType::Vessel => "vessel",
        PartyType::Aircraft => "aircraft",
    }
    .to_string()
}

fn scalar(out: &mut Vec<FieldChange>, field: Field, old: Option<String>, new: Option<String>) {
    let o = old.map(|s| squash(&s)).filter(|s| !s.is_empty());
    let n = new.map(|s| squash(&s)).filter(|s| !s.is_empty());
    if o != n {
        out.push(FieldChange {
            field,
            old: o,
            new: n,
            removed: Vec::new(),
            added: Vec::new(),
        });
    }
}

fn set<I, J>(out: &mut Vec<FieldChange>, field: Field, old: I, new: J)
where
    I: IntoIterator<Item = String>,
    J: IntoIterator<Item = String>,
{
    let o: BTreeSet<String> = old
        .into_iter()
        .map(|s| squash(&s))
        .filter(|s| !s.is_empty())
        .collect();
    let n: BTreeSet<String> = new
        .into_iter()
        .map(|s| squash(&s))
        .filter(|s| !s.is_empty())
        .collect();
    if o == n {
        return;
    }
    let join = |s: &BTreeSet<String>| {
        (!s.is_empty()).then(|| s.iter().cloned().collect::<Vec<_>>().join("; "))
    };
    out.push(FieldChange {
        field,
        old: join(&o),
        new: join(&n),
        removed: o.difference(&n).cloned().collect(),
        added: n.difference(&o).cloned().collect(),
    });
}

fn identifier_text(label: &str, value: &str, country: Option<&str>) -> String {
    match country {
        Some(c) => format!("{label} {value} ({c})"),
        None => format!("{label} {value}"),
    }
}

/// The identifiers not reported through typed NS-CMIC fields (all of them for an entry
/// that is not on the NS-CMIC list in either version).
fn other_identifiers(e: &Entry, typed: bool) -> Vec<String> {
    e.identifiers
        .iter()
        .filter(|i| !typed || !TYPED_LABELS.contains(&i.label.as_str()))
        .map(|i| identifier_text(&i.label, &i.value, i.country.as_deref()))
        .collect()
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The fields of `old` and `new` (the same id) that differ.
pub fn diff_entry(old: &Entry, new: &Entry, compare_remarks: bool) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let typed = old.cmic.is_some() || new.cmic.is_some();
    scalar(
        &mut out,
        Field::Name,
        Some(old.name.clone()),
        Some(new.name.clone()),
    );
    scalar(
        &mut out,
        Field::PartyType,
        Some(party(old.party_type)),
        Some(party(new.party_type)),
    );
    set(
        &mut out,
        Field::Programs,
        old.programs.clone(),
        new.programs.clone(),
    );
    let aliases = |e: &Entry| -> Vec<String> {
        e.aliases
            .iter()
            .map(|a| format!("{} {}", a.kind, a.name))
            .collect()
    };
    set(&mut out, Field::Aliases, aliases(old), aliases(new));
    set(
        &mut out,
        Field::Identifiers,
        other_identifiers(old, typed),
        other_identifiers(new, typed),
    );
    set(
        &mut out,
        Field::LinkedTo,
        old.linked_to.clone(),
        new.linked_to.clone(),
    );
    set(
        &mut out,
        Field::Countries,
        old.countries.clone(),
        new.countries.clone(),
    );
    let empty = CmicData::default();
    let oc = old.cmic.as_ref().unwrap_or(&empty);
    let nc = new.cmic.as_ref().unwrap_or(&empty);
    scalar(
        &mut out,
        Field::ListingDate,
        date_text(oc.listing_date),
        date_text(nc.listing_date),
    );
    scalar(
        &mut out,
        Field::EffectiveDate,
        date_text(oc.effective_date),
        date_text(nc.effective_date),
    );
    scalar(
        &mut out,
        Field::DivestmentDate,
        date_text(oc.divestment_date),
        date_text(nc.divestment_date),
    );
    let isins = |c: &CmicData| -> Vec<String> { c.isins.iter().map(|i| i.value.clone()).collect() };
    set(&mut out, Field::Isins, isins(oc), isins(nc));
    let tickers =
        |c: &CmicData| -> Vec<String> { c.tickers.iter().map(|t| t.raw.clone()).collect() };
    set(&mut out, Field::Tickers, tickers(oc), tickers(nc));
    set(
        &mut out,
        Field::IssuerNames,
        oc.issuer_names.clone(),
        nc.issuer_names.clone(),
    );
    scalar(
        &mut out,
        Field::TargetType,
        oc.target_type.clone(),
        nc.target_type.clone(),
    );
    set(&mut out, Field::Uscc, oc.uscc.clone(), nc.uscc.clone());
    set(&mut out, Field::Lei, oc.lei.clone(), nc.lei.clone());
    if compare_remarks {
        scalar(
            &mut out,
            Field::Remarks,
            old.remarks.clone(),
            new.remarks.clone(),
        );
    }
    out
}

/// Compare two lists entry by entry.
pub fn diff_lists(old: &SanctionsList, new: &SanctionsList) -> ListDiff {
    let o = by_id(old);
    let n = by_id(new);
    let mut notes = Vec::new();
    for (what, l) in [("OLD", old), ("NEW", new)] {
        if l.snapshots.len() > 1 {
            notes.push(format!(
                "{what} holds {} snapshots; where several have the same id, the newest is compared",
                l.snapshots.len()
            ));
        }
    }
    let mut remarks_skipped = 0usize;

    let mut counts = Counts {
        old_entries: o.len(),
        new_entries: n.len(),
        ..Counts::default()
    };
    let mut cmic_counts = Counts {
        old_entries: o.values().filter(|(e, _)| e.is_cmic()).count(),
        new_entries: n.values().filter(|(e, _)| e.is_cmic()).count(),
        ..Counts::default()
    };
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    let mut field_counts: BTreeMap<Field, usize> = BTreeMap::new();

    for (id, (oe, of)) in &o {
        let Some((ne, nf)) = n.get(id) else {
            counts.removed += 1;
            if oe.is_cmic() {
                cmic_counts.removed += 1;
            }
            removed.push(brief(oe));
            continue;
        };
        let same_format = of == nf;
        if !same_format {
            remarks_skipped += 1;
        }
        let cmic = oe.is_cmic() || ne.is_cmic();
        let changes = diff_entry(oe, ne, same_format);
        if changes.is_empty() {
            counts.unchanged += 1;
            if cmic {
                cmic_counts.unchanged += 1;
            }
            continue;
        }
        counts.changed += 1;
        if cmic {
            cmic_counts.changed += 1;
        }
        for c in &changes {
            *field_counts.entry(c.field).or_default() += 1;
        }
        changed.push(ChangedEntry {
            id: ne.id.clone(),
            name: ne.name.clone(),
            programs: ne.programs.clone(),
            cmic,
            changes,
        });
    }
    for (id, (ne, _)) in &n {
        if !o.contains_key(id) {
            counts.added += 1;
            if ne.is_cmic() {
                cmic_counts.added += 1;
            }
            added.push(brief(ne));
        }
    }
    if remarks_skipped > 0 {
        notes.push(format!(
            "remarks of {remarks_skipped} entries not compared: the two versions are in different formats (CSV set and classic XML), which write remarks differently; the identifiers, aliases and Linked To names in them are compared"
        ));
    }
    added.sort_by(|a, b| id_order(&a.id, &b.id));
    removed.sort_by(|a, b| id_order(&a.id, &b.id));
    changed.sort_by(|a, b| id_order(&a.id, &b.id));
    ListDiff {
        old: side(old),
        new: side(new),
        counts,
        cmic_counts,
        field_counts,
        cmic_only: false,
        added,
        removed,
        changed,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::embedded::embedded_list;
    use crate::list::{Alias, ListedIsin};

    #[test]
    fn identical_lists_have_no_changes() {
        let l = embedded_list();
        let d = diff_lists(&l, &l);
        assert!(d.counts.is_empty());
        assert_eq!(d.counts.unchanged, 68);
        assert_eq!(d.cmic_counts.unchanged, 68);
        assert!(d.notes.is_empty());
    }

    #[test]
    fn added_removed_and_changed_fields() {
        let old = embedded_list();
        let mut new = old.clone();
        let entries = &mut new.snapshots[0].entries;
        let removed = entries.remove(0);
        let mut extra = entries[0].clone();
        extra.id = "99999".into();
        entries.push(extra);
        let e = entries
            .iter_mut()
            .find(|e| e.id == "33114")
            .expect("SenseTime");
        e.name.push_str(" (RENAMED)");
        e.aliases.push(Alias {
            kind: "aka".into(),
            name: "NEW ALIAS".into(),
            strength: None,
        });
        let c = e.cmic.as_mut().expect("cmic");
        c.effective_date = NaiveDate::from_ymd_opt(2022, 2, 9);
        c.isins.push(ListedIsin {
            value: "KYG8061A1002".into(),
            check: crate::ident::IdCheck::Valid,
        });
        // A reordering is no change.
        entries.reverse();

        let d = diff_lists(&old, &new);
        assert_eq!(
            (d.counts.added, d.counts.removed, d.counts.changed),
            (1, 1, 1)
        );
        assert_eq!((d.cmic_counts.added, d.cmic_counts.removed), (1, 1));
        assert_eq!(d.added[0].id, "99999");
        assert_eq!(d.removed[0].id, removed.id);
        let ch = &d.changed[0];
        assert_eq!(ch.id, "33114");
        let fields: Vec<Field> = ch.changes.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::Name,
                Field::Aliases,
                Field::EffectiveDate,
                Field::Isins
            ]
        );
        let eff = &ch.changes[2];
        assert_eq!(eff.old.as_deref(), Some("2022-02-08"));
        assert_eq!(eff.new.as_deref(), Some("2022-02-09"));
        assert_eq!(ch.changes[1].added, vec!["aka NEW ALIAS".to_string()]);
        assert!(ch.changes[1].removed.is_empty());
        assert_eq!(ch.changes[3].added, vec!["KYG8061A1002".to_string()]);

        let only = d.clone().retain_cmic();
        assert!(only.cmic_only);
        assert_eq!(only.changed.len(), 1);
    }

    #[test]
    fn whitespace_is_no_change() {
        let old = embedded_list();
        let mut new = old.clone();
        new.snapshots[0].entries[0].name =
            format!(" {} ", old.snapshots[0].entries[0].name).replace(' ', "  ");
        assert!(diff_lists(&old, &new).counts.is_empty());
    }
}
