//! The streaming pipeline of a run: rows screened in batches while files are read, in
//! input order whatever the number of reader and worker threads, and a report that keeps
//! only the positions needing attention says the same as one that keeps them all.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use holdscreen::holdings::ReadOptions;
use holdscreen::list::embedded::embedded_list_ref;
use holdscreen::report::{Position, ScreenReport, Status};
use holdscreen::resolve::Thresholds;
use holdscreen::screen::{Keep, Mode, NoProgress, ScreenOptions, screen};

fn options(inputs: Vec<PathBuf>, keep: Keep, threads: usize) -> ScreenOptions {
    ScreenOptions {
        inputs,
        as_of: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
        today: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
        run_at: Utc.timestamp_opt(1_795_000_000, 0).unwrap(),
        read: ReadOptions {
            sheet_readers: threads,
            ..ReadOptions::default()
        },
        thresholds: Thresholds::default(),
        max_list_age_days: 100_000,
        command_line: vec![],
        threads,
        exceptions: None,
        mode: Mode::Holdings,
        constituents: vec![],
        cache: None,
        keep,
    }
}

/// A CSV book of `rows` rows: every 97th row China Mobile (listed), every 89th a row with
/// nothing to screen, the rest Apple.
fn book(path: &Path, rows: usize) {
    let mut text = String::from("Account,Security,ISIN,Quantity,Market Value,Currency\n");
    for i in 0..rows {
        let line = if i % 97 == 0 {
            format!("A{},China Mobile Ltd,HK0941009539,{i},{i}.5,HKD\n", i % 7)
        } else if i % 89 == 0 {
            format!("A{},,,{i},1,USD\n", i % 7)
        } else {
            format!("A{},Apple Inc,US0378331005,{i},2.25,USD\n", i % 7)
        };
        text.push_str(&line);
    }
    std::fs::write(path, text).unwrap();
}

/// Text that does not compress (base64 letters from a xorshift), `len` characters, going on
/// from `state`.
fn noise(state: &mut u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(*state % 64) as usize],
            )
        })
        .collect()
}

/// A holdings table of `rows` data rows below the header Security, ISIN, Quantity, Notes:
/// China Mobile (listed) where `listed(i)`, Apple otherwise; the quantity `i` and the notes
/// `note(i)`.
fn write_holdings(
    ws: &mut rust_xlsxwriter::Worksheet,
    rows: u32,
    listed: impl Fn(u32) -> bool,
    mut note: impl FnMut(u32) -> String,
) {
    for (c, h) in ["Security", "ISIN", "Quantity", "Notes"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = i + 1;
        let (security, isin) = if listed(i) {
            ("China Mobile Ltd", "HK0941009539")
        } else {
            ("Apple Inc", "US0378331005")
        };
        ws.write_string(r, 0, security).unwrap();
        ws.write_string(r, 1, isin).unwrap();
        ws.write_number(r, 2, f64::from(i)).unwrap();
        ws.write_string(r, 3, note(i)).unwrap();
    }
}

/// The positions of a run keeping them all that a run keeping only what needs attention
/// keeps (every status but `clear`), in order.
fn needing_attention(all: &ScreenReport) -> Vec<Position> {
    all.positions
        .iter()
        .filter(|p| p.status != Status::Clear)
        .cloned()
        .collect()
}

/// Screen `inputs` in one pass (only what needs attention kept), with one and two
/// threads, and check that each run finds what `all` (every position kept) found:
/// the same positions needing attention, summary and inputs.
fn assert_one_pass_finds_what_keep_all_finds(inputs: &[PathBuf], all: &ScreenReport) {
    let attention = needing_attention(all);
    for threads in [1, 2] {
        let some = run(inputs.to_vec(), Keep::Attention, threads);
        assert_eq!(some.positions, attention, "{threads} threads");
        assert_eq!(
            serde_json::to_value(&some.summary).unwrap(),
            serde_json::to_value(&all.summary).unwrap(),
            "{threads} threads"
        );
        assert_eq!(
            serde_json::to_value(&some.inputs).unwrap(),
            serde_json::to_value(&all.inputs).unwrap(),
            "{threads} threads"
        );
    }
}

fn run(inputs: Vec<PathBuf>, keep: Keep, threads: usize) -> ScreenReport {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        screen(
            embedded_list_ref(),
            &options(inputs, keep, threads),
            &NoProgress,
        )
    })
    .expect("screen")
}

