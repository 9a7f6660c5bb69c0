//! Reading holdings files of every supported format, through the library.

use std::path::{Path, PathBuf};

use holdscreen::holdings::{
    HoldingsFile, InputSpec, ReadOptions, Role, discover_inputs, read_holdings_file,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> HoldingsFile {
    read_with(path, &ReadOptions::default())
}

fn read_with(path: &Path, opts: &ReadOptions) -> HoldingsFile {
    let spec = InputSpec {
        path: path.to_path_buf(),
        display: path.display().to_string(),
        explicit: true,
    };
    read_holdings_file(&spec, opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn sample_workbook_tables_are_found_below_preambles() {
    let f = read(&root().join("samples/holdings/holdings-2025q3.xlsx"));
    assert_eq!(f.format, "xlsx");
    assert_eq!(f.sha256.len(), 64);
    let sheets: Vec<(&str, u32, usize)> = f
        .tables
        .iter()
        .map(|t| (t.sheet.as_deref().unwrap(), t.header_row, t.rows.len()))
        .collect();
    assert_eq!(
        sheets,
        [
            ("Asia Equity", 4, 13),
            ("US Listings", 1, 7),
            ("Global Equity", 1, 206)
        ]
    );
    let skipped: Vec<&str> = f.skipped_sheets.iter().map(|s| s.sheet.as_str()).collect();
    assert_eq!(skipped, ["Read me", "Notes"]);
    assert!(f.skipped_sheets[0].reason.contains("no header row"));

    let asia = &f.tables[0];
    let roles: Vec<Role> = asia.columns.iter().map(|c| c.role).collect();
    assert_eq!(
        roles,
        [
            Role::Account,
            Role::Name,
            Role::Isin,
            Role::Ticker,
            Role::Exchange,
            Role::Country,
            Role::Quantity,
            Role::Price,
            Role::MarketValue,
            Role::Currency
        ]
    );
    let first = &asia.rows[0];
    assert_eq!(first.row, 5, "spreadsheet row numbers are 1-based");
    assert_eq!(first.isin.as_deref(), Some("HK0941009539"));
    assert_eq!(first.quantity, Some(120_000.0));
    // The Shenzhen code Excel stored as a number comes back as text without ".0".
    assert_eq!(asia.rows[2].ticker.as_deref(), Some("2415"));
    // The total line and the footnote are accounted for, not positions.
    let reasons: Vec<&str> = asia.ignored.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("total line")));
    assert!(reasons.iter().any(|r| r.starts_with("note: Source")));

    let us = &f.tables[1];
    assert_eq!(
        us.rows[2].cusip.as_deref(),
        Some("037833100"),
        "leading zero restored"
    );
    assert_eq!(
        us.rows[0].currency.as_deref(),
        Some("USD"),
        "currency from the 'Market Value (USD)' header"
    );
}

#[test]
fn custodian_csv_with_preamble_and_text_numbers() {
    let f = read(&root().join("samples/holdings/custodian-em07-2025-09-30.csv"));
    assert_eq!(f.format, "csv");
    let t = &f.tables[0];
    assert_eq!(t.sheet, None);
    assert_eq!(t.header_row, 4);
    assert_eq!(t.rows.len(), 11);
    assert_eq!(t.rows[0].row, 5);
    assert_eq!(t.rows[0].quantity, Some(10_000.0));
    assert_eq!(t.rows[0].market_value, Some(150_000.0));
    assert_eq!(t.rows[0].ticker.as_deref(), Some("600118.SS"));
    let bad = t.rows.last().unwrap();
    assert_eq!(bad.problems.len(), 1);
    assert_eq!(bad.problems[0].column, "F (Quantity)");
    assert_eq!(t.ignored.len(), 1);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn delimiters_encodings_and_boms() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let utf8_bom = write(
        d,
        "a.csv",
        b"\xEF\xBB\xBFISIN,Name\nHK0941009539,China Mobile\n",
    );
    let semi = write(
        d,
        "b.csv",
        b"ISIN;Name;Shares\nHK0941009539;China Mobile;1.234,5\n",
    );
    let tsv = write(d, "c.tsv", b"ISIN\tName\nHK0941009539\tChina Mobile\n");
    let latin1 = write(
        d,
        "d.csv",
        b"ISIN,Name\nFR0000120271,Soci\xe9t\xe9 G\xe9n\xe9rale\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "ISIN\tName\r\nHK0941009539\tChina Mobile\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    // Excel's "Unicode text" export saved under .xls by a portal.
    let unicode_text = write(d, "e.xls", &utf16);
    for p in [&utf8_bom, &semi, &tsv, &latin1, &unicode_text] {
        let f = read(p);
        assert_eq!(f.tables.len(), 1, "{}", p.display());
        let row = &f.tables[0].rows[0];
        assert_eq!(row.row, 2, "{}", p.display());
        assert!(row.isin.is_some(), "{}", p.display());
    }
    assert_eq!(read(&semi).tables[0].rows[0].quantity, Some(1234.5));
    assert_eq!(
        read(&latin1).tables[0].rows[0].name.as_deref(),
        Some("Société Générale")
    );
}

#[test]
fn column_override_names_an_unusual_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "odd.csv", b"Sec Ref,Desc2\nCNE1000002V2,x\n");
    let spec = InputSpec {
        path: p.clone(),
        display: "odd.csv".into(),
        explicit: true,
    };
    let plain = read_holdings_file(&spec, &ReadOptions::default()).unwrap();
    assert!(plain.tables.is_empty());
    assert!(plain.skipped_sheets[0].reason.contains("no header row"));
    let f = read_with(
        &p,
        &ReadOptions {
            column_overrides: vec![(Role::Isin, "Sec Ref".into())],
            ..ReadOptions::default()
        },
    );
    assert_eq!(f.tables[0].rows[0].isin.as_deref(), Some("CNE1000002V2"));
}

