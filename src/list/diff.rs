//! `holdscreen list diff OLD NEW`: what changed between two versions of a list.
//!
//! Entries are compared by id (ent_num / uid) over every snapshot of each side: added,
//! removed, and changed field by field (name, type, programs, a.k.a.s, identifiers, Linked
//! To, countries, and the CMIC ISINs, tickers, Issuer Names and dates). Free-text remarks are
//! not compared: formats pack them differently (the XML keeps only what its `<id>` elements
//! do not hold), and their data is compared through the identifiers parsed from them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Entry, SanctionsList};

/// An added or removed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySummary {
    pub id: String,
    pub name: String,
    pub programs: Vec<String>,
    pub cmic: bool,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// Old value, or for sets the items only in the old version.
    pub old: String,
    /// New value, or for sets the items only in the new version.
    pub new: String,
}

/// An entry present on both sides with differences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedEntry {
    pub id: String,
    pub name: String,
    pub cmic: bool,
    pub changes: Vec<FieldChange>,
}

/// Counts of a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

/// Everything that changed between two lists.
#[derive(Debug, Clone, Serialize)]
pub struct ListDiff {
    pub old: String,
    pub new: String,
    pub old_entries: usize,
    pub new_entries: usize,
    pub all: DiffCounts,
    /// The same counts for NS-CMIC (CMIC-EO13959) entries only.
    pub cmic: DiffCounts,
    pub added: Vec<EntrySummary>,
    pub removed: Vec<EntrySummary>,
    pub changed: Vec<ChangedEntry>,
}

impl ListDiff {
    /// Keep only NS-CMIC entries.
    pub fn cmic_only(mut self) -> ListDiff {
        self.added.retain(|e| e.cmic);
        self.removed.retain(|e| e.cmic);
        self.changed.retain(|e| e.cmic);
        self
    }
}

fn entries(list: &SanctionsList) -> BTreeMap<&str, &Entry> {
    let mut m = BTreeMap::new();
    for s in &list.snapshots {
        for e in &s.entries {
            m.insert(e.id.as_str(), e);
        }
    }
    m
}