#[test]
fn batches_keep_input_order_across_files_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    // Three files, two of them over several batches.
    let sizes = [20_000usize, 3, 17_001];
    let files: Vec<PathBuf> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let p = dir.path().join(format!("book{i}.csv"));
            book(&p, n);
            p
        })
        .collect();
    let one = run(files.clone(), Keep::All, 1);
    let two = run(files.clone(), Keep::All, 2);
    assert_eq!(one.positions, two.positions);
    assert_eq!(one.positions.len(), sizes.iter().sum::<usize>());
    // Files in the order given, rows in file order (line 2 is the first data row).
    let mut expected = Vec::new();
    for (f, &n) in files.iter().zip(&sizes) {
        for line in 2..n as u32 + 2 {
            expected.push((f.display().to_string(), line));
        }
    }
    let got: Vec<(String, u32)> = one
        .positions
        .iter()
        .map(|p| (p.file.clone(), p.row))
        .collect();
    assert_eq!(got, expected);
    let prohibited = sizes.iter().map(|n| n.div_ceil(97)).sum::<usize>();
    assert_eq!(one.count(Status::Prohibited), prohibited);
    assert_eq!(one.summary.by_file.len(), 3);
    assert_eq!(one.summary.by_file[2].positions, 17_001);
}

/// A CSV book over several batches with every kind of row: names first seen far down
/// (one of them listed, with no identifier), names only, nothing to screen, bad amounts,
/// placeholders, blank lines, repeated headers, totals and notes, leading zeros lost.
fn messy_book(path: &Path, rows: usize) {
    let header =
        "Account,Security,Issuer,ISIN,CUSIP,Ticker,Exchange,Quantity,Market Value,Currency\n";
    let mut text = format!("Positions report\nAs of 2025-09-30\n\n{header}");
    for i in 0..rows {
        let line = match i % 41 {
            0 => format!("B{i},China Mobile Ltd,,HK0941009539,,941 HK,,{i},{i}.5,HKD\n"),
            1 => format!("B{i},Company {i} Holdings,,,,,,{i},1,USD\n"),
            2 if i > 20_000 => "B9,China Mobile Limited,,,,,,10,1,HKD\n".to_string(),
            3 => "\n".to_string(),
            4 if i % 5 == 0 => header.to_string(),
            5 => format!("B{i},,,N/A,--,,,{i},(12.50),usd\n"),
            6 => format!("B{i},Apple Inc,,US0378331005,,,,lots,1.2.3,USD\n"),
            7 => "Total,,,,,,,,99,\n".to_string(),
            8 => format!("B{i},,Hikvision,,,002415,XSHE,{i},3,CNY\n"),
            9 => format!("B{i},Alphabet,,,38259P508,,,{i},4,USD\n"),
            10 => format!("B{i},Sony Group,,JP3435000009,,6758 JP,,{i},1 234,JPY\n"),
            _ => format!("B{i},Apple Inc,,US0378331005,37833100,AAPL US,,{i},2.25,USD\n"),
        };
        text.push_str(&line);
    }
    text.push_str("Source: custodian records, not audited\n\n\n");
    std::fs::write(path, text).unwrap();
}

#[test]
fn keeping_only_what_needs_attention_changes_no_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("book.csv");
    book(&p, 30_000);
    let messy = dir.path().join("messy.csv");
    messy_book(&messy, 30_000);
    let mut inputs = vec![p, messy];
    inputs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/holdings"));
    let all = run(inputs.clone(), Keep::All, 2);
    let some = run(inputs, Keep::Attention, 2);
    let attention = needing_attention(&all);
    assert!(!attention.is_empty());
    // The listed name first seen in a later batch, with no identifier, is found.
    assert!(
        attention
            .iter()
            .any(|p| p.security.as_deref() == Some("China Mobile Limited")
                && p.row > 20_000
                && p.status != Status::Clear),
        "a name first seen below the first batches is screened"
    );
    assert_eq!(some.positions, attention);
    assert_eq!(
        serde_json::to_value(&some.summary).unwrap(),
        serde_json::to_value(&all.summary).unwrap()
    );
    assert_eq!(all.summary.positions, all.positions.len());
    assert_eq!(some.warnings, all.warnings);
    assert_eq!(
        serde_json::to_value(&some.inputs).unwrap(),
        serde_json::to_value(&all.inputs).unwrap()
    );
}

