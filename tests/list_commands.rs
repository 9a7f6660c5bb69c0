//! `holdscreen list show` and `list diff`, end to end.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Reader, open_workbook_auto};
use serde_json::Value;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(p)
}

fn holdscreen() -> Command {
    Command::cargo_bin("holdscreen").unwrap()
}

#[test]
fn show_an_entry_by_id_or_name() {
    let out = holdscreen()
        .args(["list", "show", "30923"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "CHINA MOBILE LIMITED (OFAC 30923)",
        "941 HK",
        "HK0941009539",
        "2021-06-03",
        "2022-06-03",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    let out = holdscreen()
        .args(["list", "show", "meiya", "--json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc[0]["entry"]["id"], "33896");
    let out = holdscreen()
        .args(["list", "show", "no such company"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn xml_2024_and_csv_2025_have_no_cmic_change() {
    let out = holdscreen()
        .args(["list", "diff"])
        .arg(data("consolidated-2024-05-06.xml"))
        .arg(data("cons-2025-12"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["cmic"]["added"], 0);
    assert_eq!(d["cmic"]["removed"], 0);
    assert_eq!(d["cmic"]["changed"], 0);
    assert_eq!(d["old_entries"], 443);
    assert_eq!(d["new_entries"], 442);
    assert_eq!(d["all"]["added"], 1);
    assert_eq!(d["all"]["removed"], 2);
    assert!(
        d["all"]["changed"].as_u64().unwrap() > 0,
        "non-CMIC changes are reported"
    );
}

/// A copy of the 2025-12 set with one entry removed, one renamed and one added.
fn edited_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = (dir.join("old"), dir.join("new"));
    for d in [&old, &new] {
        std::fs::create_dir(d).unwrap();
        for f in [
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ] {
            std::fs::copy(data("cons-2025-12").join(f), d.join(f)).unwrap();
        }
    }
    let prim = String::from_utf8(std::fs::read(new.join("cons_prim.csv")).unwrap()).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for line in prim.split_inclusive('\n') {
        if line.starts_with("33896,") {
            continue; // removed
        }
        if line.starts_with("33895,") {
            lines.push(line.replace(
                "NETPOSA TECHNOLOGIES LIMITED",
                "NETPOSA TECHNOLOGIES GROUP LIMITED",
            ));
            continue; // changed
        }
        if line.starts_with("33894,") {
            lines.push(line.to_string());
            lines.push(
                line.replacen("33894,", "99001,", 1)
                    .replace("LEON TECHNOLOGY", "NEW LISTED"),
            );
            continue; // added after it
        }
        lines.push(line.to_string());
    }
    std::fs::write(new.join("cons_prim.csv"), lines.concat()).unwrap();
    (old, new)
}

#[test]
fn an_added_a_removed_and_a_changed_entry_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = edited_pair(dir.path());
    let report = dir.path().join("diff.xlsx");
    let out = holdscreen()
        .args(["list", "diff"])
        .arg(&old)
        .arg(&new)
        .args(["--json", "-", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        d["all"],
        serde_json::json!({"added": 1, "removed": 1, "changed": 1})
    );
    assert_eq!(d["cmic"], d["all"]);
    assert_eq!(d["added"][0]["id"], "99001");
    assert_eq!(d["removed"][0]["id"], "33896");
    assert_eq!(d["changed"][0]["id"], "33895");
    assert_eq!(d["changed"][0]["changes"][0]["field"], "name");
    let wb = open_workbook_auto(&report).unwrap();
    assert_eq!(wb.sheet_names(), ["Summary", "Added", "Removed", "Changed"]);
}
