//! Reviewed exceptions end to end: applied, expired, refused and unmatched entries, and
//! how they show in the JSON document.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exceptions")
        .join(name)
}

fn run(exceptions: &Path) -> (i32, Value) {
    let out = Command::cargo_bin("holdscreen")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args([
            "screen",
            "--as-of",
            "2026-11-22",
            "--no-report",
            "--json",
            "-",
            "-q",
        ])
        .arg(fixture("book.csv"))
        .arg("--exceptions")
        .arg(exceptions)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code().unwrap(), doc)
}

fn row(doc: &Value, row: u64) -> &Value {
    doc["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["row"] == row)
        .unwrap()
}

#[test]
fn exceptions_are_applied_expired_refused_or_unmatched() {
    let (code, doc) = run(&fixture("exceptions.csv"));
    assert_eq!(code, 1, "China Mobile stays prohibited");

    // Applied: review -> cleared, with the exception named.
    let cleared = row(&doc, 2);
    assert_eq!(cleared["status"], "cleared");
    assert_eq!(cleared["entity_id"], "33113");
    assert_eq!(cleared["exception"], "exceptions.csv line 2");
    // Expired: stays review, says why.
    let expired = row(&doc, 3);
    assert_eq!(expired["status"], "review");
    assert!(
        expired["notes"]
            .to_string()
            .contains("expired on 2025-01-10")
    );
    // A prohibited position is never cleared.
    assert_eq!(row(&doc, 4)["status"], "prohibited");
    assert_eq!(row(&doc, 5)["status"], "clear");

    let outcomes = doc["exceptions"]["outcomes"].as_array().unwrap();
    let states: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|o| (o["source"].as_str().unwrap(), o["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("exceptions.csv line 2", "applied"),
            ("exceptions.csv line 3", "expired"),
            ("exceptions.csv line 4", "refused"),
            ("exceptions.csv line 5", "refused"),
            ("exceptions.csv line 6", "unmatched"),
            ("exceptions.csv line 7", "refused"),
        ]
    );
    assert!(
        outcomes[3]["message"]
            .as_str()
            .unwrap()
            .contains("CNE1000002V2 is on the list")
    );
    assert_eq!(doc["exceptions"]["sha256"].as_str().unwrap().len(), 64);
    let warnings = doc["warnings"].to_string();
    for source in ["line 3", "line 4", "line 5", "line 6", "line 7"] {
        assert!(warnings.contains(source), "warning for {source}");
    }
}

#[test]
fn toml_exceptions_work_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("exceptions.toml");
    std::fs::write(
        &toml,
        r#"
[[exception]]
entity_id = "33113"
identifier = "603019"
decision = "false-positive"
reason = "placeholder code"
decided_by = "A. Reviewer"
decided_on = 2026-10-01
"#,
    )
    .unwrap();
    let (_, doc) = run(&toml);
    assert_eq!(row(&doc, 2)["status"], "cleared");
    assert_eq!(row(&doc, 3)["status"], "review");
}

#[test]
fn an_unreadable_exceptions_file_stops_the_run() {
    let out = Command::cargo_bin("holdscreen")
        .unwrap()
        .args(["screen", "--no-report", "-q"])
        .arg(fixture("book.csv"))
        .args(["--exceptions", "no/such/exceptions.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/exceptions.csv"));
}

#[test]
fn exceptions_show_on_the_review_and_evidence_sheets() {
    use calamine::{Data, Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.xlsx");
    let out = Command::cargo_bin("holdscreen")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args(["screen", "--as-of", "2026-11-22", "-q", "-o"])
        .arg(&report)
        .arg(fixture("book.csv"))
        .arg("--exceptions")
        .arg(fixture("exceptions.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut wb = open_workbook_auto(&report).unwrap();
    let text = |range: calamine::Range<Data>| -> Vec<String> {
        range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect()
    };
    let review = text(wb.worksheet_range("Review").unwrap());
    assert!(
        review.iter().any(|t| t == "cleared"),
        "cleared row on Review"
    );
    assert!(review.iter().any(|t| t == "exceptions.csv line 2"));
    let evidence = text(wb.worksheet_range("Evidence").unwrap());
    assert!(evidence.iter().any(|t| t == "Reviewed exceptions"));
    for state in ["applied", "expired", "refused", "unmatched"] {
        assert!(
            evidence.iter().any(|t| t == state),
            "outcome {state} on Evidence"
        );
    }
}