#[test]
fn streamed_tables_are_described_as_when_read_whole() {
    use holdscreen::holdings::{InputSpec, read_holdings_file};
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.csv");
    std::fs::write(
        &messy,
        "Holdings report\nAs of 2025-09-30\n\n\
         Account,Security,ISIN,Quantity\n\
         A1,China Mobile Ltd,HK0941009539,100\n\
         \n\
         A1,Apple Inc,US0378331005,5\n\
         Account,Security,ISIN,Quantity\n\
         A2,Sony Group,JP3435000009,7\n\
         Total,,,112\n\
         Source: custodian records\n\
         \n\
         \n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        messy,
        root.join("samples/holdings/holdings-2025q3.xlsx"),
        root.join("samples/holdings/custodian-em07-2025-09-30.csv"),
        root.join("tests/fixtures/formats/holdings-2025q3.ods"),
        root.join("tests/fixtures/formats/holdings-2025q3.xls"),
    ];
    let report = run(files.to_vec(), Keep::Attention, 2);
    for (path, info) in files.iter().zip(&report.inputs) {
        let spec = InputSpec {
            path: path.clone(),
            display: path.display().to_string(),
            explicit: true,
        };
        let whole = read_holdings_file(&spec, &ReadOptions::default()).unwrap();
        assert_eq!(info.rows, whole.row_count(), "{}", path.display());
        assert_eq!(info.tables.len(), whole.tables.len());
        for (t, w) in info.tables.iter().zip(&whole.tables) {
            assert_eq!(t.sheet, w.sheet);
            assert_eq!(t.header_row, w.header_row);
            assert_eq!(t.rows, w.rows.len(), "{} {:?}", path.display(), t.sheet);
            assert_eq!(t.ignored, w.ignored, "{} {:?}", path.display(), t.sheet);
        }
    }
    // The messy file: the repeated header and the note are accounted for as ignored rows
    // ("Total" with a quantity in the Account column is a row, screened as invalid).
    let messy = &report.inputs[0].tables[0];
    assert_eq!(messy.rows, 4);
    let reasons: Vec<&str> = messy.ignored.iter().map(|i| i.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0], "repeated header row");
    assert!(reasons[1].starts_with("note"), "{reasons:?}");
}

#[test]
fn json_positions_written_as_they_come_make_the_same_document() {
    use holdscreen::report::json::{PositionSpill, SpillFormat, render_json, write_json_spliced};
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/holdings");
    let report = run(vec![samples], Keep::All, 2);
    assert!(report.positions.len() > 100);
    let mut spill = PositionSpill::new(tempfile::tempfile().unwrap(), SpillFormat::DocumentArray);
    for p in &report.positions {
        spill.push(p);
    }
    let (mut spilled, count) = spill.finish().unwrap();
    let mut spliced = Vec::new();
    write_json_spliced(&report, &mut spilled, count, &mut spliced).unwrap();
    assert_eq!(
        String::from_utf8(spliced).unwrap(),
        String::from_utf8(render_json(&report).unwrap()).unwrap()
    );
    // No positions at all.
    let empty = report.clone_without_positions();
    let mut spliced = Vec::new();
    write_json_spliced(&empty, &mut [].as_slice(), 0, &mut spliced).unwrap();
    assert_eq!(spliced, render_json(&empty).unwrap());
}

#[test]
fn many_small_files_come_out_in_order() {
    // More files than readers: readers wait for the consumer instead of running ahead.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..40)
        .map(|i| {
            let p = dir.path().join(format!("account-{i:02}.csv"));
            book(&p, 1 + i % 5);
            p
        })
        .collect();
    let report = run(files.clone(), Keep::All, 2);
    let got: Vec<String> = report.positions.iter().map(|p| p.file.clone()).collect();
    let mut expected = Vec::new();
    for (i, f) in files.iter().enumerate() {
        for _ in 0..1 + i % 5 {
            expected.push(f.display().to_string());
        }
    }
    assert_eq!(got, expected);
    assert_eq!(report.summary.by_file.len(), 40);
}

#[test]
fn positions_written_as_lines_read_back_the_same() {
    use holdscreen::report::json::{PositionSpill, SpillFormat, read_position_lines};
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/holdings");
    let report = run(vec![samples], Keep::All, 2);
    let mut lines = PositionSpill::new(tempfile::tempfile().unwrap(), SpillFormat::Lines);
    lines.push_all(&report.positions[..10]);
    lines.push_all(&report.positions[10..]);
    let (file, count) = lines.finish().unwrap();
    assert_eq!(count, report.positions.len());
    let back: Vec<_> = read_position_lines(file).collect::<Result<_, _>>().unwrap();
    assert_eq!(back, report.positions);
}

