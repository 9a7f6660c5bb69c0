//! `holdscreen list show`: one entry with everything the list says about it.

use serde::Serialize;

use super::{Entry, SanctionsList};

/// An entry and the snapshot it was read from.
#[derive(Debug, Clone, Serialize)]
pub struct FoundEntry<'a> {
    /// The snapshot's description (format, path, date).
    pub source: &'a str,
    pub entry: &'a Entry,
}

/// Entries whose id is `query`, else whose name or a.k.a. contains it (case-insensitive).
/// Snapshots are searched newest last, so an entry in several versions appears once per
/// version.
pub fn find_entries<'a>(list: &'a SanctionsList, query: &str) -> Vec<FoundEntry<'a>> {
    let q = query.trim();
    let all = || {
        list.snapshots
            .iter()
            .flat_map(|s| s.entries.iter().map(move |e| (s, e)))
    };
    let by_id: Vec<FoundEntry<'a>> = all()
        .filter(|(_, e)| e.id == q)
        .map(|(s, e)| FoundEntry {
            source: &s.description,
            entry: e,
        })
        .collect();
    if !by_id.is_empty() {
        return by_id;
    }
    let needle = q.to_uppercase();
    all()
        .filter(|(_, e)| {
            e.name.to_uppercase().contains(&needle)
                || e.aliases
                    .iter()
                    .any(|a| a.name.to_uppercase().contains(&needle))
                || e.cmic
                    .iter()
                    .flat_map(|c| c.issuer_names.iter())
                    .any(|n| n.to_uppercase().contains(&needle))
        })
        .map(|(s, e)| FoundEntry {
            source: &s.description,
            entry: e,
        })
        .collect()
}

/// The entry as text, every field on its own line.
pub fn describe(found: &FoundEntry<'_>) -> String {
    use std::fmt::Write as _;
    let e = found.entry;
    let mut s = String::new();
    let _ = writeln!(s, "{} (OFAC {})", e.name, e.id);
    let _ = writeln!(s, "  source:       {}", found.source);
    let _ = writeln!(s, "  type:         {:?}", e.party_type);
    let _ = writeln!(s, "  programs:     {}", e.programs.join(", "));
    for a in &e.aliases {
        let _ = writeln!(
            s,
            "  {:<13} {}{}",
            format!("{}:", a.kind),
            a.name,
            a.strength
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default()
        );
    }
    if let Some(c) = &e.cmic {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or("-".into());
        let _ = writeln!(s, "  listing:      {}", date(c.listing_date));
        let _ = writeln!(s, "  effective:    {}", date(c.effective_date));
        let _ = writeln!(
            s,
            "  divestment:   {} (OFAC's Purchase/Sales For Divestment Date)",
            date(c.divestment_date)
        );
        for t in &c.tickers {
            let key = t
                .key
                .as_ref()
                .map(|k| k.to_string())
                .unwrap_or("not understood".into());
            let _ = writeln!(s, "  ticker:       {} (key {key})", t.raw);
        }
        for i in &c.isins {
            let _ = writeln!(s, "  ISIN:         {} ({})", i.value, i.check.describe());
        }
        for n in &c.issuer_names {
            let _ = writeln!(s, "  issuer name:  {n}");
        }
        if let Some(t) = &c.target_type {
            let _ = writeln!(s, "  target type:  {t}");
        }
        for u in &c.uscc {
            let _ = writeln!(s, "  USCC:         {u}");
        }
        for l in &c.lei {
            let _ = writeln!(s, "  LEI:          {l}");
        }
    }
    for i in &e.identifiers {
        let country = i
            .country
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        let _ = writeln!(s, "  id:           {} {}{country}", i.label, i.value);
    }
    for l in &e.linked_to {
        let _ = writeln!(s, "  linked to:    {l}");
    }
    if !e.countries.is_empty() {
        let _ = writeln!(s, "  countries:    {}", e.countries.join(", "));
    }
    if let Some(r) = &e.remarks {
        let _ = writeln!(s, "  remarks:      {r}");
    }
    if e.remarks_truncated {
        let _ = writeln!(
            s,
            "  note:         the remarks were cut at 1000 characters in this file"
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::embedded::embedded_list_ref;

    #[test]
    fn by_id_and_by_name() {
        let list = embedded_list_ref();
        let by_id = find_entries(list, "30923");
        assert_eq!(by_id.len(), 1);
        assert_eq!(by_id[0].entry.name, "CHINA MOBILE LIMITED");
        let by_name = find_entries(list, "hikvision");
        assert_eq!(by_name.len(), 1);
        assert_eq!(by_name[0].entry.id, "30946");
        let by_alias = find_entries(list, "sugon");
        assert_eq!(by_alias[0].entry.id, "33113");
        assert!(find_entries(list, "no such company").is_empty());
        let text = describe(&by_id[0]);
        assert!(
            text.contains("941 HK") && text.contains("2022-06-03"),
            "{text}"
        );
    }
}
