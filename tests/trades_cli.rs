//! `holdscreen trades`: orders judged on their trade dates, end to end.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Reader, open_workbook_auto};
use serde_json::Value;

fn blotter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/orders/trade-blotter.csv")
}

fn holdscreen() -> Command {
    let mut cmd = Command::cargo_bin("holdscreen").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795000000")
        .env("NO_COLOR", "1");
    cmd
}

fn trades_json(args: &[&str], input: &Path) -> (i32, Value) {
    let out = holdscreen()
        .arg("trades")
        .arg(input)
        .args(["--no-report", "--json", "-", "-q"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).expect("JSON");
    (out.status.code().unwrap(), doc)
}

fn by_line(doc: &Value) -> Vec<(u64, String)> {
    doc["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_order_judged_on_its_trade_date() {
    let (code, doc) = trades_json(&[], &blotter());
    assert_eq!(code, 1, "blocked orders exit 1");
    let want = [
        (2, "allowed"),     // June cohort, the day before the effective date
        (3, "blocked"),     // buy on the effective date
        (4, "divest-only"), // sale on the effective date
        (5, "divest-only"), // sale on the last day to divest
        (6, "blocked"),     // sale on the divestment date
        (7, "allowed"),     // Dec cohort short sale before its effective date
        (8, "blocked"),     // Dec cohort buy on its effective date
        (9, "divest-only"), // cover inside the window
        (10, "blocked"),    // FIX side 2 on the Dec divestment date
        (11, "allowed"),    // Tencent
        (12, "allowed"),    // Apple
        (13, "review"),     // a subsidiary of a listed group
        (14, "invalid"),    // no trade date
        (15, "invalid"),    // side HOLD
        (16, "allowed"),    // a fund: allowed unless its constituents are given
    ];
    let got = by_line(&doc);
    let got: Vec<(u64, &str)> = got.iter().map(|(r, s)| (*r, s.as_str())).collect();
    assert_eq!(got, want);
    let first = &doc["positions"][0];
    assert_eq!(first["trade_date"], "2021-07-30");
    assert_eq!(first["side"], "BUY");
    assert_eq!(doc["kind"], "orders");
    assert!(
        doc["positions"][1]["action"]
            .as_str()
            .unwrap()
            .contains("purchase on or after the effective date 2021-08-02")
    );
}

#[test]
fn trade_date_option_fills_missing_dates() {
    let (_, doc) = trades_json(&["--trade-date", "2023-03-16"], &blotter());
    let msft = &doc["positions"][12];
    assert_eq!(msft["row"], 14);
    assert_eq!(msft["status"], "allowed");
    assert_eq!(msft["trade_date"], "2023-03-16");
}

#[test]
fn nothing_blocked_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.csv");
    std::fs::write(
        &f,
        "Trade Date,Side,ISIN,Quantity\n2023-01-05,BUY,US0378331005,10\n2023-01-05,SELL,HK0941009539,10\n",
    )
    .unwrap();
    // Selling China Mobile in 2023: the window closed in 2022, so that sale is blocked.
    let (code, doc) = trades_json(&[], &f);
    assert_eq!(code, 1);
    assert_eq!(doc["positions"][1]["status"], "blocked");
    std::fs::write(&f, "Trade Date,Side,ISIN\n2023-01-05,BUY,US0378331005\n").unwrap();
    let (code, _) = trades_json(&[], &f);
    assert_eq!(code, 0);
}

#[test]
fn orders_workbook_has_its_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("orders.xlsx");
    let out = holdscreen()
        .arg("trades")
        .arg(blotter())
        .args(["-q", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut wb = open_workbook_auto(&report).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary", "Orders", "Blocked", "Review", "Invalid", "Evidence"
        ]
    );
    let blocked = wb.worksheet_range("Blocked").unwrap();
    assert_eq!(blocked.height(), 5, "header and four blocked orders");
    let header: Vec<String> = blocked
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header.contains(&"Trade date".to_string()) && header.contains(&"Side".to_string()));
}
