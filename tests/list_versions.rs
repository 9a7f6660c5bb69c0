//! Point in time across list versions: the version in force on each date decides.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(p)
}

/// Two consolidated sets: `old` (2024-01-01) with every entry, `new` (2025-01-01) without
/// China Mobile Ltd (30923).
fn two_versions(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = (dir.join("old"), dir.join("new"));
    for (d, date) in [(&old, "2024-01-01"), (&new, "2025-01-01")] {
        std::fs::create_dir(d).unwrap();
        for f in [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ] {
            std::fs::copy(data("cons-2025-12").join(f), d.join(f)).unwrap();
        }
        std::fs::write(d.join("LIST_DATE"), format!("{date}\n")).unwrap();
    }
    let prim = std::fs::read(new.join("cons_prim.csv")).unwrap();
    let kept: Vec<&[u8]> = prim
        .split_inclusive(|b| *b == b'\n')
        .filter(|line| !line.starts_with(b"30923,"))
        .collect();
    assert!(kept.len() + 1 == prim.split_inclusive(|b| *b == b'\n').count());
    std::fs::write(new.join("cons_prim.csv"), kept.concat()).unwrap();
    (old, new)
}

fn run(args: &[&str], lists: &[&Path], input: &Path) -> Value {
    let mut cmd = Command::cargo_bin("holdscreen").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795000000")
        .args(args)
        .arg(input);
    for l in lists {
        cmd.arg("--list").arg(l);
    }
    let out = cmd
        .args(["--no-report", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_version_in_force_on_the_as_of_date_decides() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = two_versions(dir.path());
    let book = dir.path().join("book.csv");
    std::fs::write(&book, "ISIN\nHK0941009539\n").unwrap();
    let lists = [old.as_path(), new.as_path()];

    let mid = run(&["screen", "--as-of", "2024-06-01"], &lists, &book);
    assert_eq!(mid["positions"][0]["status"], "prohibited");
    assert!(mid["list"]["in_force"].as_str().unwrap().contains("old"));

    let late = run(&["screen", "--as-of", "2025-06-01"], &lists, &book);
    assert_eq!(
        late["positions"][0]["status"], "clear",
        "removed in the newer version"
    );
    assert!(late["list"]["in_force"].as_str().unwrap().contains("new"));

    let early = run(&["screen", "--as-of", "2023-06-01"], &lists, &book);
    assert_eq!(early["positions"][0]["status"], "prohibited");
    assert!(
        early["warnings"]
            .to_string()
            .contains("before the consolidated (non-SDN) list version given (2024-01-01)")
    );
}

#[test]
fn each_order_is_judged_against_the_version_in_force_on_its_trade_date() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = two_versions(dir.path());
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "Trade Date,Side,ISIN\n2024-06-03,BUY,HK0941009539\n2025-06-02,BUY,HK0941009539\n",
    )
    .unwrap();
    let doc = run(&["trades"], &[old.as_path(), new.as_path()], &orders);
    let p = doc["positions"].as_array().unwrap();
    assert_eq!(p[0]["status"], "blocked");
    assert_eq!(p[1]["status"], "allowed");
    assert!(p[0]["notes"].to_string().contains("old"));
    assert!(p[1]["notes"].to_string().contains("new"));
}
