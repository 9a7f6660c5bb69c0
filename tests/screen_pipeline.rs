//! The streaming pipeline of a run: rows screened in batches while files are read, in
//! input order whatever the number of reader and worker threads, and a report that keeps
//! only the positions needing attention says the same as one that keeps them all.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use holdscreen::holdings::ReadOptions;
use holdscreen::list::embedded::embedded_list_ref;
use holdscreen::report::{ScreenReport, Status};
use holdscreen::resolve::Thresholds;
use holdscreen::screen::{Keep, Mode, NoProgress, ScreenOptions, screen};

fn options(inputs: Vec<PathBuf>, keep: Keep, threads: usize) -> ScreenOptions {
    ScreenOptions {
        inputs,
        as_of: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
        today: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
        run_at: Utc.timestamp_opt(1_795_000_000, 0).unwrap(),
        read: ReadOptions::default(),
        thresholds: Thresholds::default(),
        max_list_age_days: 100_000,
        command_line: vec![],
        threads,
        exceptions: None,
        mode: Mode::Holdings,
        constituents: vec![],
        cache: None,
        keep,
    }
}

/// A CSV book of `rows` rows: every 97th row China Mobile (listed), every 89th a row with
/// nothing to screen, the rest Apple.
fn book(path: &Path, rows: usize) {
    let mut text = String::from("Account,Security,ISIN,Quantity,Market Value,Currency\n");
    for i in 0..rows {
        let line = if i % 97 == 0 {
            format!("A{},China Mobile Ltd,HK0941009539,{i},{i}.5,HKD\n", i % 7)
        } else if i % 89 == 0 {
            format!("A{},,,{i},1,USD\n", i % 7)
        } else {
            format!("A{},Apple Inc,US0378331005,{i},2.25,USD\n", i % 7)
        };
        text.push_str(&line);
    }
    std::fs::write(path, text).unwrap();
}

fn run(inputs: Vec<PathBuf>, keep: Keep, threads: usize) -> ScreenReport {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        screen(
            embedded_list_ref(),
            &options(inputs, keep, threads),
            &NoProgress,
        )
    })
    .expect("screen")
}

#[test]
fn batches_keep_input_order_across_files_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    // Three files, two of them over several batches.
    let sizes = [20_000usize, 3, 17_001];
    let files: Vec<PathBuf> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let p = dir.path().join(format!("book{i}.csv"));
            book(&p, n);
            p
        })
        .collect();
    let one = run(files.clone(), Keep::All, 1);
    let two = run(files.clone(), Keep::All, 2);
    assert_eq!(one.positions, two.positions);
    assert_eq!(one.positions.len(), sizes.iter().sum::<usize>());
    // Files in the order given, rows in file order (line 2 is the first data row).
    let mut expected = Vec::new();
    for (f, &n) in files.iter().zip(&sizes) {
        for line in 2..n as u32 + 2 {
            expected.push((f.display().to_string(), line));
        }
    }
    let got: Vec<(String, u32)> = one
        .positions
        .iter()
        .map(|p| (p.file.clone(), p.row))
        .collect();
    assert_eq!(got, expected);
    let prohibited = sizes.iter().map(|n| n.div_ceil(97)).sum::<usize>();
    assert_eq!(one.count(Status::Prohibited), prohibited);
    assert_eq!(one.summary.by_file.len(), 3);
    assert_eq!(one.summary.by_file[2].positions, 17_001);
}

#[test]
fn keeping_only_what_needs_attention_changes_no_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("book.csv");
    book(&p, 30_000);
    let mut inputs = vec![p];
    inputs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/holdings"));
    let all = run(inputs.clone(), Keep::All, 2);
    let some = run(inputs, Keep::Attention, 2);
    let attention: Vec<_> = all
        .positions
        .iter()
        .filter(|p| p.status != Status::Clear)
        .cloned()
        .collect();
    assert!(!attention.is_empty());
    assert_eq!(some.positions, attention);
    assert_eq!(
        serde_json::to_value(&some.summary).unwrap(),
        serde_json::to_value(&all.summary).unwrap()
    );
    assert_eq!(all.summary.positions, all.positions.len());
    assert_eq!(some.warnings, all.warnings);
    assert_eq!(
        serde_json::to_value(&some.inputs).unwrap(),
        serde_json::to_value(&all.inputs).unwrap()
    );
}
