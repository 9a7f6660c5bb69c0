//! The parts of a run, one bench each: parsing the official list files, building the
//! immutable index, and resolving rows (identifiers, names).
//!
//! `cargo bench --bench pipeline`; divan's counters print entries, rows or names per second.

use std::path::{Path, PathBuf};

use divan::{Bencher, black_box, counter::ItemsCount};
use holdscreen::index::ListIndex;
use holdscreen::list::{SanctionsList, load_paths};

/// The allocator of the holdscreen binary, so that figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(dir)
}

fn load(dirs: &[&str]) -> SanctionsList {
    let paths: Vec<PathBuf> = dirs.iter().map(|d| data(d)).collect();
    load_paths(&paths).expect("list files under data/ofac")
}

fn entries(list: &SanctionsList) -> usize {
    list.snapshots.iter().map(|s| s.entries.len()).sum()
}

mod parse {
    use super::*;

    /// The consolidated (non-SDN) CSV set of 2025-12 (442 entries) and the SDN CSV set of
    /// 2024-05-03 (about 15,000 entries, 3.9 MB with a.k.a.s and addresses).
    #[divan::bench(args = ["cons-2025-12", "sdn-2024-05-03"], sample_count = 20)]
    fn csv_set(bencher: Bencher, dir: &str) {
        let n = entries(&load(&[dir]));
        bencher.counter(ItemsCount::new(n)).bench(|| load(&[dir]));
    }

    /// The consolidated classic XML, 2024-05-06.
    #[divan::bench(sample_count = 20)]
    fn consolidated_xml(bencher: Bencher) {
        bencher.bench(|| load(&["consolidated-2024-05-06.xml"]));
    }
}

mod index {
    use super::*;

    /// The NS-CMIC entries of the consolidated list.
    #[divan::bench(sample_count = 20)]
    fn cmic(bencher: Bencher) {
        let list = load(&["cons-2025-12"]);
        bencher.bench(|| ListIndex::build(black_box(&list)));
    }

    /// NS-CMIC plus every SDN entity with its a.k.a.s.
    #[divan::bench(sample_count = 20)]
    fn cmic_and_sdn(bencher: Bencher) {
        let list = load(&["cons-2025-12", "sdn-2024-05-03"]);
        bencher.bench(|| ListIndex::build(black_box(&list)));
    }
}

mod resolve {
    use super::*;
    use holdscreen::holdings::HoldingRow;
    use holdscreen::resolve::{NameCache, Thresholds, resolve_row};
    use rayon::prelude::*;

    const ROWS: usize = 1_000_000;

    /// Rows with identifiers only (ISIN, CUSIP, vendor ticker), one in 250 listed.
    fn identifier_rows(list: &SanctionsList) -> Vec<HoldingRow> {
        let listed: Vec<(String, String)> = list.snapshots[0]
            .cmic_entries()
            .filter_map(|e| {
                let c = e.cmic.as_ref()?;
                Some((
                    c.isins.first()?.value.clone(),
                    c.tickers.first()?.raw.clone(),
                ))
            })
            .collect();
        (0..ROWS)
            .map(|i| {
                let mut row = HoldingRow {
                    row: i as u32 + 2,
                    ..HoldingRow::default()
                };
                if i % 250 == 0 {
                    let (isin, ticker) = &listed[i / 250 % listed.len()];
                    row.isin = Some(isin.clone());
                    row.ticker = Some(ticker.clone());
                } else if i % 100 == 1 {
                    // A mistyped ISIN now and then (checked against every listed ISIN).
                    row.isin = Some(format!("US{:09}{}", 100_000_000 + i % 40_000, i % 10));
                } else {
                    row.isin = Some(valid_isin(&format!("US{:09}", 100_000_000 + i % 40_000)));
                    row.ticker = Some(format!("T{} US Equity", i % 40_000));
                    if i % 3 == 0 {
                        row.cusip = Some(format!("{:09}", 100_000_000 + i % 40_000));
                    }
                }
                row
            })
            .collect()
    }

    fn valid_isin(body: &str) -> String {
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|i| holdscreen::ident::check_isin(i).is_valid())
            .unwrap_or_else(|| format!("{body}0"))
    }

    /// Identifier resolution per row, in parallel, against the NS-CMIC index.
    #[divan::bench(sample_count = 5)]
    fn identifiers_per_row(bencher: Bencher) {
        let list = load(&["cons-2025-12"]);
        let index = ListIndex::build(&list);
        let rows = identifier_rows(&list);
        let names = NameCache::default();
        let th = Thresholds::default();
        bencher.counter(ItemsCount::new(rows.len())).bench(|| {
            rows.par_iter()
                .with_min_len(4096)
                .filter(|r| resolve_row(&index, &r.ids(), &names, &th).hit.is_some())
                .count()
        });
    }
}