/// A workbook of many rows (more than one batch), its texts inline or in a shared-strings
/// table: a preamble, blank rows among the data, a header repeated part-way, a second
/// sheet with its own table, listed securities at known rows.
fn big_workbook(path: &Path, shared_strings: bool) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    for (sheet, rows) in [("Equities", 20_000u32), ("Other", 300)] {
        let ws = if shared_strings {
            wb.add_worksheet()
        } else {
            wb.add_worksheet_with_constant_memory().unwrap()
        };
        ws.set_name(sheet).unwrap();
        ws.write_string(0, 0, "Holdings report").unwrap();
        let header = ["Account", "Security", "ISIN", "Quantity"];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        for i in 0..rows {
            let r = i + 3;
            if i % 1000 == 999 {
                continue; // a blank row
            }
            if i == 9_000 {
                for (c, h) in header.iter().enumerate() {
                    ws.write_string(r, c as u16, *h).unwrap();
                }
                continue;
            }
            let (name, isin) = if i % 97 == 0 {
                ("China Mobile Ltd", "HK0941009539")
            } else {
                ("Apple Inc", "US0378331005")
            };
            ws.write_string(r, 0, format!("A{}", i % 7)).unwrap();
            ws.write_string(r, 1, name).unwrap();
            ws.write_string(r, 2, isin).unwrap();
            ws.write_number(r, 3, f64::from(i)).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn large_workbooks_stream_like_whole_reads_inline_or_shared_strings() {
    use holdscreen::holdings::{InputSpec, read_holdings_file};
    let dir = tempfile::tempdir().unwrap();
    let inline = dir.path().join("inline.xlsx");
    let shared = dir.path().join("shared.xlsx");
    big_workbook(&inline, false);
    big_workbook(&shared, true);
    let mut prohibited_rows = Vec::new();
    for path in [&inline, &shared] {
        let report = run(vec![path.clone()], Keep::All, 2);
        let spec = InputSpec {
            path: path.clone(),
            display: path.display().to_string(),
            explicit: true,
        };
        let whole = read_holdings_file(&spec, &ReadOptions::default()).unwrap();
        let info = &report.inputs[0];
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(info.sha256, holdscreen::util::sha256_hex(&bytes));
        assert_eq!(info.bytes, bytes.len() as u64);
        assert_eq!(info.tables.len(), 2);
        for (t, w) in info.tables.iter().zip(&whole.tables) {
            assert_eq!(t.header_row, 3);
            assert_eq!(t.rows, w.rows.len(), "{:?}", t.sheet);
            assert_eq!(t.ignored, w.ignored, "{:?}", t.sheet);
        }
        // 20,000 rows less 20 blank and the repeated header; 300 less none.
        assert_eq!(info.tables[0].rows, 19_979);
        assert_eq!(info.tables[1].rows, 300);
        assert_eq!(report.positions.len(), 19_979 + 300);
        // Positions in sheet and row order, each the row read whole.
        let whole_rows: Vec<(u32, Option<&str>)> = whole
            .tables
            .iter()
            .flat_map(|t| t.rows.iter().map(|r| (r.row, r.isin.as_deref())))
            .collect();
        let got: Vec<(u32, Option<&str>)> = report
            .positions
            .iter()
            .map(|p| (p.row, p.isin.as_deref()))
            .collect();
        assert_eq!(got, whole_rows);
        prohibited_rows.push(
            report
                .positions
                .iter()
                .filter(|p| p.status == Status::Prohibited)
                .map(|p| (p.sheet.clone(), p.row))
                .collect::<Vec<_>>(),
        );
    }
    // Every 97th data row is China Mobile: 207 + 4 of them, the same in both forms.
    assert_eq!(prohibited_rows[0].len(), 207 + 4);
    assert_eq!(prohibited_rows[0][0], (Some("Equities".to_string()), 4));
    assert_eq!(prohibited_rows[0], prohibited_rows[1]);
}

#[test]
fn a_workbook_over_four_megabytes_reads_through_its_inflating_thread_as_a_small_one() {
    // Over 4 MB a workbook is hashed beside the parsing, and its parts inflated on a
    // thread of their own ahead of calamine: the same rows and verdicts as the same
    // table in a small workbook, the evidence the SHA-256 of the file's bytes.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &Path, notes: bool| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        // Notes that do not compress, to pass 4 MB.
        write_holdings(
            ws,
            3_000,
            |i| i % 101 == 0,
            |_| noise(&mut x, if notes { 2_400 } else { 8 }),
        );
        wb.save(path).unwrap();
    };
    let big = dir.path().join("big.xlsx");
    let small = dir.path().join("small.xlsx");
    write(&big, true);
    write(&small, false);
    let bytes = std::fs::read(&big).unwrap();
    assert!(bytes.len() > 4 << 20, "{} bytes", bytes.len());
    let verdicts = |report: &ScreenReport| -> Vec<(u32, Status, Option<String>)> {
        report
            .positions
            .iter()
            .map(|p| (p.row, p.status, p.isin.clone()))
            .collect()
    };
    let big_report = run(vec![big.clone()], Keep::All, 2);
    let small_report = run(vec![small], Keep::All, 2);
    assert_eq!(big_report.positions.len(), 3_000);
    assert_eq!(verdicts(&big_report), verdicts(&small_report));
    let prohibited = big_report
        .positions
        .iter()
        .filter(|p| p.status == Status::Prohibited)
        .count();
    assert_eq!(prohibited, 30);
    assert_eq!(
        big_report.inputs[0].sha256,
        holdscreen::util::sha256_hex(&bytes)
    );
    assert_eq!(big_report.inputs[0].bytes, bytes.len() as u64);
}

#[test]
fn the_sheets_of_a_large_workbook_read_at_once_give_what_one_after_the_other_gives() {
    // Over 4 MB, with two sheets or more over 16 MB inflated, the sheets of a workbook are
    // read on several threads, each with the file open on a handle of its own; the rows
    // must reach the screen in sheet order, each with its sheet, and refused or empty
    // sheets be said as when read one by one.
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheets.xlsx");
    let mut wb = Workbook::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    // Sheets of different lengths (one over a batch), a sheet with no table between them,
    // and an empty one last.
    for (k, (name, rows)) in [
        ("Equities", 1_200u32),
        ("Read me", 0),
        ("Asia", 9_000),
        ("Bonds", 700),
        ("Hong Kong", 1_500),
        ("Empty", 0),
    ]
    .into_iter()
    .enumerate()
    {
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        ws.set_name(name).unwrap();
        if name == "Read me" {
            ws.write_string(0, 0, noise(&mut x, 3_000)).unwrap();
            continue;
        }
        if rows == 0 {
            continue;
        }
        // Notes that do not compress, to pass 4 MB; two sheets over 16 MB inflated, which
        // is what is worth a reader of its own.
        write_holdings(
            ws,
            rows,
            |i| (i + k as u32).is_multiple_of(97),
            |i| {
                let mut note = noise(&mut x, if i < 800 { 2_400 } else { 4 });
                match name {
                    "Asia" => note.push_str(&"x".repeat(2_000)),
                    "Hong Kong" => note.push_str(&"x".repeat(12_000)),
                    _ => {}
                }
                note
            },
        );
    }
    wb.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 4 << 20);
    let rows = |report: &ScreenReport| -> Vec<(Option<String>, u32, Status)> {
        report
            .positions
            .iter()
            .map(|p| (p.sheet.clone(), p.row, p.status))
            .collect()
    };
    let one_by_one = run(vec![path.clone()], Keep::All, 1);
    let at_once = run(vec![path.clone()], Keep::All, 2);
    let four = run(vec![path], Keep::All, 4);
    assert_eq!(one_by_one.positions.len(), 1_200 + 9_000 + 700 + 1_500);
    assert_eq!(rows(&at_once), rows(&one_by_one));
    assert_eq!(rows(&four), rows(&one_by_one));
    let sheets: Vec<Option<String>> = {
        let mut v: Vec<Option<String>> = rows(&at_once).into_iter().map(|r| r.0).collect();
        v.dedup();
        v
    };
    let names = ["Equities", "Asia", "Bonds", "Hong Kong"];
    assert_eq!(sheets, names.map(|n| Some(n.to_string())));
    let json = |r: &ScreenReport| serde_json::to_string(&r.inputs).unwrap();
    assert_eq!(json(&at_once), json(&one_by_one));
    assert_eq!(json(&four), json(&one_by_one));
    assert!(json(&at_once).contains("Read me"), "{}", json(&at_once));
    assert_eq!(
        at_once.count(Status::Prohibited),
        one_by_one.count(Status::Prohibited)
    );
    assert!(at_once.count(Status::Prohibited) > 100);
}

