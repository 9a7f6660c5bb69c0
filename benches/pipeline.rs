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

    /// The consolidated (non-SDN) CSV set, 2025-12 (442 entries).
    #[divan::bench(sample_count = 20)]
    fn consolidated_csv_set(bencher: Bencher) {
        let n = entries(&load(&["cons-2025-12"]));
        bencher
            .counter(ItemsCount::new(n))
            .bench(|| load(&["cons-2025-12"]));
    }

    /// The SDN CSV set, 2024-05-03 (about 17,000 entries, 3.9 MB with a.k.a.s and addresses).
    #[divan::bench(sample_count = 20)]
    fn sdn_csv_set(bencher: Bencher) {
        let n = entries(&load(&["sdn-2024-05-03"]));
        bencher
            .counter(ItemsCount::new(n))
            .bench(|| load(&["sdn-2024-05-03"]));
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
