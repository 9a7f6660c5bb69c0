//! End-to-end tests: run the `holdscreen` binary on fixture files with the embedded list and
//! read back what it wrote (JSON and xlsx).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/screen")
        .join(name)
}

fn holdscreen() -> Command {
    let mut cmd = Command::cargo_bin("holdscreen").expect("binary");
    // Pin the run clock so reports are reproducible.
    cmd.env("SOURCE_DATE_EPOCH", "1795000000")
        .env("NO_COLOR", "1");
    cmd
}

/// Screen `book.csv` as of a date; return the exit code and the JSON document.
fn screen_json(input: &Path, as_of: &str, dir: &Path) -> (i32, Value) {
    let json = dir.join(format!("out-{as_of}.json"));
    let out = holdscreen()
        .arg("screen")
        .arg(input)
        .args(["--as-of", as_of, "--no-report", "--json"])
        .arg(&json)
        .output()
        .expect("run");
    let code = out.status.code().expect("exit code");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("valid JSON");
    (code, doc)
}

fn status_of(doc: &Value, row: u64) -> &str {
    doc["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["row"] == row)
        .unwrap_or_else(|| panic!("row {row} missing"))["status"]
        .as_str()
        .unwrap()
}

#[test]
fn every_row_is_in_the_json_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = screen_json(&fixture("book.csv"), "2026-11-22", dir.path());
    assert_eq!(code, 1, "prohibited positions exit 1");
    let positions = doc["positions"].as_array().unwrap();
    let rows: Vec<u64> = positions
        .iter()
        .map(|p| p["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rows,
        vec![2, 3, 4, 5, 6, 7, 8],
        "one element per data row, CSV line numbers"
    );
    for p in positions {
        assert!(p["file"].as_str().unwrap().ends_with("book.csv"));
        assert!(p["sheet"].is_null());
        for field in [
            "status",
            "entity_id",
            "entity_name",
            "basis",
            "score",
            "listing_date",
            "effective_date",
            "divestment_deadline",
            "window",
        ] {
            assert!(p.get(field).is_some(), "field {field} present");
        }
    }
    assert_eq!(doc["as_of"], "2026-11-22");
    assert!(
        doc["list"]["source"]
            .as_str()
            .unwrap()
            .contains("2025-12-19")
    );
    assert_eq!(doc["list"]["entry_count"], 68);
    let first = &positions[0];
    assert_eq!(first["status"], "prohibited");
    assert_eq!(first["basis"], "isin");
    assert_eq!(first["entity_id"], "30882");
    assert_eq!(first["entity_name"], "CHINA TELECOM CORPORATION LIMITED");
    assert_eq!(first["divestment_deadline"], "2022-06-03");
    assert_eq!(first["last_day_to_divest"], "2022-06-02");
    assert_eq!(first["window"], "closed");
    assert_eq!(status_of(&doc, 4), "clear", "Apple");
    assert_eq!(status_of(&doc, 5), "invalid", "no identifier and no name");
    assert_eq!(
        status_of(&doc, 6),
        "clear",
        "China Construction Bank is not listed"
    );
    assert_eq!(status_of(&doc, 7), "clear", "formula-looking text");
    assert_eq!(
        status_of(&doc, 8),
        "prohibited",
        "numeric ticker 2415 on Shenzhen = 002415 CN"
    );
}

/// Both cohorts at every boundary: the day before listing, listing, the day before the
/// effective date, the effective date, the last day to divest, and the divestment date.
#[test]
fn verdicts_at_the_date_boundaries_for_both_cohorts() {
    let dir = tempfile::tempdir().unwrap();
    // Row 2: China Telecom (June-2021 annex). Row 3: Dawning (16 Dec 2021).
    let cases = [
        ("2021-06-02", ("clear", Value::Null), ("clear", Value::Null)),
        (
            "2021-06-03",
            ("pending", "open".into()),
            ("clear", Value::Null),
        ),
        (
            "2021-08-01",
            ("pending", "open".into()),
            ("clear", Value::Null),
        ),
        (
            "2021-08-02",
            ("prohibited", "open".into()),
            ("clear", Value::Null),
        ),
        (
            "2021-12-15",
            ("prohibited", "open".into()),
            ("clear", Value::Null),
        ),
        (
            "2021-12-16",
            ("prohibited", "open".into()),
            ("pending", "open".into()),
        ),
        (
            "2022-02-13",
            ("prohibited", "open".into()),
            ("pending", "open".into()),
        ),
        (
            "2022-02-14",
            ("prohibited", "open".into()),
            ("prohibited", "open".into()),
        ),
        (
            "2022-06-02",
            ("prohibited", "open".into()),
            ("prohibited", "open".into()),
        ),
        (
            "2022-06-03",
            ("prohibited", "closed".into()),
            ("prohibited", "open".into()),
        ),
        (
            "2022-12-15",
            ("prohibited", "closed".into()),
            ("prohibited", "open".into()),
        ),
        (
            "2022-12-16",
            ("prohibited", "closed".into()),
            ("prohibited", "closed".into()),
        ),
    ];
    for (as_of, telecom, dawning) in cases {
        let (code, doc) = screen_json(&fixture("book.csv"), as_of, dir.path());
        let pos = doc["positions"].as_array().unwrap();
        let got = |i: usize| {
            (
                pos[i]["status"].as_str().unwrap().to_string(),
                pos[i]["window"].clone(),
            )
        };
        assert_eq!(
            got(0),
            (telecom.0.to_string(), telecom.1.clone()),
            "China Telecom as of {as_of}"
        );
        assert_eq!(
            got(1),
            (dawning.0.to_string(), dawning.1.clone()),
            "Dawning as of {as_of}"
        );
        let any_prohibited = pos.iter().any(|p| p["status"] == "prohibited");
        assert_eq!(code, i32::from(any_prohibited), "exit code as of {as_of}");
        if as_of == "2022-02-13" {
            assert_eq!(pos[1]["effective_date"], "2022-02-14");
            assert_eq!(pos[1]["days_left"], 306, "to 2022-12-16");
        }
    }
}

#[test]
fn clean_book_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = screen_json(&fixture("clean.csv"), "2026-11-22", dir.path());
    assert_eq!(code, 0);
    assert_eq!(doc["positions"].as_array().unwrap().len(), 2);
}

