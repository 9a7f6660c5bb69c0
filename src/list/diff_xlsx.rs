//! The Excel export of a [`ListDiff`]: sheets **Summary**, **Added**, **Removed** and
//! **Changed** (one row per changed field, with the old and new values).
//!
//! As in the screening report, every table has a bold frozen header with filters, dates
//! are real Excel dates, and all text from the list is written with `write_string`.

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::diff::{Counts, EntryBrief, ListDiff};

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_000;

struct Styles {
    header: Format,
    title: Format,
    label: Format,
    text: Format,
    wrap: Format,
    date: Format,
    int: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F_3864))
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            title: Format::new().set_bold().set_font_size(16),
            label: Format::new().set_bold(),
            text: Format::new().set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Left),
            int: Format::new()
                .set_num_format("#,##0")
                .set_align(FormatAlign::Top),
        }
    }
}

fn cell_text(s: &str) -> &str {
    if s.len() <= MAX_CELL_CHARS {
        return s;
    }
    let mut end = MAX_CELL_CHARS;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn put_text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if !s.is_empty() {
        ws.write_string_with_format(row, col, cell_text(s), f)?;
    }
    Ok(())
}

fn put_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: Option<NaiveDate>,
    st: &Styles,
) -> Result<(), XlsxError> {
    if let Some(d) = d {
        ws.write_datetime_with_format(row, col, d, &st.date)?;
    }
    Ok(())
}

fn header_row(ws: &mut Worksheet, headers: &[(&str, f64)], st: &Styles) -> Result<(), XlsxError> {
    for (c, (h, w)) in headers.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &st.header)?;
        ws.set_column_width(c, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape();
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn summary(wb: &mut Workbook, d: &ListDiff, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Summary")?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 16)?;
    ws.write_string_with_format(0, 0, "holdscreen list comparison", &st.title)?;
    let mut row = 2u32;
    for (what, s) in [("Old list", &d.old), ("New list", &d.new)] {
        ws.write_string_with_format(row, 0, what, &st.label)?;
        put_date(ws, row, 1, s.date, st)?;
        row += 1;
        for desc in &s.snapshots {
            put_text(ws, row, 1, desc, &st.text)?;
            row += 1;
        }
        for f in &s.files {
            put_text(ws, row, 1, &f.path, &st.text)?;
            put_text(ws, row, 2, &format!("sha256 {}", f.sha256), &st.text)?;
            row += 1;
        }
        row += 1;
    }
    for (c, h) in ["", "All entries", "NS-CMIC (CMIC-EO13959)"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, c as u16, *h, &st.header)?;
    }
    row += 1;
    type Get = fn(&Counts) -> usize;
    let rows: [(&str, Get); 6] = [
        ("Entries in old list", |c| c.old_entries),
        ("Entries in new list", |c| c.new_entries),
        ("Added", |c| c.added),
        ("Removed", |c| c.removed),
        ("Changed", |c| c.changed),
        ("Unchanged", |c| c.unchanged),
    ];
    for (label, get) in rows {
        ws.write_string_with_format(row, 0, label, &st.label)?;
        ws.write_number_with_format(row, 1, get(&d.counts) as f64, &st.int)?;
        ws.write_number_with_format(row, 2, get(&d.cmic_counts) as f64, &st.int)?;
        row += 1;
    }
    row += 1;
    if !d.field_counts.is_empty() {
        ws.write_string_with_format(row, 0, "Changed entries by field", &st.label)?;
        row += 1;
        for (f, n) in &d.field_counts {
            put_text(ws, row, 0, f.label(), &st.text)?;
            ws.write_number_with_format(row, 1, *n as f64, &st.int)?;
            row += 1;
        }
        row += 1;
    }
    if d.cmic_only {
        put_text(
            ws,
            row,
            0,
            "The Added, Removed and Changed sheets hold NS-CMIC entries only (--cmic-only).",
            &st.text,
        )?;
        row += 1;
    }
    for n in &d.notes {
        put_text(ws, row, 0, &format!("Note: {n}"), &st.text)?;
        row += 1;
    }
    Ok(())
}

fn brief_sheet(
    wb: &mut Workbook,
    name: &str,
    entries: &[EntryBrief],
    st: &Styles,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(name)?;
    let headers = [
        ("ID", 9.0),
        ("Name", 45.0),
        ("Type", 11.0),
        ("Programs", 30.0),
        ("NS-CMIC", 9.0),
        ("Listing Date", 12.0),
        ("Effective Date", 12.0),
        ("Divestment Date", 12.0),
    ];
    header_row(ws, &headers, st)?;
    if entries.is_empty() {
        ws.write_string(1, 0, format!("No entries {}.", name.to_lowercase()))?;
        return Ok(());
    }
    for (i, e) in entries.iter().enumerate() {
        let r = i as u32 + 1;
        put_text(ws, r, 0, &e.id, &st.text)?;
        put_text(ws, r, 1, &e.name, &st.wrap)?;
        let party = serde_json::to_value(e.party_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        put_text(ws, r, 2, &party, &st.text)?;
        put_text(ws, r, 3, &e.programs.join("; "), &st.wrap)?;
        put_text(ws, r, 4, yes(e.cmic), &st.text)?;
        put_date(ws, r, 5, e.listing_date, st)?;
        put_date(ws, r, 6, e.effective_date, st)?;
        put_date(ws, r, 7, e.divestment_date, st)?;
    }
    ws.autofilter(0, 0, entries.len() as u32, (headers.len() - 1) as u16)?;
    Ok(())
}

fn changed_sheet(wb: &mut Workbook, d: &ListDiff, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Changed")?;
    let headers = [
        ("ID", 9.0),
        ("Name", 40.0),
        ("NS-CMIC", 9.0),
        ("Field", 22.0),
        ("Old value", 50.0),
        ("New value", 50.0),
        ("Removed", 35.0),
        ("Added", 35.0),
    ];
    header_row(ws, &headers, st)?;
    let mut r = 1u32;
    for e in &d.changed {
        for c in &e.changes {
            put_text(ws, r, 0, &e.id, &st.text)?;
            put_text(ws, r, 1, &e.name, &st.wrap)?;
            put_text(ws, r, 2, yes(e.cmic), &st.text)?;
            put_text(ws, r, 3, c.field.label(), &st.text)?;
            put_text(ws, r, 4, c.old.as_deref().unwrap_or(""), &st.wrap)?;
            put_text(ws, r, 5, c.new.as_deref().unwrap_or(""), &st.wrap)?;
            put_text(ws, r, 6, &c.removed.join("; "), &st.wrap)?;
            put_text(ws, r, 7, &c.added.join("; "), &st.wrap)?;
            r += 1;
        }
    }
    if r == 1 {
        ws.write_string(1, 0, "No entries changed.")?;
        return Ok(());
    }
    ws.autofilter(0, 0, r - 1, (headers.len() - 1) as u16)?;
    Ok(())
}

/// Render the comparison as an xlsx workbook in memory.
pub fn render_diff_xlsx(d: &ListDiff) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    summary(&mut wb, d, &st)?;
    brief_sheet(&mut wb, "Added", &d.added, &st)?;
    brief_sheet(&mut wb, "Removed", &d.removed, &st)?;
    changed_sheet(&mut wb, d, &st)?;
    wb.save_to_buffer()
}
