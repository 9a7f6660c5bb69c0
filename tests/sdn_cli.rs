//! SDN blocking: with the SDN list loaded beside the consolidated list, a holding of an
//! SDN entity is `blocked` (freeze and report), and orders in it are blocked.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(p)
}

fn run(cmd: &str, book: &Path) -> (i32, Value) {
    let out = Command::cargo_bin("holdscreen")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .arg(cmd)
        .arg(book)
        .arg("--list")
        .arg(data("cons-2025-12"))
        .arg("--list")
        .arg(data("sdn-2024-05-03"))
        .args(["--no-report", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn sdn_entities_are_blocked_and_individuals_never_match_securities() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.csv");
    std::fs::write(
        &book,
        "Security,ISIN,Quantity\n\
         Sberbank of Russia PJSC,RU0009029540,1000\n\
         VTB Bank PJSC,RU000A0JP5V6,5000\n\
         China Mobile Ltd,HK0941009539,100\n\
         Putin Vladimir Vladimirovich,,1\n\
         Apple Inc,US0378331005,10\n\
         Ilyushin ordinary shares,RU0007796926,50\n",
    )
    .unwrap();
    let (code, doc) = run("screen", &book);
    assert_eq!(code, 1);
    assert_eq!(doc["list"]["entry_count"], 68);
    assert_eq!(doc["list"]["sdn_entity_count"], 6884);
    let p = doc["positions"].as_array().unwrap();
    assert_eq!(p[0]["status"], "blocked");
    assert_eq!(p[0]["entity_id"], "17018");
    assert!(
        p[0]["action"]
            .as_str()
            .unwrap()
            .contains("report it to OFAC within 10 business days")
    );
    assert_eq!(p[1]["status"], "blocked");
    assert_eq!(p[1]["entity_id"], "17013");
    assert_eq!(p[2]["status"], "prohibited", "NS-CMIC still applies");
    assert_eq!(
        p[3]["status"], "clear",
        "an individual is not a security issuer"
    );
    assert_eq!(p[4]["status"], "clear");
    // An ISIN OFAC writes in an SDN entry's remarks blocks by itself.
    assert_eq!(p[5]["status"], "blocked");
    assert_eq!(p[5]["entity_id"], "35996");
    assert_eq!(p[5]["basis"], "isin");
}

#[test]
fn orders_in_sdn_property_are_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("orders.csv");
    std::fs::write(
        &book,
        "Trade Date,Side,Security\n2024-06-03,SELL,Sberbank of Russia PJSC\n2024-06-03,BUY,Apple Inc\n",
    )
    .unwrap();
    let (code, doc) = run("trades", &book);
    assert_eq!(code, 1);
    assert_eq!(doc["positions"][0]["status"], "blocked");
    assert_eq!(doc["positions"][1]["status"], "allowed");
}
