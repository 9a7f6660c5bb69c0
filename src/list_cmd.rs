//! `holdscreen list show|diff|update`: call the library, print, map to an exit code.
//! (`list info` lives in main.rs.)

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::cli::{ListDiffArgs, ListShowArgs, ListUpdateArgs};
use holdscreen::list::diff::{ListDiff, TYPED_LABELS, diff_lists};
use holdscreen::list::diff_xlsx::render_diff_xlsx;
use holdscreen::list::show::{Lookup, ShownEntry, lookup};
use holdscreen::list::update::{self, UpdateOptions};
use holdscreen::list::{self, Entry, PartyType};
use holdscreen::util::write_atomic;

/// Entries listed per section of the terminal diff; the exports hold them all.
const MAX_LISTED: usize = 40;

fn out(text: &str) -> Result<()> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("could not write to standard output")
}

fn party(p: PartyType) -> &'static str {
    match p {
        PartyType::Entity => "entity",
        PartyType::Individual => "individual",
        PartyType::Vessel => "vessel",
        PartyType::Aircraft => "aircraft",
    }
}

fn line(s: &mut String, label: &str, value: &str) {
    if !value.is_empty() {
        let _ = writeln!(s, "  {label:<17}{value}");
    }
}

fn entry_text(e: &Entry, s: &mut String) {
    let _ = writeln!(s, "{}  {}", e.id, e.name);
    line(s, "type:", party(e.party_type));
    line(s, "programs:", &e.programs.join(", "));
    let aliases: Vec<String> = e
        .aliases
        .iter()
        .map(|a| match &a.strength {
            Some(st) => format!("{} {} ({st})", a.kind, a.name),
            None => format!("{} {}", a.kind, a.name),
        })
        .collect();
    for (i, a) in aliases.iter().enumerate() {
        line(s, if i == 0 { "aliases:" } else { "" }, a);
    }
    line(s, "countries:", &e.countries.join(", "));
    line(s, "linked to:", &e.linked_to.join("; "));
    if let Some(c) = &e.cmic {
        let _ = writeln!(s, "  NS-CMIC:");
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        line(s, "  listing:", &date(c.listing_date));
        line(s, "  effective:", &date(c.effective_date));
        if let Some(d) = c.divestment_date {
            let last = d.pred_opt().map(|p| p.to_string()).unwrap_or_default();
            line(
                s,
                "  divestment:",
                &format!("{d} (window closes 12:01 a.m. ET; last day to divest {last})"),
            );
        }
        line(s, "  target type:", c.target_type.as_deref().unwrap_or(""));
        for (i, t) in c.tickers.iter().enumerate() {
            let key = match &t.key {
                Some(k) => format!("key {k}"),
                None => "not understood".to_string(),
            };
            line(
                s,
                if i == 0 { "  tickers:" } else { "" },
                &format!("{} ({key})", t.raw),
            );
        }
        for (i, isin) in c.isins.iter().enumerate() {
            line(
                s,
                if i == 0 { "  ISINs:" } else { "" },
                &format!("{} ({})", isin.value, isin.check.describe()),
            );
        }
        for (i, n) in c.issuer_names.iter().enumerate() {
            line(s, if i == 0 { "  issuer names:" } else { "" }, n);
        }
        line(s, "  USCC:", &c.uscc.join(", "));
        line(s, "  LEI:", &c.lei.join(", "));
    }
    let others: Vec<String> = e
        .identifiers
        .iter()
        .filter(|i| e.cmic.is_none() || !TYPED_LABELS.contains(&i.label.as_str()))
        .map(|i| match &i.country {
            Some(c) => format!("{} {} ({c})", i.label, i.value),
            None => format!("{} {}", i.label, i.value),
        })
        .collect();
    for (i, t) in others.iter().enumerate() {
        line(s, if i == 0 { "identifiers:" } else { "" }, t);
    }
    if let Some(r) = &e.remarks {
        line(s, "remarks:", r);
        if e.remarks_truncated {
            line(
                s,
                "",
                "(cut at 1000 characters by OFAC; the comments file that continues it was not loaded)",
            );
        }
    }
}

fn shown_text(found: &[ShownEntry]) -> String {
    let mut s = String::new();
    for (i, f) in found.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        entry_text(&f.entry, &mut s);
        let mut from = f.snapshot.clone();
        if let Some(d) = f.snapshot_date {
            let _ = write!(from, " [dated {d}]");
        }
        line(&mut s, "from:", &from);
        for (j, file) in f.files.iter().enumerate() {
            line(
                &mut s,
                if j == 0 { "files:" } else { "" },
                &format!("{} ({}, sha256 {})", file.path, file.role, file.sha256),
            );
        }
        for w in &f.warnings {
            line(&mut s, "warning:", w);
        }
    }
    s
}

