//! End-to-end tests of `holdscreen list show|diff|update`: run the binary on the real OFAC
//! files in data/ofac and on edited copies of them. The update tests serve files from a
//! tiny HTTP server on 127.0.0.1; no test reaches the internet.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(rel)
}

fn holdscreen() -> Command {
    let mut cmd = Command::cargo_bin("holdscreen").expect("binary");
    cmd.env("SOURCE_DATE_EPOCH", "1795000000")
        .env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = holdscreen().args(args).output().expect("run");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

// ---------------------------------------------------------------------------------------
// list show

#[test]
fn show_by_id_prints_every_cmic_field() {
    let r = run(&["list", "show", "30882"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "30882  CHINA TELECOM CORPORATION LIMITED",
        "CMIC-EO13959",
        "aka CHINA TELECOM",
        "CHA US (key CHA US)",
        "0728 HK (key",
        "US1694261033 (valid)",
        "China Telecom Corporation Limited",
        "2021-06-03",
        "2021-08-02",
        "2022-06-03 (window closes 12:01 a.m. ET; last day to divest 2022-06-02)",
        "Public Company",
        "9111000071093019X7",
        "CHINA TELECOMMUNICATIONS CORPORATION",
        "remarks:",
        "(embedded)",
        "cons_prim.csv (CONS_PRIM, sha256",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

#[test]
fn show_json_from_a_list_file_names_its_source_and_isin_checks() {
    let xml = data("consolidated-2024-05-06.xml");
    let r = run(&["list", "show", "30930", "--list", s(&xml), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(doc["result"], "found");
    let e = &doc["entries"][0];
    assert_eq!(e["snapshot_date"], "2024-05-06");
    assert!(e["files"][0]["path"].as_str().unwrap().ends_with(".xml"));
    assert_eq!(e["entry"]["id"], "30930");
    let isins = e["entry"]["cmic"]["isins"].as_array().unwrap();
    let bad = isins
        .iter()
        .find(|i| i["value"] == "CND10002K094")
        .expect("defective ISIN kept");
    assert_eq!(bad["check"], "bad-check-digit");
}

#[test]
fn show_by_name_and_ambiguous_and_missing() {
    let r = run(&["list", "show", "sensetime"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("33114  SENSETIME GROUP LIMITED"));

    let r = run(&["list", "show", "china telecom"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("30882") && r.stdout.contains("30939"));
    assert!(r.stderr.contains("list show ID"), "{}", r.stderr);

    let r = run(&["list", "show", "no such company"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no entry"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// list diff

#[test]
fn diff_xml_2024_to_csv_2025_has_no_cmic_change() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("diff.json");
    let r = run(&[
        "list",
        "diff",
        s(&data("consolidated-2024-05-06.xml")),
        s(&data("cons-2025-12")),
        "--json",
        s(&json),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("NS-CMIC: no change"), "{}", r.stdout);
    let d: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let c = &d["cmic_counts"];
    assert_eq!(
        (
            c["added"].as_u64(),
            c["removed"].as_u64(),
            c["changed"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(c["unchanged"], 68);
    // The non-CMIC changes between May 2024 and Dec 2025.
    let a = &d["counts"];
    assert_eq!(
        (a["old_entries"].as_u64(), a["new_entries"].as_u64()),
        (Some(443), Some(442))
    );
    assert_eq!(a["added"], 1);
    assert_eq!(a["removed"], 2);
    assert!(a["changed"].as_u64().unwrap() > 0);
    assert_eq!(d["added"][0]["id"], "50476");
    let removed: Vec<&str> = d["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["18293", "26182"]);
    assert!(
        d["changed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["cmic"] == false)
    );
    // Formats differ: remarks are not compared, and the diff says so.
    assert!(d["notes"][0].as_str().unwrap().contains("remarks"));
}

/// Replace the CONS_PRIM line of `id` (CRLF kept) with `line`, or drop it when None;
/// `append` adds lines before the trailing 0x1A.
fn edit_prim(dir: &Path, edits: &[(&str, Option<&str>)], append: &[&str]) {
    let p = dir.join("cons_prim.csv");
    let bytes = std::fs::read(&p).unwrap();
    let text = String::from_utf8(bytes).expect("ASCII file");
    let body = text.strip_suffix('\u{1a}').expect("DOS EOF byte");
    let mut out = String::new();
    let mut hits = 0;
    for line in body.split_inclusive("\r\n") {
        let id = line.split(',').next().unwrap_or("");
        match edits.iter().find(|(e, _)| *e == id) {
            Some((_, Some(new))) => {
                out.push_str(new);
                out.push_str("\r\n");
                hits += 1;
            }
            Some((_, None)) => hits += 1,
            None => out.push_str(line),
        }
    }
    assert_eq!(hits, edits.len(), "every edited id is in the file");
    for l in append {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push('\u{1a}');
    std::fs::write(&p, out).unwrap();
}

fn copy_set(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn prim_line(id: &str) -> String {
    let text = std::fs::read_to_string(data("cons-2025-12/cons_prim.csv")).unwrap();
    text.split("\r\n")
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap()
        .to_string()
}

#[test]
fn diff_of_a_test_pair_reports_exactly_the_edits() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    copy_set(&data("cons-2025-12"), &old);
    copy_set(&data("cons-2025-12"), &new);
    // Changed: SenseTime's effective date moves a day; removed: 9640; added: 99999.
    let sensetime = prim_line("33114").replace(
        "Effective Date (CMIC) 08 Feb 2022",
        "Effective Date (CMIC) 09 Feb 2022",
    );
    assert_ne!(sensetime, prim_line("33114"));
    let added = "99999,\"TEST NEW ENTITY LIMITED\",-0- ,\"CMIC-EO13959\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"ISIN KYG8061A1002; Effective Date (CMIC) 01 Mar 2026; Purchase/Sales For Divestment Date (CMIC) 01 Jan 2027; Listing Date (CMIC) 01 Jan 2026.\"";
    edit_prim(
        &new,
        &[("33114", Some(&sensetime)), ("9640", None)],
        &[added],
    );

    let xlsx = dir.path().join("diff.xlsx");
    let json = dir.path().join("diff.json");
    let r = run(&[
        "list",
        "diff",
        s(&old),
        s(&new),
        "--json",
        s(&json),
        "--output",
        s(&xlsx),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("NS-CMIC: 1 added, 0 removed, 1 changed."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Effective Date (CMIC): 2022-02-08 -> 2022-02-09"),
        "{}",
        r.stdout
    );

    let d: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let c = &d["counts"];
    assert_eq!(
        (
            c["added"].as_u64(),
            c["removed"].as_u64(),
            c["changed"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{}",
        r.stdout
    );
    assert_eq!(c["unchanged"], 440);
    assert_eq!(d["added"][0]["id"], "99999");
    assert_eq!(d["added"][0]["effective_date"], "2026-03-01");
    assert_eq!(d["removed"][0]["id"], "9640");
    let ch = &d["changed"][0];
    assert_eq!(ch["id"], "33114");
    let changes = ch["changes"].as_array().unwrap();
    // The remarks text changed too (same format on both sides, so it is compared).
    let fields: Vec<&str> = changes
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["effective-date", "remarks"]);
    assert_eq!(changes[0]["old"], "2022-02-08");
    assert_eq!(changes[0]["new"], "2022-02-09");

    // The workbook: one row per changed field on Changed.
    let mut wb = open_workbook_auto(&xlsx).expect("xlsx");
    let names = wb.sheet_names();
    assert_eq!(names, ["Summary", "Added", "Removed", "Changed"]);
    let changed = wb.worksheet_range("Changed").unwrap();
    let rows: Vec<Vec<String>> = changed
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "header + 2 field rows");
    assert_eq!(rows[1][0], "33114");
    assert_eq!(rows[1][3], "Effective Date (CMIC)");
    assert_eq!(rows[1][4], "2022-02-08");
    assert_eq!(rows[1][5], "2022-02-09");
    let added = wb.worksheet_range("Added").unwrap();
    assert_eq!(added.get((1, 0)), Some(&Data::String("99999".into())));

    // --cmic-only keeps the CMIC rows (both edits but 9640 are CMIC).
    let r = run(&[
        "list",
        "diff",
        s(&old),
        s(&new),
        "--cmic-only",
        "--json",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["cmic_only"], true);
    assert_eq!(d["removed"].as_array().unwrap().len(), 0);
    assert_eq!(d["added"].as_array().unwrap().len(), 1);
    assert_eq!(d["counts"]["removed"], 1);
}

#[test]
fn diff_with_an_unreadable_side_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&[
        "list",
        "diff",
        s(&dir.path().join("missing")),
        s(&data("cons-2025-12")),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("old list") && r.stderr.contains("missing"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------
// list update, against a local server

/// What the test server answers for a path.
#[derive(Clone)]
enum Reply {
    /// 200 with these bytes.
    Ok(Vec<u8>),
    /// This status, with a short body.
    Status(u16),
    /// 200 that declares the full length but sends only the first `n` bytes, then closes.
    Cut(Vec<u8>, usize),
}

/// Serve `routes` on 127.0.0.1 until the test ends; returns the base URL.
fn serve(routes: BTreeMap<String, Reply>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let _ = answer(stream, &routes);
            });
        }
    });
    format!("http://127.0.0.1:{port}/exports/")
}

fn answer(mut stream: TcpStream, routes: &BTreeMap<String, Reply>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let name = path.rsplit('/').next().unwrap_or("");
    let head = |status: &str, len: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {len}\r\nLast-Modified: Tue, 16 Dec 2025 14:00:00 GMT\r\nConnection: close\r\n\r\n"
        )
    };
    match routes.get(name) {
        Some(Reply::Ok(b)) => {
            stream.write_all(head("200 OK", b.len()).as_bytes())?;
            stream.write_all(b)?;
        }
        Some(Reply::Cut(b, n)) => {
            stream.write_all(head("200 OK", b.len()).as_bytes())?;
            stream.write_all(&b[..*n])?;
        }
        Some(Reply::Status(code)) => {
            let body = b"server error";
            stream.write_all(head(&format!("{code} Error"), body.len()).as_bytes())?;
            stream.write_all(body)?;
        }
        None => {
            let body = b"not found";
            stream.write_all(head("404 Not Found", body.len()).as_bytes())?;
            stream.write_all(body)?;
        }
    }
    stream.flush()?;
    // Drain anything left so the client sees a clean close.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 64];
    let _ = reader.read(&mut sink);
    Ok(())
}

/// The files of data/ofac/cons-2025-12 under the service's upper-case names.
fn good_routes() -> BTreeMap<String, Reply> {
    let mut m = BTreeMap::new();
    for (file, name) in [
        ("cons_prim.csv", "CONS_PRIM.CSV"),
        ("cons_alt.csv", "CONS_ALT.CSV"),
        ("cons_add.csv", "CONS_ADD.CSV"),
        ("cons_comments.csv", "CONS_COMMENTS.CSV"),
    ] {
        let bytes = std::fs::read(data("cons-2025-12").join(file)).unwrap();
        m.insert(name.to_string(), Reply::Ok(bytes));
    }
    m.insert(
        "CONSOLIDATED.XML".to_string(),
        Reply::Ok(std::fs::read(data("consolidated-2024-05-06.xml")).unwrap()),
    );
    m
}

fn update(dir: &Path, base: &str, extra: &[&str]) -> Run {
    let mut args = vec!["list", "update", "--dir", s(dir), "--base-url", base];
    args.extend_from_slice(extra);
    run(&args)
}

/// Every file in `dir`, with its bytes (sub-folders with none).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        m.insert(
            e.file_name().to_string_lossy().into_owned(),
            if e.path().is_dir() {
                Vec::new()
            } else {
                std::fs::read(e.path()).unwrap()
            },
        );
    }
    m
}

#[test]
fn update_fetches_a_set_that_works_as_a_list() {
    let base = serve(good_routes());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ofac");
    let r = update(&dir, &base, &["--xml"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("442 entries, 68 NS-CMIC"), "{}", r.stdout);
    let current = dir.join("current");
    let files = snapshot(&current);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "CONSOLIDATED.XML",
            "CONS_ADD.CSV",
            "CONS_ALT.CSV",
            "CONS_COMMENTS.CSV",
            "CONS_PRIM.CSV",
            "FETCHED.json"
        ]
    );
    assert_eq!(
        files["CONS_PRIM.CSV"],
        std::fs::read(data("cons-2025-12/cons_prim.csv")).unwrap()
    );
    let m: Value = serde_json::from_slice(&files["FETCHED.json"]).unwrap();
    assert_eq!(m["fetched_at"], "2026-11-18T11:06:40Z");
    assert_eq!(m["cmic_entries"], 68);
    let prim = &m["files"][0];
    assert_eq!(prim["name"], "CONS_PRIM.CSV");
    assert_eq!(prim["url"], format!("{base}CONS_PRIM.CSV"));
    assert_eq!(prim["bytes"], 238_635);
    assert!(
        prim["sha256"]
            .as_str()
            .unwrap()
            .starts_with("7027f6656b7815e3")
    );
    assert_eq!(prim["last_modified"], "Tue, 16 Dec 2025 14:00:00 GMT");
    // Nothing else is left in DIR.
    assert_eq!(snapshot(&dir).keys().collect::<Vec<_>>(), ["current"]);

    // The folder works as --list; the CSV set is dated by Last-Modified.
    let r = run(&["list", "info", "--list", s(&current), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let info: Value = serde_json::from_str(&r.stdout).unwrap();
    let csv = info
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "csv-set")
        .expect("CSV set");
    assert_eq!(csv["cmic_entries"], 68);
    assert_eq!(csv["date"], "2025-12-16");

    // A second update with the same files: unchanged, no `previous` kept.
    let r = update(&dir, &base, &["--xml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Unchanged since the previous fetch"),
        "{}",
        r.stdout
    );
    assert_eq!(snapshot(&dir).keys().collect::<Vec<_>>(), ["current"]);
}

/// Fetch a good copy, then run a failing update: exit 2 and the copy survives byte for byte.
fn failing_update_keeps_the_copy(bad: &str, reply: Reply, expect_in_error: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ofac");
    let good = serve(good_routes());
    let r = update(&dir, &good, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = snapshot(&dir.join("current"));

    let mut routes = good_routes();
    routes.insert(bad.to_string(), reply);
    let base = serve(routes);
    let r = update(&dir, &base, &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(expect_in_error),
        "{expect_in_error:?} not in {}",
        r.stderr
    );
    assert!(r.stderr.contains("not updated"), "{}", r.stderr);
    assert_eq!(
        snapshot(&dir.join("current")),
        before,
        "the good copy survives"
    );
    assert_eq!(
        snapshot(&dir).keys().collect::<Vec<_>>(),
        ["current"],
        "no download folder left behind"
    );
}

#[test]
fn update_server_error_half_way_keeps_the_old_copy() {
    failing_update_keeps_the_copy("CONS_ADD.CSV", Reply::Status(500), "HTTP 500");
}

#[test]
fn update_connection_drop_keeps_the_old_copy() {
    let prim = std::fs::read(data("cons-2025-12/cons_prim.csv")).unwrap();
    failing_update_keeps_the_copy("CONS_PRIM.CSV", Reply::Cut(prim, 100_000), "CONS_PRIM.CSV");
}

#[test]
fn update_truncated_file_is_refused() {
    // Served whole (correct Content-Length) but cut mid-line at the source.
    let prim = std::fs::read(data("cons-2025-12/cons_prim.csv")).unwrap();
    failing_update_keeps_the_copy(
        "CONS_PRIM.CSV",
        Reply::Ok(prim[..120_000].to_vec()),
        "cut short",
    );
}

#[test]
fn update_garbage_is_refused() {
    let page = b"<html><body>Service temporarily unavailable</body></html>\r\n".to_vec();
    failing_update_keeps_the_copy("CONS_PRIM.CSV", Reply::Ok(page), "refused");
}

#[test]
fn update_without_a_previous_copy_leaves_nothing_on_failure() {
    let mut routes = good_routes();
    routes.insert("CONS_COMMENTS.CSV".into(), Reply::Status(503));
    let base = serve(routes);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ofac");
    let r = update(&dir, &base, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CONS_COMMENTS.CSV"), "{}", r.stderr);
    assert!(!dir.join("current").exists());
}

#[test]
fn update_keeps_the_replaced_copy_as_previous_when_the_list_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ofac");
    let r = update(&dir, &serve(good_routes()), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let mut routes = good_routes();
    let mut prim = std::fs::read(data("cons-2025-12/cons_prim.csv")).unwrap();
    let eof = prim.pop();
    assert_eq!(eof, Some(0x1a));
    prim.extend_from_slice(b"99998,\"ANOTHER TEST ENTITY\",-0- ,\"NS-PLC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a");
    routes.insert("CONS_PRIM.CSV".into(), Reply::Ok(prim));
    let r = update(&dir, &serve(routes), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("443 entries"), "{}", r.stdout);
    assert_eq!(
        snapshot(&dir).keys().collect::<Vec<_>>(),
        ["current", "previous"]
    );
    let r = run(&[
        "list",
        "diff",
        s(&dir.join("previous")),
        s(&dir.join("current")),
        "--json",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["counts"]["added"], 1);
    assert_eq!(d["added"][0]["id"], "99998");
}
