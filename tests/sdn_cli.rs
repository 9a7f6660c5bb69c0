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

/// The JSON document without the command line (which names the cache folder).
fn without_command_line(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("command_line");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn screen_with(book: &Path, extra: &[&std::ffi::OsStr]) -> Value {
    screen_lists(book, &["cons-2025-12", "sdn-2024-05-03"], extra)
}

fn screen_lists(book: &Path, lists: &[&str], extra: &[&std::ffi::OsStr]) -> Value {
    let mut cmd = Command::cargo_bin("holdscreen").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1795000000")
        .env_remove("HOLDSCREEN_CACHE_DIR")
        .arg("screen")
        .arg(book);
    for l in lists {
        cmd.arg("--list").arg(data(l));
    }
    let out = cmd
        .args(["--no-report", "--json", "-", "-q"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    without_command_line(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_list_cache_changes_nothing_but_time() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.csv");
    std::fs::write(
        &book,
        "Security,ISIN,Ticker,Quantity\n\
         Sberbank of Russia PJSC,,,1000\n\
         Sberbnak of Russia,,,10\n\
         VTB Bank PJSC,RU000A0JP5V6,,5000\n\
         China Mobile Ltd,HK0941009539,941 HK,100\n\
         Ilyushin ordinary shares,RU0007796926,,50\n\
         Apple Inc,US0378331005,AAPL US,10\n",
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let with_cache = [std::ffi::OsStr::new("--cache-dir"), cache.as_os_str()];
    let fresh = screen_with(&book, &[std::ffi::OsStr::new("--no-cache")]);
    assert!(!cache.exists());

    // First run: parses, indexes and writes the cache.
    assert_eq!(screen_with(&book, &with_cache), fresh);
    let files = |prefix: &str| {
        std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .map(|e| e.path())
            .collect::<Vec<_>>()
    };
    assert_eq!(files("parsed-").len(), 1, "the SDN set is cached");
    assert_eq!(files("index-").len(), 1, "the CMIC+SDN index is cached");
    // Second run: reads it; same document.
    assert_eq!(screen_with(&book, &with_cache), fresh);
    // A damaged cache is ignored and rewritten, never trusted.
    for f in files("") {
        std::fs::write(&f, b"HSCACHE1 damaged").unwrap();
    }
    assert_eq!(screen_with(&book, &with_cache), fresh);
    assert_eq!(screen_with(&book, &with_cache), fresh);

    // The document counts every entry of the set, even those screening does not keep.
    let snaps = fresh["list"]["snapshots"].as_array().unwrap();
    let sdn = snaps.iter().find(|s| s["kind"] == "sdn").unwrap();
    assert_eq!(sdn["entries"], 14965);
    assert_eq!(sdn["files"][0]["records"], 14965);
    let statuses: Vec<&str> = fresh["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "blocked",
            "blocked",
            "blocked",
            "prohibited",
            "blocked",
            "clear"
        ]
    );
}

#[test]
fn versions_in_force_are_the_same_through_the_cache() {
    // The 2024-05-06 XML (cached: it is large) and the 2025-12 CSV set (parsed every run),
    // screened on a date when the XML was in force.
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.csv");
    std::fs::write(
        &book,
        "Security,ISIN,Quantity\n\
         China Mobile Ltd,HK0941009539,100\n\
         Hikvision,CNE100000PM8,10\n\
         Apple Inc,US0378331005,10\n",
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let lists = ["consolidated-2024-05-06.xml", "cons-2025-12"];
    let as_of = [
        std::ffi::OsStr::new("--as-of"),
        std::ffi::OsStr::new("2024-06-30"),
    ];
    let fresh = screen_lists(&book, &lists, &[as_of[0], as_of[1], "--no-cache".as_ref()]);
    let cached = [
        as_of[0],
        as_of[1],
        "--cache-dir".as_ref(),
        cache.as_os_str(),
    ];
    assert_eq!(screen_lists(&book, &lists, &cached), fresh);
    assert_eq!(screen_lists(&book, &lists, &cached), fresh);
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        1,
        "the XML parse only"
    );
    assert!(
        fresh["list"]["in_force"]
            .as_str()
            .unwrap()
            .contains("2024-05-06")
    );
}