#[test]
fn long_csv_read_in_parallel_pieces_matches_a_whole_read() {
    use holdscreen::holdings::{InputSpec, read_holdings_file};
    // Several chunks of text (a megabyte each, cut into pieces the workers parse): quoted
    // names spanning lines, quotes inside quotes and inside plain fields, CRLF, blank lines,
    // a Windows-1252 name in a UTF-8 file. Every row is read as a whole read gives it, on
    // the same line.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text: Vec<u8> = b"Holdings\r\nAccount;Security;ISIN;Quantity\r\n".to_vec();
    for i in 0..60_000u32 {
        let line = match i % 23 {
            0 => format!("A{i};\"China Mobile\r\nLtd {i}\";HK0941009539;{i}\r\n").into_bytes(),
            1 => b"\r\n".to_vec(),
            2 => {
                let mut l = format!("A{i};Soci").into_bytes();
                l.extend_from_slice(b"\xe9t\xe9 G\xe9n\xe9rale;FR0000130809;");
                l.extend_from_slice(format!("{i}\r\n").as_bytes());
                l
            }
            3 => format!("A{i};\"Apple \"\"5\"\" Inc\";US0378331005;{i}\r\n").into_bytes(),
            4 => format!("A{i};Apple 5\" Inc;US0378331005;{i}\n").into_bytes(),
            _ => format!("A{i};Apple Inc;US0378331005;{i}\r\n").into_bytes(),
        };
        text.extend_from_slice(&line);
    }
    assert!(text.len() > 2 << 20);
    std::fs::write(&path, &text).unwrap();
    let spec = InputSpec {
        path: path.clone(),
        display: path.display().to_string(),
        explicit: true,
    };
    let whole = read_holdings_file(&spec, &ReadOptions::default()).unwrap();
    let want: Vec<(u32, Option<String>)> = whole.tables[0]
        .rows
        .iter()
        .map(|r| (r.row, r.name.clone()))
        .collect();
    for threads in [1, 2] {
        let report = run(vec![path.clone()], Keep::All, threads);
        let got: Vec<(u32, Option<String>)> = report
            .positions
            .iter()
            .map(|p| (p.row, p.security.clone()))
            .collect();
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want);
        assert_eq!(report.inputs[0].tables[0].ignored, whole.tables[0].ignored);
    }
    assert!(
        want.iter()
            .any(|(_, n)| n.as_deref() == Some("Société Générale"))
    );
    assert!(
        want.iter()
            .any(|(_, n)| n.as_deref() == Some("China Mobile\r\nLtd 59984"))
    );
}