#[test]
fn unreadable_files_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        write(d, "truncated.xlsx", b"PK\x03\x04 this is not a zip"),
        write(
            d,
            "page.xls",
            b"<html><body><table><tr><td>ISIN</td></tr></table>",
        ),
        write(d, "empty.csv", b""),
    ];
    for p in &cases {
        let spec = InputSpec {
            path: p.clone(),
            display: p.display().to_string(),
            explicit: true,
        };
        let err = read_holdings_file(&spec, &ReadOptions::default())
            .expect_err("must fail")
            .to_string();
        assert!(err.starts_with(&p.display().to_string()), "{err}");
    }
    let err = discover_inputs(&[d.join("missing.xlsx")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing.xlsx") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn other_spreadsheet_formats_read_like_xlsx() {
    // The same workbook saved by LibreOffice as .xls and .ods.
    let xlsx = read(&root().join("samples/holdings/holdings-2025q3.xlsx"));
    for name in ["holdings-2025q3.xls", "holdings-2025q3.ods"] {
        let p = root().join("tests/fixtures/formats").join(name);
        let f = read(&p);
        assert_eq!(f.tables.len(), xlsx.tables.len(), "{name}");
        for (a, b) in f.tables.iter().zip(&xlsx.tables) {
            assert_eq!(a.sheet, b.sheet, "{name}");
            assert_eq!(a.header_row, b.header_row, "{name}");
            let ids = |t: &holdscreen::holdings::HoldingsTable| {
                t.rows
                    .iter()
                    .map(|r| {
                        (
                            r.row,
                            r.isin.clone(),
                            r.cusip.clone(),
                            r.ticker.clone(),
                            r.quantity,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(a), ids(b), "{name} {:?}", a.sheet);
        }
    }
}

#[test]
fn dates_and_leading_zeros_in_a_generated_workbook() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blotter.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "Trade Date").unwrap();
    ws.write_string(0, 1, "Ticker").unwrap();
    ws.write_string(0, 2, "Exchange").unwrap();
    ws.write_string(0, 3, "SEDOL").unwrap();
    ws.write_string(0, 4, "Buy/Sell").unwrap();
    ws.write_datetime_with_format(1, 0, ExcelDateTime::from_ymd(2025, 10, 2).unwrap(), &date)
        .unwrap();
    ws.write_number(1, 1, 2415.0).unwrap();
    ws.write_string(1, 2, "XSHE").unwrap();
    ws.write_number(1, 3, 263494.0).unwrap();
    ws.write_string(1, 4, "B").unwrap();
    ws.write_string(2, 0, "02/10/2025").unwrap();
    ws.write_string(2, 1, "941 HK").unwrap();
    wb.save(&p).unwrap();
    let f = read(&p);
    let rows = &f.tables[0].rows;
    assert_eq!(
        rows[0].trade_date,
        chrono::NaiveDate::from_ymd_opt(2025, 10, 2)
    );
    assert_eq!(rows[0].sedol.as_deref(), Some("0263494"));
    assert_eq!(rows[0].side.as_deref(), Some("B"));
    assert_eq!(rows[1].trade_date, None);
    assert_eq!(rows[1].trade_date_text.as_deref(), Some("02/10/2025"));
    assert_eq!(rows[1].problems.len(), 1, "ambiguous date reported");
}
