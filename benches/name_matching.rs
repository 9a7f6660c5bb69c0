//! Name matching throughput: 100,000 distinct holding names resolved in parallel against
//! the name index of the embedded NS-CMIC list (what `screen` matches by default) and of
//! every SDN entity entry with its a.k.a.s (the largest list a run can load).
//!
//! `cargo bench --bench name_matching` prints the time per batch; divan's item counter
//! turns it into names per second.

use std::path::Path;

use divan::{Bencher, counter::ItemsCount};
use holdscreen::index::ListIndex;
use holdscreen::list::embedded::embedded_list_ref;
use holdscreen::list::{PartyType, load_paths};
use rayon::prelude::*;

/// The allocator of the holdscreen binary, so that figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const HOLDINGS: usize = 100_000;

/// Vendor-style company names, deterministic: a tenth are SDN names with vendor tails,
/// the rest made of common company-name words.
fn holding_names(sdn_names: &[String]) -> Vec<String> {
    const WORDS: &[&str] = &[
        "China",
        "Global",
        "Pacific",
        "Holdings",
        "Energy",
        "Bank",
        "Capital",
        "Steel",
        "Shipping",
        "Telecom",
        "Mobile",
        "Electric",
        "Power",
        "Resources",
        "Mining",
        "Pharma",
        "Logistics",
        "Semiconductor",
        "Software",
        "Motors",
        "Aviation",
        "Marine",
        "Trust",
        "Insurance",
        "Realty",
        "Foods",
        "Chemical",
        "Petroleum",
        "Gas",
        "Systems",
        "Networks",
        "Apex",
        "Zenith",
        "Orion",
        "Lotus",
        "Dragon",
        "Phoenix",
        "Harbor",
        "Summit",
        "Vertex",
    ];
    const TAILS: &[&str] = &[
        "Ltd",
        "Co Ltd-A",
        "Corp",
        "Inc",
        "PLC",
        "Group Ltd-H",
        "AG",
        "SA",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..HOLDINGS)
        .map(|i| {
            let r = next();
            if i % 10 == 0 && !sdn_names.is_empty() {
                let n = &sdn_names[(r as usize) % sdn_names.len()];
                format!("{n} {}", TAILS[(r >> 32) as usize % TAILS.len()])
            } else {
                let w = |k: u64| WORDS[((r >> k) as usize) % WORDS.len()];
                format!(
                    "{} {} {} {}",
                    w(0),
                    w(8),
                    w(16),
                    TAILS[(r >> 24) as usize % TAILS.len()]
                )
            }
        })
        .collect()
}

/// Resolves every name once against `index`, counting names per second.
fn bench_names(bencher: Bencher, index: &ListIndex, names: &[String]) {
    bencher.counter(ItemsCount::new(names.len())).bench(|| {
        names
            .par_iter()
            .filter(|n| index.best_name(n).is_some())
            .count()
    });
}

/// The 68 NS-CMIC entries of the embedded list, a tenth of the names theirs.
#[divan::bench(sample_count = 5)]
fn resolve_100k_names_against_cmic(bencher: Bencher) {
    let list = embedded_list_ref();
    let listed: Vec<String> = list
        .snapshots
        .iter()
        .flat_map(|s| s.entries.iter())
        .map(|e| e.name.clone())
        .collect();
    let index = ListIndex::build(list);
    bench_names(bencher, &index, &holding_names(&listed));
}

/// The 6,884 entities of the 2024-05-03 SDN CSV set with their a.k.a.s, a tenth of the
/// names theirs.
#[divan::bench(sample_count = 5)]
fn resolve_100k_names_against_sdn(bencher: Bencher) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ofac/sdn-2024-05-03");
    let list = load_paths(&[dir]).expect("SDN CSV set in data/ofac/sdn-2024-05-03");
    let entries: Vec<_> = list
        .snapshots
        .iter()
        .flat_map(|s| s.entries.iter())
        .filter(|e| e.party_type == PartyType::Entity)
        .cloned()
        .collect();
    let sdn_names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let index = ListIndex::from_entries(&entries);
    bench_names(bencher, &index, &holding_names(&sdn_names));
}