fn describe(list: &SanctionsList) -> String {
    list.snapshots
        .iter()
        .map(|s| s.description.clone())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn summary(e: &Entry) -> EntrySummary {
    EntrySummary {
        id: e.id.clone(),
        name: e.name.clone(),
        programs: e.programs.clone(),
        cmic: e.is_cmic(),
    }
}

fn set_change(
    field: &str,
    old: BTreeSet<String>,
    new: BTreeSet<String>,
    out: &mut Vec<FieldChange>,
) {
    if old != new {
        out.push(FieldChange {
            field: field.to_string(),
            old: old.difference(&new).cloned().collect::<Vec<_>>().join("; "),
            new: new.difference(&old).cloned().collect::<Vec<_>>().join("; "),
        });
    }
}

fn value_change(field: &str, old: String, new: String, out: &mut Vec<FieldChange>) {
    if old != new {
        out.push(FieldChange {
            field: field.to_string(),
            old,
            new,
        });
    }
}

/// Field-by-field differences of one entry.
pub fn entry_changes(a: &Entry, b: &Entry) -> Vec<FieldChange> {
    let mut out = Vec::new();
    value_change("name", a.name.clone(), b.name.clone(), &mut out);
    value_change(
        "type",
        format!("{:?}", a.party_type),
        format!("{:?}", b.party_type),
        &mut out,
    );
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    set_change("programs", set(&a.programs), set(&b.programs), &mut out);
    let akas = |e: &Entry| {
        e.aliases
            .iter()
            .map(|x| format!("{} {}", x.kind, x.name))
            .collect()
    };
    set_change("aliases", akas(a), akas(b), &mut out);
    let ids = |e: &Entry| {
        e.identifiers
            .iter()
            .map(|i| match &i.country {
                Some(c) => format!("{} {} ({c})", i.label, i.value),
                None => format!("{} {}", i.label, i.value),
            })
            .collect()
    };
    set_change("identifiers", ids(a), ids(b), &mut out);
    set_change("linked to", set(&a.linked_to), set(&b.linked_to), &mut out);
    set_change("countries", set(&a.countries), set(&b.countries), &mut out);
    let (ca, cb) = (
        a.cmic.clone().unwrap_or_default(),
        b.cmic.clone().unwrap_or_default(),
    );
    let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    value_change(
        "listing date",
        d(ca.listing_date),
        d(cb.listing_date),
        &mut out,
    );
    value_change(
        "effective date",
        d(ca.effective_date),
        d(cb.effective_date),
        &mut out,
    );
    value_change(
        "divestment date",
        d(ca.divestment_date),
        d(cb.divestment_date),
        &mut out,
    );
    let isins = |c: &super::CmicData| c.isins.iter().map(|i| i.value.clone()).collect();
    set_change("ISINs", isins(&ca), isins(&cb), &mut out);
    let tickers = |c: &super::CmicData| c.tickers.iter().map(|t| t.raw.clone()).collect();
    set_change("tickers", tickers(&ca), tickers(&cb), &mut out);
    set_change(
        "issuer names",
        set(&ca.issuer_names),
        set(&cb.issuer_names),
        &mut out,
    );
    value_change(
        "target type",
        ca.target_type.clone().unwrap_or_default(),
        cb.target_type.clone().unwrap_or_default(),
        &mut out,
    );
    out
}

/// Compare two lists (every snapshot of each side; the last one wins for an id).
pub fn diff_lists(old: &SanctionsList, new: &SanctionsList) -> ListDiff {
    let (a, b) = (entries(old), entries(new));
    let mut diff = ListDiff {
        old: describe(old),
        new: describe(new),
        old_entries: a.len(),
        new_entries: b.len(),
        all: DiffCounts::default(),
        cmic: DiffCounts::default(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for (id, e) in &b {
        match a.get(id) {
            None => diff.added.push(summary(e)),
            Some(old_e) => {
                let changes = entry_changes(old_e, e);
                if !changes.is_empty() {
                    diff.changed.push(ChangedEntry {
                        id: e.id.clone(),
                        name: e.name.clone(),
                        cmic: e.is_cmic() || old_e.is_cmic(),
                        changes,
                    });
                }
            }
        }
    }
    for (id, e) in &a {
        if !b.contains_key(id) {
            diff.removed.push(summary(e));
        }
    }
    diff.all = DiffCounts {
        added: diff.added.len(),
        removed: diff.removed.len(),
        changed: diff.changed.len(),
    };
    diff.cmic = DiffCounts {
        added: diff.added.iter().filter(|e| e.cmic).count(),
        removed: diff.removed.iter().filter(|e| e.cmic).count(),
        changed: diff.changed.iter().filter(|e| e.cmic).count(),
    };
    diff
}

/// The diff as an xlsx workbook: Summary, Added, Removed, Changed (one row per field).
pub fn render_diff_xlsx(diff: &ListDiff) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Summary")?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 100)?;
    let lines = [
        ("Old", diff.old.clone()),
        ("New", diff.new.clone()),
        ("Old entries", diff.old_entries.to_string()),
        ("New entries", diff.new_entries.to_string()),
        (
            "Added",
            format!("{} ({} NS-CMIC)", diff.all.added, diff.cmic.added),
        ),
        (
            "Removed",
            format!("{} ({} NS-CMIC)", diff.all.removed, diff.cmic.removed),
        ),
        (
            "Changed",
            format!("{} ({} NS-CMIC)", diff.all.changed, diff.cmic.changed),
        ),
    ];
    for (r, (k, v)) in lines.iter().enumerate() {
        ws.write_string_with_format(r as u32, 0, *k, &bold)?;
        ws.write_string(r as u32, 1, v)?;
    }
    for (name, rows) in [("Added", &diff.added), ("Removed", &diff.removed)] {
        let ws = wb.add_worksheet().set_name(name)?;
        for (c, h) in ["OFAC id", "Name", "Programs", "NS-CMIC"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        ws.set_column_width(1, 60)?;
        ws.set_column_width(2, 40)?;
        ws.set_freeze_panes(1, 0)?;
        for (i, e) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &e.id)?;
            ws.write_string(r, 1, &e.name)?;
            ws.write_string(r, 2, e.programs.join("; "))?;
            ws.write_string(r, 3, if e.cmic { "yes" } else { "no" })?;
        }
        ws.autofilter(0, 0, rows.len().max(1) as u32, 3)?;
    }
    let ws = wb.add_worksheet().set_name("Changed")?;
    for (c, h) in ["OFAC id", "Name", "NS-CMIC", "Field", "Old", "New"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (c, w) in [10.0, 45.0, 8.0, 16.0, 60.0, 60.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1u32;
    for e in &diff.changed {
        for ch in &e.changes {
            ws.write_string(r, 0, &e.id)?;
            ws.write_string(r, 1, &e.name)?;
            ws.write_string(r, 2, if e.cmic { "yes" } else { "no" })?;
            ws.write_string(r, 3, &ch.field)?;
            ws.write_string(r, 4, &ch.old)?;
            ws.write_string(r, 5, &ch.new)?;
            r += 1;
        }
    }
    ws.autofilter(0, 0, r.max(2) - 1, 5)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::embedded::embedded_list;

    #[test]
    fn a_list_equals_itself_and_changes_are_named() {
        let a = embedded_list();
        assert_eq!(diff_lists(&a, &a).all, DiffCounts::default());
        let mut b = a.clone();
        let snap = &mut b.snapshots[0];
        let removed = snap.entries.remove(0);
        snap.entries[0].name.push_str(" RENAMED");
        let mut added = removed.clone();
        added.id = "99999".into();
        snap.entries.push(added);
        let d = diff_lists(&a, &b);
        assert_eq!(
            d.all,
            DiffCounts {
                added: 1,
                removed: 1,
                changed: 1
            }
        );
        assert_eq!(d.cmic, d.all);
        assert_eq!(d.removed[0].id, removed.id);
        assert_eq!(d.changed[0].changes[0].field, "name");
    }
}
