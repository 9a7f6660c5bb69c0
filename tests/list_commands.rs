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

/// A tiny HTTP/1.1 server on 127.0.0.1 serving the 2025-12 set under OFAC's upper-case
/// names. `fail` names a file answered with 500, `garbage` one answered with junk.
fn serve(fail: Option<&'static str>, garbage: Option<&'static str>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let name = request
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_string();
            let body: Option<Vec<u8>> = if Some(name.as_str()) == fail {
                None
            } else if Some(name.as_str()) == garbage {
                Some(b"<html>maintenance</html>".to_vec())
            } else {
                std::fs::read(data("cons-2025-12").join(name.to_ascii_lowercase())).ok()
            };
            let _ = match body {
                Some(b) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        b.len()
                    );
                    stream
                        .write_all(head.as_bytes())
                        .and_then(|()| stream.write_all(&b))
                }
                None => stream.write_all(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    format!("http://{addr}/")
}

fn update(dir: &Path, url: &str) -> std::process::Output {
    holdscreen()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args(["list", "update", "--dir"])
        .arg(dir)
        .args(["--base-url", url])
        .output()
        .unwrap()
}

fn snapshot_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn update_fetches_checks_and_never_replaces_a_good_copy_with_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("ofac");

    // A good update.
    let out = update(&store, &serve(None, None));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let current = store.join("current");
    let good = snapshot_of(&current);
    let names: Vec<&str> = good.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "CONS_ADD.CSV",
            "CONS_ALT.CSV",
            "CONS_COMMENTS.CSV",
            "CONS_PRIM.CSV",
            "FETCHED.json",
            "LIST_DATE"
        ]
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(current.join("FETCHED.json")).unwrap()).unwrap();
    assert_eq!(manifest["cmic_entries"], 68);
    assert_eq!(manifest["files"][0]["sha256"].as_str().unwrap().len(), 64);
    // The fetched set is a list holdscreen screens with.
    let info = holdscreen()
        .args(["list", "info", "--json", "--list"])
        .arg(&current)
        .output()
        .unwrap();
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info[0]["cmic_entries"], 68);
    assert_eq!(info[0]["date_basis"], "declared");

    // A server error half-way: exit 2, the good copy survives byte for byte.
    let out = update(&store, &serve(Some("CONS_ADD.CSV"), None));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CONS_ADD.CSV"));
    assert_eq!(snapshot_of(&current), good);

    // A file that is not a list: refused, the good copy survives.
    let out = update(&store, &serve(None, Some("CONS_PRIM.CSV")));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(snapshot_of(&current), good);
    // No half-downloaded folders are left behind.
    let leftovers: Vec<String> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".incoming"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