#[test]
fn a_clear_row_met_again_is_counted_with_its_own_amounts() {
    // Rows whose identifying cells were met before in a clear row are counted clear
    // without being read whole: each with its own market value and currency (or the one
    // the header names), and a total line or a repeated header with the same identifying
    // cells is still told for what it is. The one-pass run counts what a run keeping every
    // position finds. Whole amounts, so that sums do not depend on the order of addition.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("again.csv");
    let header = "Account,Security,Ticker,Quantity,Market Value (USD),Currency\n";
    let mut text = header.to_string();
    for i in 0..30_000u32 {
        let line = match i % 11 {
            0 => format!("A{i},Apple Inc,AAPL US,{i},{},USD\n", i % 1000),
            1 => format!("A{i},Apple Inc,AAPL US,{i},{},EUR\n", i % 700),
            // No currency: the header's.
            2 => format!("A{i},Apple Inc,AAPL US,{i},{},\n", i % 500),
            // An amount that is not a number: counted, without a value.
            3 => format!("A{i},Apple Inc,AAPL US,{i},n/a,GBP\n"),
            4 => format!("A{i}, Apple Inc ,AAPL US ,{i},12,gbp\n"),
            // A total line with the same identifying cells: no quantity, no code.
            5 => "Total,Apple Inc,AAPL US,,5000,USD\n".to_string(),
            6 if i % 2 == 0 => header.to_string(),
            7 => format!("A{i},China Mobile Ltd,941 HK,{i},{},HKD\n", i % 300),
            8 => format!("A{i},Microsoft Corp,MSFT US,{i},{},USD\n", i % 900),
            _ => format!("A{i},Apple Inc,AAPL US,{i},{},USD\n", i % 100),
        };
        text.push_str(&line);
    }
    assert!(text.len() > 1 << 20);
    std::fs::write(&path, &text).unwrap();
    let all = run(vec![path.clone()], Keep::All, 2);
    assert!(!needing_attention(&all).is_empty());
    assert_one_pass_finds_what_keep_all_finds(&[path], &all);
    // The header's currency for rows without one, and the total lines ignored.
    let clear = all
        .positions
        .iter()
        .filter(|p| p.status == Status::Clear)
        .count();
    assert!(clear > 20_000, "{clear}");
    let ignored = &all.inputs[0].tables[0].ignored;
    assert!(
        ignored
            .iter()
            .filter(|r| r.reason.starts_with("total line"))
            .count()
            > 2_000,
        "{ignored:?}"
    );
    let no_currency = all.positions.iter().find(|p| p.row == 4).unwrap();
    assert_eq!(
        no_currency.currency.as_deref(),
        Some("USD"),
        "{no_currency:?}"
    );
}