/// `list show`.
pub fn show(a: &ListShowArgs) -> Result<u8> {
    let list = crate::load_list(&a.list)?;
    let found = lookup(&list, &a.query);
    if a.json {
        let mut text = serde_json::to_string_pretty(&found)?;
        text.push('\n');
        out(&text)?;
    }
    match found {
        Lookup::Found { entries } => {
            if !a.json {
                out(&shown_text(&entries))?;
            }
            Ok(0)
        }
        Lookup::Ambiguous { candidates } => {
            if !a.json {
                let mut s = format!("{} entries match '{}':\n", candidates.len(), a.query);
                for c in &candidates {
                    let via = if c.matched_on == "alias" {
                        format!(" (alias {})", c.matched)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        s,
                        "  {:>6}  {}{via}  [{}]",
                        c.id,
                        c.name,
                        c.programs.join(", ")
                    );
                }
                out(&s)?;
            }
            bail!(
                "several entries match '{}': run `holdscreen list show ID` with one of the ids above",
                a.query
            )
        }
        Lookup::NotFound => bail!(
            "no entry has the id '{}' or a name or alias containing it in the list used ({}); try part of the name, or `holdscreen list info` to see which list is loaded",
            a.query,
            list.snapshots
                .iter()
                .map(|s| s.description.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn counts_row(s: &mut String, label: &str, all: usize, cmic: usize) {
    let _ = writeln!(s, "  {label:<12}{all:>8}{cmic:>10}");
}

fn diff_text(d: &ListDiff) -> String {
    let mut s = String::new();
    for (what, side) in [("Old", &d.old), ("New", &d.new)] {
        for (i, desc) in side.snapshots.iter().enumerate() {
            let _ = writeln!(s, "{:<5}{desc}", if i == 0 { what } else { "" });
        }
    }
    s.push('\n');
    let _ = writeln!(s, "  {:<12}{:>8}{:>10}", "", "all", "NS-CMIC");
    let (a, c) = (&d.counts, &d.cmic_counts);
    counts_row(&mut s, "old entries", a.old_entries, c.old_entries);
    counts_row(&mut s, "new entries", a.new_entries, c.new_entries);
    counts_row(&mut s, "added", a.added, c.added);
    counts_row(&mut s, "removed", a.removed, c.removed);
    counts_row(&mut s, "changed", a.changed, c.changed);
    counts_row(&mut s, "unchanged", a.unchanged, c.unchanged);
    s.push('\n');
    if c.is_empty() {
        s.push_str("NS-CMIC: no change (no CMIC-EO13959 entry added, removed or changed).\n");
    } else {
        let _ = writeln!(
            s,
            "NS-CMIC: {} added, {} removed, {} changed.",
            c.added, c.removed, c.changed
        );
    }
    if !d.field_counts.is_empty() {
        let f: Vec<String> = d
            .field_counts
            .iter()
            .map(|(f, n)| format!("{} {n}", f.label()))
            .collect();
        let _ = writeln!(s, "Changed entries by field: {}.", f.join(", "));
    }
    let more = |s: &mut String, n: usize| {
        if n > MAX_LISTED {
            let _ = writeln!(
                s,
                "  ... and {} more (all are in --json and --output)",
                n - MAX_LISTED
            );
        }
    };
    let scope = if d.cmic_only { " (NS-CMIC only)" } else { "" };
    for (title, list) in [("Added", &d.added), ("Removed", &d.removed)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title}{scope}:");
        for e in list.iter().take(MAX_LISTED) {
            let _ = writeln!(s, "  {:>6}  {}  [{}]", e.id, e.name, e.programs.join(", "));
        }
        more(&mut s, list.len());
    }
    if !d.changed.is_empty() {
        let _ = writeln!(s, "\nChanged{scope}:");
        for e in d.changed.iter().take(MAX_LISTED) {
            let _ = writeln!(s, "  {:>6}  {}  [{}]", e.id, e.name, e.programs.join(", "));
            for c in &e.changes {
                let detail = if c.added.is_empty() && c.removed.is_empty() {
                    format!(
                        "{} -> {}",
                        c.old.as_deref().unwrap_or("(none)"),
                        c.new.as_deref().unwrap_or("(none)")
                    )
                } else {
                    let mut parts: Vec<String> =
                        c.removed.iter().map(|r| format!("- {r}")).collect();
                    parts.extend(c.added.iter().map(|r| format!("+ {r}")));
                    parts.join("; ")
                };
                let detail: String = if detail.chars().count() > 200 {
                    let cut: String = detail.chars().take(200).collect();
                    format!("{cut}...")
                } else {
                    detail
                };
                let _ = writeln!(s, "          {}: {detail}", c.field.label());
            }
        }
        more(&mut s, d.changed.len());
    }
    for n in &d.notes {
        let _ = writeln!(s, "\nNote: {n}");
    }
    s
}

fn load_side(path: &Path, what: &str) -> Result<list::SanctionsList> {
    list::load_paths(&[path.to_path_buf()]).with_context(|| {
        format!(
            "could not read the {what} list {} (give a list file or folder in OFAC's official formats)",
            path.display()
        )
    })
}

/// `list diff`.
pub fn diff(a: &ListDiffArgs) -> Result<u8> {
    let json_to_stdout = a.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    for p in a
        .output
        .iter()
        .chain(a.json.iter().filter(|_| !json_to_stdout))
    {
        if p.exists() && !a.force {
            bail!(
                "{} already exists: pass --force to overwrite it, or choose another name",
                p.display()
            );
        }
    }
    let old = load_side(&a.old, "old")?;
    let new = load_side(&a.new, "new")?;
    let mut d = diff_lists(&old, &new);
    if a.cmic_only {
        d = d.retain_cmic();
    }
    if let Some(path) = &a.output {
        let bytes = render_diff_xlsx(&d).context("could not build the Excel workbook")?;
        write_atomic(path, &bytes, a.force)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    if let Some(path) = &a.json {
        let mut bytes = serde_json::to_vec_pretty(&d)?;
        bytes.push(b'\n');
        if json_to_stdout {
            std::io::stdout()
                .write_all(&bytes)
                .context("could not write JSON to standard output")?;
        } else {
            write_atomic(path, &bytes, a.force)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
    }
    let mut text = diff_text(&d);
    if let Some(p) = &a.output {
        let _ = writeln!(text, "\nWorkbook: {}", p.display());
    }
    if let Some(p) = a.json.as_deref().filter(|_| !json_to_stdout) {
        let _ = writeln!(text, "JSON:     {}", p.display());
    }
    if json_to_stdout {
        let _ = std::io::stderr().write_all(text.as_bytes());
    } else {
        out(&text)?;
    }
    Ok(0)
}

/// `list update`.
pub fn update(a: &ListUpdateArgs) -> Result<u8> {
    let mut opts = UpdateOptions::new(&a.dir);
    opts.base_url = a.base_url.clone();
    opts.include_xml = a.xml;
    opts.timeout = Duration::from_secs(a.timeout.max(1));
    let outcome = update::update(&opts, || crate::run_clock().0).with_context(|| {
        format!(
            "the list in {} was not updated, and its current copy (if any) is unchanged; check the network and --base-url, then run again",
            a.dir.display()
        )
    })?;
    let m = &outcome.manifest;
    let mut s = format!(
        "Fetched {} files from {} into {} ({} entries, {} NS-CMIC) at {}.\n",
        m.files.len(),
        m.base_url,
        outcome.current.display(),
        m.entries,
        m.cmic_entries,
        m.fetched_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    for f in &m.files {
        let _ = writeln!(
            s,
            "  {:<18}{:>10} bytes  sha256 {}{}",
            f.name,
            f.bytes,
            f.sha256,
            f.last_modified
                .as_deref()
                .map(|l| format!("  (Last-Modified {l})"))
                .unwrap_or_default()
        );
    }
    match (&outcome.previous, outcome.changed) {
        (Some(p), false) => {
            let _ = writeln!(
                s,
                "Unchanged since the previous fetch ({}).",
                p.fetched_at.format("%Y-%m-%d %H:%M:%S UTC")
            );
        }
        (Some(p), true) => {
            let _ = writeln!(
                s,
                "Replaced the copy fetched {}, now kept in {}; `holdscreen list diff {} {}` shows what changed.",
                p.fetched_at.format("%Y-%m-%d %H:%M:%S UTC"),
                outcome.current.with_file_name(update::PREVIOUS).display(),
                outcome.current.with_file_name(update::PREVIOUS).display(),
                outcome.current.display()
            );
        }
        (None, _) => {}
    }
    for w in &outcome.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    let _ = writeln!(
        s,
        "Screen with it: holdscreen screen HOLDINGS --list {}",
        outcome.current.display()
    );
    out(&s)?;
    Ok(0)
}
