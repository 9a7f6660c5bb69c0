//! Fund look-through: a fund whose constituents include a listed security, held and ordered.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn sample(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(p)
}

fn run(args: &[&str], input: &Path) -> (i32, Value) {
    let out = Command::cargo_bin("holdscreen")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args(args)
        .arg(input)
        .arg("--constituents")
        .arg(sample("funds/ATLX.csv"))
        .args(["--no-report", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn a_held_fund_with_a_listed_constituent_is_prohibited_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.csv");
    std::fs::write(
        &book,
        "Security,Ticker,Quantity\nAsia Tech Leaders ETF,ATLX US Equity,2000\nApple Inc,AAPL US,10\n",
    )
    .unwrap();
    let (code, doc) = run(&["screen", "--as-of", "2023-03-15"], &book);
    assert_eq!(code, 1);
    let fund = &doc["positions"][0];
    assert_eq!(fund["status"], "prohibited");
    assert_eq!(fund["basis"], "look-through");
    let why = fund["explanation"].as_str().unwrap();
    assert!(
        why.contains("CHINA MOBILE LTD (3.2%)") && why.contains("OFAC 30923"),
        "{why}"
    );
    assert!(why.contains("OFAC 30946"), "Hikvision too: {why}");
    assert!(
        fund["action"]
            .as_str()
            .unwrap()
            .contains("Holding this fund is lawful")
    );
    assert_eq!(doc["positions"][1]["status"], "clear");
    assert_eq!(doc["funds"][0]["id"], "ATLX");
    assert_eq!(doc["funds"][0]["constituents"], 8);
    assert_eq!(doc["constituents"][0]["sha256"].as_str().unwrap().len(), 64);

    // Before the prohibition took effect the fund was not affected.
    let (_, early) = run(&["screen", "--as-of", "2021-07-01"], &book);
    assert_eq!(early["positions"][0]["status"], "clear");
}

#[test]
fn an_order_for_the_fund_is_blocked() {
    let (code, doc) = run(&["trades"], &sample("orders/trade-blotter.csv"));
    assert_eq!(code, 1);
    let last = doc["positions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "blocked");
    assert_eq!(last["basis"], "look-through");
    assert!(last["action"].as_str().unwrap().contains("FAQ 861"));
}