#[test]
fn csv_screened_as_it_is_parsed_keeps_every_row_in_its_place() {
    // A UTF-8 book screened in one pass (only what needs attention kept): lines judged one
    // behind the line being read, records with quotes, blank lines, totals and repeated
    // headers between them. What it keeps, and where, is what a run keeping every position
    // finds.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quoted.csv");
    let header = "Account,Security,ISIN,Quantity\n";
    let mut text = format!("Holdings\n{header}");
    for i in 0..40_000u32 {
        let line = match i % 19 {
            0 => format!("A{i},\"China Mobile, Ltd {i}\",HK0941009539,{i}\n"),
            1 => format!("A{i},China Mobile Ltd,HK0941009539,{i}\n"),
            2 => "\n".to_string(),
            3 => format!("A{i},\"Apple \"\"5\"\" Inc\",US0378331005,{i}\n"),
            4 => format!("A{i},Hikvision,,{i}\n"),
            5 => "Total,,,\n".to_string(),
            6 if i % 3 == 0 => header.to_string(),
            7 => format!("A{i},China Mobile Ltd,HK0941009539,{i}\n"),
            8 => format!("A{i},\"China Mobile Ltd\",,{i}\n"),
            9 => format!("A{i},Apple Inc,US0378331006,{i}\n"),
            _ => format!("A{i},Apple Inc,US0378331005,{i}\n"),
        };
        text.push_str(&line);
    }
    assert!(text.len() > 1 << 20);
    std::fs::write(&path, &text).unwrap();
    let all = run(vec![path.clone()], Keep::All, 2);
    assert_eq!(all.summary.positions, all.positions.len());
    assert_one_pass_finds_what_keep_all_finds(&[path], &all);
    // Each kind of row is there: listed by quoted and plain lines, a wrong check digit
    // noted, rows ignored.
    let at = |row: u32| all.positions.iter().find(|p| p.row == row);
    // Data rows start on line 3: i = 19 is line 22.
    assert_eq!(at(22).map(|p| p.status), Some(Status::Prohibited));
    assert_eq!(at(23).map(|p| p.status), Some(Status::Prohibited));
    assert!(at(24).is_none());
    // A listed line right before a listed record with quotes, each in its place.
    assert_eq!(at(29).map(|p| p.status), Some(Status::Prohibited));
    assert_eq!(at(30).map(|p| p.status), Some(Status::Prohibited));
    let noted = at(31).unwrap();
    assert!(!noted.notes.is_empty(), "{noted:?}");
    assert_eq!(noted.status, Status::Clear, "{noted:?}");
    let ignored = &all.inputs[0].tables[0].ignored;
    assert!(ignored.len() > 2_000, "{}", ignored.len());
}

/// A cell for the column `header` of a row holding security `sec` of a few (listed and
/// not), written as holdings files write them: padded, lower case, `n/a`, empty, CUSIPs
/// without their leading zeros, tickers with or without their market.
fn random_cell(state: &mut u64, header: &str, sec: usize) -> String {
    // (name, ISIN, CUSIP, ticker, market, country)
    const SECURITIES: [(&str, &str, &str, &str, &str, &str); 8] = [
        ("China Mobile Ltd", "HK0941009539", "", "941", "HK", "HK"),
        (
            "China Telecom Corp Ltd",
            "US1694261033",
            "169426103",
            "CHA",
            "US",
            "CN",
        ),
        ("Apple Inc", "US0378331005", "037833100", "AAPL", "US", "US"),
        (
            "Microsoft Corp",
            "US5949181045",
            "594918104",
            "MSFT",
            "US",
            "US",
        ),
        ("Hangzhou Hikvision Digital", "", "", "002415", "SZ", "CN"),
        ("Toyota Motor Corp", "JP3633400001", "", "7203", "JP", "JP"),
        ("Megvii Technology", "", "", "", "", ""),
        ("Nestle SA", "CH0038863350", "", "NESN", "SW", "CH"),
    ];
    let mut below = |n: usize| {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state % n as u64) as usize
    };
    let (name, isin, cusip, ticker, market, country) = SECURITIES[sec];
    let written = |t: &str, how: usize| match how {
        0 => format!(" {t}"),
        1 => format!("{t}  "),
        2 => "n/a".into(),
        3 => String::new(),
        4 => t.to_lowercase(),
        _ => t.to_string(),
    };
    let how = below(10);
    let h = header.to_ascii_lowercase();
    if h.contains("isin") {
        written(isin, how)
    } else if h.contains("cusip") {
        let c = if below(3) == 0 {
            cusip.trim_start_matches('0')
        } else {
            cusip
        };
        written(c, how)
    } else if h.contains("ticker") {
        let t = if below(2) == 0 && !ticker.is_empty() {
            format!("{ticker} {market}")
        } else {
            ticker.to_string()
        };
        written(&t, how)
    } else if h.contains("exchange") {
        written(market, how)
    } else if h.contains("country") {
        written(country, how)
    } else if h.contains("security") || h.contains("issuer") {
        let n = match below(5) {
            0 => name.to_uppercase(),
            1 => format!("{name} Holdings"),
            _ => name.to_string(),
        };
        written(&n, how)
    } else if h.contains("quantity") || h.contains("price") {
        if below(4) == 0 {
            String::new()
        } else {
            below(1000).to_string()
        }
    } else if h.contains("market") {
        ["100", "250", "", "n/a", "lots", " 42 ", "7", "1,000"][below(8)].to_string()
    } else if h.contains("currency") {
        ["USD", "", "eur", "n/a", " GBP "][below(5)].to_string()
    } else {
        format!("A{}", below(50))
    }
}