#[test]
fn missing_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    let out = holdscreen()
        .arg("screen")
        .arg(dir.path().join("no-such-book.xlsx"))
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-book.xlsx"), "names the file: {err}");
    assert!(!report.exists(), "no report left behind");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left behind"
    );
}

#[test]
fn corrupt_workbook_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    let out = holdscreen()
        .arg("screen")
        .arg(fixture("corrupt.xlsx"))
        .arg(fixture("clean.csv"))
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupt.xlsx"));
    assert!(!report.exists());
}

#[test]
fn bad_arguments_exit_2() {
    let out = holdscreen()
        .args(["screen", "x.csv", "--as-of", "30/06/2022"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = holdscreen()
        .args(["screen", "x.csv", "--column", "colour=Red"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn existing_report_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    std::fs::write(&report, b"keep me").unwrap();
    let out = holdscreen()
        .arg("screen")
        .arg(fixture("clean.csv"))
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&report).unwrap(), b"keep me");
    let out = holdscreen()
        .arg("screen")
        .arg(fixture("clean.csv"))
        .arg("-o")
        .arg(&report)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(std::fs::read(&report).unwrap(), b"keep me");
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn xlsx_report_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    let out = holdscreen()
        .arg("screen")
        .arg(fixture("book.csv"))
        .args(["--as-of", "2022-03-01", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("prohibited"), "summary printed: {stdout}");

    let mut wb = open_workbook_auto(&report).expect("report opens");
    let names = wb.sheet_names();
    for sheet in ["Summary", "Prohibited", "Review", "Invalid", "Evidence"] {
        assert!(
            names.iter().any(|n| n == sheet),
            "sheet {sheet} in {names:?}"
        );
    }
    let prohibited = wb.worksheet_range("Prohibited").unwrap();
    let text: Vec<String> = prohibited
        .rows()
        .flat_map(|r| r.iter().map(cell_text))
        .collect();
    for id in ["30882", "33113"] {
        assert!(
            text.iter().any(|t| t == id),
            "OFAC id {id} on the Prohibited sheet"
        );
    }
    // Dates are real dates.
    assert!(
        prohibited
            .rows()
            .flatten()
            .any(|c| matches!(c, Data::DateTime(_))),
        "Prohibited sheet holds Excel dates"
    );
    // Evidence names the input with its SHA-256.
    let evidence = wb.worksheet_range("Evidence").unwrap();
    let ev: Vec<String> = evidence
        .rows()
        .flat_map(|r| r.iter().map(cell_text))
        .collect();
    let sha = holdscreen::util::sha256_hex(&std::fs::read(fixture("book.csv")).unwrap());
    assert!(
        ev.iter().any(|t| t.contains(&sha)),
        "input SHA-256 on Evidence"
    );
    let invalid = wb.worksheet_range("Invalid").unwrap();
    assert!(
        invalid
            .rows()
            .flatten()
            .any(|c| cell_text(c).contains("no identifier"))
    );
}

#[test]
fn formula_text_from_inputs_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    let out = holdscreen()
        .arg("screen")
        .arg(fixture("book.csv"))
        .args(["--as-of", "2026-11-22", "--all-positions", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut wb = open_workbook_auto(&report).unwrap();
    let all = wb
        .worksheet_range("All positions")
        .expect("All positions sheet");
    let formula = "=HYPERLINK(\"http://example.com\",\"click\")";
    assert!(
        all.rows()
            .flatten()
            .any(|c| c == &Data::String(formula.into())),
        "the text is stored as a string"
    );
    let formulas = wb.worksheet_formula("All positions").unwrap();
    assert!(
        formulas.rows().flatten().all(|f| f.is_empty()),
        "no formula in the report"
    );
}

/// Screen `book.csv` as of 2026-11-22 into `r.xlsx` of a new folder `dir/name` (the same
/// command line whatever the folder: it is recorded as evidence), with `env` set; the run's
/// output and the report's path.
fn report_of_book(dir: &Path, name: &str, env: &[(&str, &Path)]) -> (Output, PathBuf) {
    let d = dir.join(name);
    std::fs::create_dir(&d).unwrap();
    let mut cmd = holdscreen();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .current_dir(&d)
        .arg("screen")
        .arg(fixture("book.csv"))
        .args(["--as-of", "2026-11-22", "-o", "r.xlsx"])
        .output()
        .unwrap();
    (out, d.join("r.xlsx"))
}

#[test]
fn same_inputs_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| std::fs::read(report_of_book(dir.path(), name, &[]).1).unwrap();
    let (a, b) = (run("a"), run("b"));
    assert!(a.len() > 1000);
    assert_eq!(a, b);
}

#[test]
fn the_report_is_the_same_without_a_temporary_folder() {
    // The largest sheet is written through a temporary file when one can be made, and
    // kept in memory when not: the same cells either way.
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, env: &[(&str, &Path)]| {
        let (out, report) = report_of_book(dir.path(), name, env);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let mut wb = open_workbook_auto(report).unwrap();
        let mut cells = Vec::new();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            for (r, c, v) in range.cells() {
                cells.push((name.clone(), r, c, cell_text(v)));
            }
        }
        cells
    };
    let with = run("a", &[]);
    let missing = dir.path().join("no such folder");
    let without = run("b", &[("TMPDIR", &missing)]);
    assert!(
        with.iter()
            .any(|(s, _, _, v)| s == "Prohibited" && v == "prohibited")
    );
    assert_eq!(with, without);
}

#[test]
fn json_to_stdout_and_threads_do_not_change_results() {
    let one = holdscreen()
        .arg("screen")
        .arg(fixture("book.csv"))
        .args([
            "--as-of",
            "2026-11-22",
            "--no-report",
            "--json",
            "-",
            "-j",
            "1",
        ])
        .output()
        .unwrap();
    let two = holdscreen()
        .arg("screen")
        .arg(fixture("book.csv"))
        .args([
            "--as-of",
            "2026-11-22",
            "--no-report",
            "--json",
            "-",
            "-j",
            "2",
        ])
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&one.stdout).expect("JSON on stdout");
    let mut b: Value = serde_json::from_slice(&two.stdout).unwrap();
    b["settings"]["threads"] = a["settings"]["threads"].clone();
    b["run"]["command_line"] = a["run"]["command_line"].clone();
    assert_eq!(a, b);
}

#[test]
fn names_in_any_script_are_screened_without_error() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("scripts.csv");
    std::fs::write(
        &book,
        "Security,Quantity\n中国移动通信集团有限公司,10\nСбербанк России,1\nSociété Générale SA,5\n",
    )
    .unwrap();
    let out = holdscreen()
        .arg("screen")
        .arg(&book)
        .args(["--as-of", "2026-11-22", "--no-report", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["positions"].as_array().unwrap().len(), 3);
}

#[test]
fn a_sheet_unreadable_part_way_is_a_warning_and_its_rows_above_are_screened() {
    // 151 rows, then a row numbered 120 (cells out of order: the reader stops there), then
    // a listed security that is therefore not read.
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = screen_json(
        &fixture("unreadable-part-way.xlsx"),
        "2025-09-30",
        dir.path(),
    );
    assert_eq!(code, 1, "China Mobile on row 2 is prohibited");
    let positions = doc["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 150, "rows 2 to 151 are read");
    assert_eq!(status_of(&doc, 2), "prohibited");
    let warning = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|w| w.contains("unreadable after row 151"))
        .expect("a run warning names the sheet and the row");
    assert!(warning.contains("sheet Book"), "{warning}");
    assert!(warning.contains("may be missing"), "{warning}");
}

#[test]
fn a_corrupt_cell_part_way_keeps_the_whole_rows_above_it() {
    // 151 rows, then a cell whose reference is not one (`@@152`): the rows above it are
    // read, though fewer than a batch.
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = screen_json(&fixture("corrupt-cell.xlsx"), "2025-09-30", dir.path());
    assert_eq!(code, 1, "China Mobile on row 2 is prohibited");
    assert_eq!(doc["positions"].as_array().unwrap().len(), 150);
    assert!(
        doc["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .any(|w| w.contains("sheet Book: unreadable after row 151")),
        "{}",
        doc["warnings"]
    );
}

#[cfg(unix)]
#[test]
fn a_workbook_read_from_a_pipe_is_screened_with_its_digest() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let source = fixture("unreadable-part-way.xlsx");
    let bytes = std::fs::read(&source).unwrap();
    let fifo = dir.path().join("piped.xlsx");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        let bytes = bytes.clone();
        std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
    };
    let (code, doc) = screen_json(&fifo, "2025-09-30", dir.path());
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(doc["positions"].as_array().unwrap().len(), 150);
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(doc["inputs"][0]["sha256"], digest.as_str());
    assert_eq!(doc["inputs"][0]["bytes"], bytes.len() as u64);
}