/// A book of `rows` rows below `header`: random securities, and now and then a short or
/// long row, a blank line, the header again (as written or in capitals), a total, a
/// note, a quoted record, a row of empty cells, CRLF line ends.
fn random_book(state: &mut u64, header: &[&str], rows: usize, delimiter: char) -> String {
    let d = delimiter.to_string();
    let mut text = header.join(&d) + "\n";
    let below = |state: &mut u64, n: usize| {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state % n as u64) as usize
    };
    for i in 0..rows {
        let sec = below(state, 8);
        let mut cells: Vec<String> = header.iter().map(|h| random_cell(state, h, sec)).collect();
        match below(state, 40) {
            0 => cells.truncate(below(state, header.len())),
            1 => cells.push("extra".into()),
            2 => text.push('\n'),
            3 => {
                text.push_str(&header.join(&d));
                text.push('\n');
            }
            4 => cells[0] = "Total".into(),
            5 => text.push_str("Source: custodian records\n"),
            6 => cells = cells.iter().map(|c| format!("\"{c}\"")).collect(),
            7 => {
                for c in cells.iter_mut() {
                    if below(state, 2) == 0 {
                        c.clear();
                    }
                }
            }
            8 => {
                let upper: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
                text.push_str(&upper.join(&d));
                text.push_str("\r\n");
            }
            _ => {}
        }
        text.push_str(&cells.join(&d));
        text.push_str(if i % 13 == 0 { "\r\n" } else { "\n" });
    }
    text
}

#[test]
fn one_pass_matches_keep_all_on_random_books_of_other_layouts() {
    // Files of other column orders, roles and delimiters in one run share its table of
    // clear rows (fingerprints of identifying cells with their roles): the one-pass run
    // finds what a run keeping every position finds, file by file. (From a review of the
    // clear-row shortcut; it fails at once when a fingerprint leaves out exchange and
    // country.)
    let headers: [&[&str]; 5] = [
        &[
            "Account",
            "Security",
            "CUSIP",
            "ISIN",
            "Ticker",
            "Quantity",
            "Price",
            "Market Value (USD)",
            "Currency",
        ],
        &[
            "ISIN",
            "Ticker",
            "Security",
            "Account",
            "Market Value",
            "Currency",
            "CUSIP",
            "Quantity",
        ],
        &[
            "Ticker",
            "Exchange",
            "Country",
            "Security Name",
            "Quantity",
            "Market Value (EUR)",
        ],
        &[
            "Issuer",
            "Ticker",
            "Country",
            "Quantity",
            "Price",
            "Market Value",
            "Currency",
            "Account",
        ],
        &[
            "Security Name",
            "Ticker",
            "Exchange",
            "ISIN",
            "Account",
            "Quantity",
            "Market Value (GBP)",
        ],
    ];
    for seed in 1..=2u64 {
        let mut state = 0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x1234_5678_9abc_def1);
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (k, header) in headers.iter().enumerate() {
            let delimiter = if k == 3 { ';' } else { ',' };
            let path = dir.path().join(format!("b{k}.csv"));
            std::fs::write(&path, random_book(&mut state, header, 4000, delimiter)).unwrap();
            paths.push(path);
        }
        let all = run(paths.clone(), Keep::All, 2);
        assert!(!needing_attention(&all).is_empty(), "seed {seed}");
        assert_one_pass_finds_what_keep_all_finds(&paths, &all);
    }
}
