//! The immutable lookup index over the list's NS-CMIC entries, built once per run and
//! shared by every worker thread.
//!
//! Identifiers are hash lookups. Names are found through an inverted index of distinctive
//! tokens (with a one-edit deletion neighbourhood for typos) and of "core" keys (the name
//! without place words), so a holding's name is compared only with the few list names that
//! share a word with it, never with the whole list.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::{Deserialize, Serialize};

use crate::cache::{Chunked, ListCache};
use crate::ident::check_isin;
use crate::ident::ticker::parse_list_ticker;
use crate::ident::{IdCheck, Market, TickerKey, cusip_from_isin, normalise_id, ticker::bare_code};
use crate::list::{Entry, ListKind, ListSnapshot, ListedIsin, ListedTicker, SanctionsList};
use crate::names::{self, NameComparison, NormName};
use crate::report::Basis;

/// Index of an entry in [`ListIndex::entries`].
pub type EntryId = usize;

/// One list name (primary name, a.k.a. or CMIC Issuer Name) of an entry.
#[derive(Debug, Clone)]
pub struct IndexedName<'l> {
    pub entry: EntryId,
    pub basis: Basis,
    /// As the list writes it.
    pub raw: &'l str,
    pub norm: NormName,
    /// Position of `raw` in [`names_of`] of the entry (how a cached index finds it again).
    ordinal: u32,
    /// A one-word alias of four letters or fewer (`SMIC`, `CSC`): such aliases collide with
    /// other companies' names, so they never decide alone.
    pub short_alias: bool,
    /// Number of distinctive tokens, total weight and weight of the non-distinctive tokens:
    /// bounds for candidate pruning.
    distinctive: usize,
    weight: f64,
    soft_weight: f64,
}

/// List names whose best possible score is below this are not compared at all. Far below
/// any threshold in use (review 0.80), so pruning never changes a verdict.
pub const NAME_PRUNE_BELOW: f64 = 0.5;

/// Weights of a normalised name: (distinctive tokens, total weight, non-distinctive weight).
fn name_weights(norm: &NormName) -> (usize, f64, f64) {
    let mut distinctive = 0;
    let mut soft = 0.0;
    let mut total = 0.0;
    for t in &norm.tokens {
        let w = names::token_weight(t);
        total += w;
        if names::is_generic(t) {
            soft += w;
        } else {
            distinctive += 1;
        }
    }
    (distinctive, total, soft)
}

/// The best list name for a holding's name.
#[derive(Debug, Clone)]
pub struct NameMatch {
    pub name: usize,
    pub comparison: NameComparison,
    /// Other entries that have a name scoring exactly as well (the list gives some names
    /// to two entries, e.g. an a.k.a. of a parent).
    pub tied_entries: Vec<EntryId>,
}

/// Immutable index over the NS-CMIC entries (and SDN entities) of a list, borrowing the
/// entries of the list it was built from.
#[derive(Debug, Default)]
pub struct ListIndex<'l> {
    entries: Vec<&'l Entry>,
    isin: FxHashMap<String, Vec<EntryId>>,
    cusip: FxHashMap<String, Vec<EntryId>>,
    ticker: FxHashMap<String, Vec<(Market, EntryId, String)>>,
    bare: FxHashMap<String, Vec<(EntryId, TickerKey)>>,
    names: Vec<IndexedName<'l>>,
    /// Distinctive token (and its one-deletion variants) -> names.
    postings: Postings,
    /// Name without place words -> names.
    core: Postings,
    /// Every listed ISIN, for near-miss checks of mistyped ISINs.
    listed_isins: Vec<(String, EntryId)>,
}

/// Calls `f` with the token minus one character, for every character (on char boundaries:
/// names may hold any script), reusing one buffer.
fn for_each_deletion(token: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    for (i, c) in token.char_indices() {
        buf.clear();
        buf.push_str(&token[..i]);
        buf.push_str(&token[i + c.len_utf8()..]);
        f(buf);
    }
}

/// Tokens shorter than this get no deletion variants (too many short words are one edit
/// apart).
const TYPO_MIN_LEN: usize = 6;

/// The 64-bit key of a posting text. Postings are keyed by hash so that building the index
/// allocates no string per key; a collision only adds a candidate, which is then scored
/// like any other, so it can never change a verdict.
fn key_of(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

/// Keys -> name numbers, stored as one array of names sorted by key with a map from key to
/// its run: built by one parallel sort instead of a vector per key.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Postings {
    names: Vec<u32>,
    runs: FxHashMap<u64, (u32, u32)>,
}

impl Postings {
    fn from_pairs(mut pairs: Vec<(u64, u32)>) -> Postings {
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut runs: FxHashMap<u64, (u32, u32)> =
            FxHashMap::with_capacity_and_hasher(pairs.len() / 2, FxBuildHasher);
        let mut start = 0;
        while start < pairs.len() {
            let key = pairs[start].0;
            let len = pairs[start..].iter().take_while(|p| p.0 == key).count();
            runs.insert(key, (start as u32, len as u32));
            start += len;
        }
        Postings {
            names: pairs.into_iter().map(|p| p.1).collect(),
            runs,
        }
    }

    fn get(&self, text: &str) -> &[u32] {
        match self.runs.get(&key_of(text)) {
            Some(&(start, len)) => &self.names[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    fn contains(&self, text: &str) -> bool {
        self.runs.contains_key(&key_of(text))
    }
}

/// Indexes over fewer entries than this are built every run (the NS-CMIC list alone
/// indexes in under a millisecond); larger ones (with the SDN list) go through the cache.
const MIN_CACHED_ENTRIES: usize = 1000;

/// The entries an index covers: NS-CMIC entries of the consolidated list and the entities
/// (not individuals, vessels or aircraft, which issue no securities) of an SDN list, in a
/// fixed order. When several snapshots hold the same entry id, the last one given wins.
fn select<'l>(snapshots: impl IntoIterator<Item = &'l ListSnapshot>) -> Vec<&'l Entry> {
    // (kind, id, snapshot number, entry): sorted, then the last snapshot's of each id kept.
    let mut all: Vec<(u8, &str, usize, &Entry)> = Vec::new();
    for (n, snap) in snapshots.into_iter().enumerate() {
        all.extend(
            snap.entries
                .iter()
                .filter(|e| e.can_match_security())
                .map(|e| {
                    let kind = match e.list_kind {
                        ListKind::Consolidated => 0,
                        ListKind::Sdn => 1,
                    };
                    (kind, e.id.as_str(), n, e)
                }),
        );
    }
    all.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut out: Vec<&Entry> = Vec::with_capacity(all.len());
    for (i, &(kind, id, _, e)) in all.iter().enumerate() {
        let next_same = all.get(i + 1).is_some_and(|n| n.0 == kind && n.1 == id);
        if !next_same {
            out.push(e);
        }
    }
    out
}

/// The names an entry is found by, in a fixed order: its name, its aliases, and the CMIC
/// Issuer Names.
fn names_of(e: &Entry) -> impl Iterator<Item = (Basis, &str)> {
    std::iter::once((Basis::Name, e.name.as_str()))
        .chain(e.aliases.iter().map(|a| (Basis::Alias, a.name.as_str())))
        .chain(e.cmic.iter().flat_map(|c| {
            c.issuer_names
                .iter()
                .map(|n| (Basis::IssuerName, n.as_str()))
        }))
}

/// A digest of the entries an index covers, in order (kind, id, names and identifiers),
/// checked when a cached index is read.
fn entries_digest(entries: &[&Entry]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for e in entries {
        std::hash::Hash::hash(&(e.list_kind as u8, &e.id, &e.name), &mut h);
        for a in &e.aliases {
            std::hash::Hash::hash(&a.name, &mut h);
        }
        for i in &e.identifiers {
            std::hash::Hash::hash(&(&i.label, &i.value), &mut h);
        }
    }
    std::hash::Hasher::finish(&h)
}

/// A cached index name: [`IndexedName`] without the borrowed text.
#[derive(Debug, Serialize, Deserialize)]
struct CachedName {
    entry: u32,
    ordinal: u32,
    basis: Basis,
    norm: NormName,
    short_alias: bool,
    distinctive: u32,
    weight: f64,
    soft_weight: f64,
}

/// What the list cache keeps of an index.
#[derive(Debug, Serialize, Deserialize)]
struct CachedIndex {
    entries_digest: u64,
    isin: FxHashMap<String, Vec<EntryId>>,
    cusip: FxHashMap<String, Vec<EntryId>>,
    ticker: FxHashMap<String, Vec<(Market, EntryId, String)>>,
    bare: FxHashMap<String, Vec<(EntryId, TickerKey)>>,
    names: Chunked<CachedName>,
    postings: Postings,
    core: Postings,
    listed_isins: Vec<(String, EntryId)>,
}

/// The name without place words and GROUP: names equal on this key differ only in words
/// that do not change the company (see `names::compare`).
fn core_key(norm: &NormName) -> String {
    norm.tokens
        .iter()
        .filter(|t| !names::is_place(t) && t.as_str() != "GROUP")
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

impl<'l> ListIndex<'l> {
    /// Build the index over the NS-CMIC entries of every snapshot. When several snapshots
    /// hold the same entry id, the last snapshot given wins.
    pub fn build(list: &'l SanctionsList) -> ListIndex<'l> {
        Self::build_from(list.snapshots.iter())
    }

    /// Build the index over some snapshots (the versions in force on a date).
    pub fn build_from(snapshots: impl IntoIterator<Item = &'l ListSnapshot>) -> ListIndex<'l> {
        Self::from_refs(select(snapshots))
    }

    /// [`ListIndex::build_from`] through the list cache: an index over the same source
    /// files (by SHA-256), built by the same program, is read instead of built. Small
    /// indexes (the NS-CMIC list alone) are built every time: faster than reading a file.
    pub fn build_cached(
        snapshots: &[&'l ListSnapshot],
        cache: Option<&ListCache>,
    ) -> ListIndex<'l> {
        let entries = select(snapshots.iter().copied());
        let cache = match cache {
            Some(c) if entries.len() >= MIN_CACHED_ENTRIES => c,
            _ => return Self::from_refs(entries),
        };
        let parts: Vec<String> = snapshots
            .iter()
            .map(|s| {
                let files: Vec<String> = s
                    .files
                    .iter()
                    .map(|f| format!("{}={}", f.role, f.sha256))
                    .collect();
                format!("{:?}:{:?}:{}", s.kind, s.format, files.join(","))
            })
            .collect();
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let key = ListCache::key("index", &refs);
        let digest = entries_digest(&entries);
        if let Some(c) = cache.load::<CachedIndex>("index", &key)
            && c.entries_digest == digest
            && let Some(ix) = Self::from_cached(entries.clone(), c)
        {
            return ix;
        }
        let ix = Self::from_refs(entries);
        let _ = cache.store("index", &key, &ix.to_cached(digest));
        ix
    }

    /// What the cache keeps: everything but the borrowed entries and names.
    fn to_cached(&self, entries_digest: u64) -> CachedIndex {
        CachedIndex {
            entries_digest,
            isin: self.isin.clone(),
            cusip: self.cusip.clone(),
            ticker: self.ticker.clone(),
            bare: self.bare.clone(),
            names: Chunked(
                self.names
                    .iter()
                    .map(|n| CachedName {
                        entry: n.entry as u32,
                        ordinal: n.ordinal,
                        basis: n.basis,
                        norm: n.norm.clone(),
                        short_alias: n.short_alias,
                        distinctive: n.distinctive as u32,
                        weight: n.weight,
                        soft_weight: n.soft_weight,
                    })
                    .collect(),
            ),
            postings: Postings {
                names: self.postings.names.clone(),
                runs: self.postings.runs.clone(),
            },
            core: Postings {
                names: self.core.names.clone(),
                runs: self.core.runs.clone(),
            },
            listed_isins: self.listed_isins.clone(),
        }
    }

    /// The index again from what the cache kept and the same entries; None when the two
    /// do not fit together (then the index is built).
    fn from_cached(entries: Vec<&'l Entry>, c: CachedIndex) -> Option<ListIndex<'l>> {
        let mut names = Vec::with_capacity(c.names.0.len());
        for n in c.names.0 {
            let entry = n.entry as usize;
            let (basis, raw) = names_of(entries.get(entry)?).nth(n.ordinal as usize)?;
            if basis != n.basis {
                return None;
            }
            names.push(IndexedName {
                entry,
                basis,
                raw,
                norm: n.norm,
                ordinal: n.ordinal,
                short_alias: n.short_alias,
                distinctive: n.distinctive as usize,
                weight: n.weight,
                soft_weight: n.soft_weight,
            });
        }
        Some(ListIndex {
            entries,
            isin: c.isin,
            cusip: c.cusip,
            ticker: c.ticker,
            bare: c.bare,
            names,
            postings: c.postings,
            core: c.core,
            listed_isins: c.listed_isins,
        })
    }

    /// Build the index over given entries (all treated as NS-CMIC entries).
    pub fn from_entries(entries: &'l [Entry]) -> ListIndex<'l> {
        Self::from_refs(entries.iter().collect())
    }

    fn from_refs(entries: Vec<&'l Entry>) -> ListIndex<'l> {
        let mut ix = ListIndex {
            entries,
            ..ListIndex::default()
        };
        // Normalising names is the costly part and independent per entry: in parallel.
        let normalised: Vec<Vec<(Basis, &'l str, NormName)>> = ix
            .entries
            .par_iter()
            .map(|&e| {
                names_of(e)
                    .map(|(b, raw)| (b, raw, names::normalise(raw)))
                    .collect()
            })
            .collect();
        for ((id, &e), names_of_entry) in ix.entries.iter().enumerate().zip(normalised) {
            // Typed CMIC data, or for other entries (SDN) the ISINs and equity tickers that
            // OFAC writes in their remarks.
            let (isins, tickers): (Vec<ListedIsin>, Vec<ListedTicker>) = match &e.cmic {
                Some(c) => (c.isins.clone(), c.tickers.clone()),
                None => (
                    e.identifiers
                        .iter()
                        .filter(|i| i.label.eq_ignore_ascii_case("ISIN"))
                        .map(|i| ListedIsin {
                            value: i.value.clone(),
                            check: check_isin(&normalise_id(&i.value)),
                        })
                        .collect(),
                    e.identifiers
                        .iter()
                        .filter(|i| i.label.eq_ignore_ascii_case("Equity Ticker"))
                        .map(|i| ListedTicker {
                            raw: i.value.clone(),
                            key: parse_list_ticker(&i.value),
                        })
                        .collect(),
                ),
            };
            {
                for isin in &isins {
                    let v = normalise_id(&isin.value);
                    push_unique(ix.isin.entry(v.clone()).or_default(), id);
                    if isin.check == IdCheck::Valid
                        && let Some(cusip) = cusip_from_isin(&v)
                    {
                        push_unique(ix.cusip.entry(cusip.to_string()).or_default(), id);
                    }
                    ix.listed_isins.push((v, id));
                }
                for t in &tickers {
                    if let Some(k) = &t.key {
                        // Keyed by the code alone, so that a row's code is looked up
                        // without making a key; the market is compared in the list.
                        let list = ix.ticker.entry(k.code.clone()).or_default();
                        if !list.iter().any(|(m, eid, _)| *m == k.market && *eid == id) {
                            list.push((k.market, id, t.raw.clone()));
                        }
                        let bare = ix.bare.entry(bare_code(&k.code)).or_default();
                        if !bare.iter().any(|(eid, key)| *eid == id && key == k) {
                            bare.push((id, k.clone()));
                        }
                    }
                }
            }
            let mut seen: HashSet<String> = HashSet::new();
            for (ordinal, (basis, raw, norm)) in names_of_entry.into_iter().enumerate() {
                if norm.is_empty() || !seen.insert(norm.key.clone()) {
                    continue;
                }
                let short_alias =
                    basis != Basis::Name && norm.tokens.len() == 1 && norm.tokens[0].len() <= 4;
                let (distinctive, weight, soft_weight) = name_weights(&norm);
                ix.names.push(IndexedName {
                    entry: id,
                    basis,
                    raw,
                    norm,
                    ordinal: ordinal as u32,
                    short_alias,
                    distinctive,
                    weight,
                    soft_weight,
                });
            }
        }
        // Posting pairs per name, in parallel, then one sort.
        let pairs = |keys_of_name: &(dyn Fn(&NormName, &mut Vec<u64>) + Sync)| -> Vec<(u64, u32)> {
            ix.names
                .par_iter()
                .enumerate()
                .flat_map_iter(|(ni, n)| {
                    let mut keys = Vec::new();
                    keys_of_name(&n.norm, &mut keys);
                    keys.into_iter().map(move |k| (k, ni as u32))
                })
                .collect()
        };
        let token_pairs = pairs(&|norm, keys| {
            let mut buf = String::new();
            for t in &norm.tokens {
                if names::is_generic(t) {
                    continue;
                }
                keys.push(key_of(t));
                if t.len() >= TYPO_MIN_LEN {
                    for_each_deletion(t, &mut buf, |d| keys.push(key_of(d)));
                }
            }
        });
        let core_pairs = pairs(&|norm, keys| keys.push(key_of(&core_key(norm))));
        let (postings, core) = rayon::join(
            || Postings::from_pairs(token_pairs),
            || Postings::from_pairs(core_pairs),
        );
        ix.postings = postings;
        ix.core = core;
        ix
    }

    /// Number of NS-CMIC entries and of SDN entities indexed.
    pub fn counts(&self) -> (usize, usize) {
        let sdn = self
            .entries
            .iter()
            .filter(|e| e.list_kind == ListKind::Sdn)
            .count();
        (self.entries.len() - sdn, sdn)
    }

    /// The entries indexed, by [`EntryId`].
    pub fn entries(&self) -> &[&'l Entry] {
        &self.entries
    }

    pub fn entry(&self, id: EntryId) -> &'l Entry {
        self.entries[id]
    }

    pub fn name(&self, i: usize) -> &IndexedName<'l> {
        &self.names[i]
    }

    /// Entries listing this (normalised) ISIN.
    pub fn by_isin(&self, isin: &str) -> &[EntryId] {
        self.isin.get(isin).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Entries with a US/CA ISIN containing this CUSIP.
    pub fn by_cusip(&self, cusip: &str) -> &[EntryId] {
        self.cusip.get(cusip).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Entries listing this canonical code on this market (a [`TickerKey`]'s parts), with
    /// OFAC's raw ticker text, in list order.
    pub fn by_ticker<'s>(
        &'s self,
        code: &str,
        market: Market,
    ) -> impl Iterator<Item = (EntryId, &'s str)> + use<'s> {
        self.ticker
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter(move |(m, _, _)| *m == market)
            .map(|(_, id, raw)| (*id, raw.as_str()))
    }

    /// Listings whose code equals a bare code (any market).
    pub fn by_bare_code(&self, code: &str) -> &[(EntryId, TickerKey)] {
        self.bare
            .get(&bare_code(code))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A listed ISIN one typo away (one character changed, or two adjacent swapped).
    pub fn isin_near_miss(&self, isin: &str) -> Option<(&str, EntryId)> {
        let a = isin.as_bytes();
        self.listed_isins
            .iter()
            .find(|(listed, _)| {
                let b = listed.as_bytes();
                if a.len() != b.len() {
                    return false;
                }
                // Positions that differ, stopping at three: no allocation per listed ISIN.
                let mut diff = [0usize; 3];
                let mut n = 0;
                for i in 0..a.len() {
                    if a[i] != b[i] {
                        if n == 3 {
                            return false;
                        }
                        diff[n] = i;
                        n += 1;
                    }
                }
                n == 1
                    || (n == 2
                        && diff[1] == diff[0] + 1
                        && a[diff[0]] == b[diff[1]]
                        && a[diff[1]] == b[diff[0]])
            })
            .map(|(s, id)| (s.as_str(), *id))
    }

    /// Candidate list names for a normalised holding name: names that share a distinctive
    /// token (or a one-typo variant of one) or the core key, and whose best possible score
    /// reaches [`NAME_PRUNE_BELOW`].
    fn candidates(&self, norm: &NormName) -> Vec<usize> {
        // (name, distinctive holding tokens it shares)
        let mut shared: HashMap<usize, usize> = HashMap::new();
        let mut this_token: Vec<u32> = Vec::new();
        let mut buf = String::new();
        for t in &norm.tokens {
            if names::is_generic(t) {
                continue;
            }
            this_token.clear();
            this_token.extend_from_slice(self.postings.get(t));
            if t.len() >= TYPO_MIN_LEN {
                for_each_deletion(t, &mut buf, |d| {
                    this_token.extend_from_slice(self.postings.get(d))
                });
            }
            this_token.sort_unstable();
            this_token.dedup();
            for &ni in &this_token {
                *shared.entry(ni as usize).or_default() += 1;
            }
        }
        let (h_distinctive, h_weight, h_soft) = name_weights(norm);
        // A last word found nowhere may be a name cut short by a vendor ("... TEC"), which
        // can still match as a prefix: allow for it in the bound.
        let cut_short = norm.tokens.last().is_some_and(|t| {
            norm.tokens.len() > 1 && !names::is_generic(t) && !self.postings.contains(t)
        });
        let mut out: Vec<usize> = shared
            .into_iter()
            .filter(|&(ni, k)| {
                let n = &self.names[ni];
                if k >= h_distinctive && k >= n.distinctive {
                    return true; // every distinctive word shared: may be (core-)identical
                }
                let k = k + usize::from(cut_short);
                if k >= h_distinctive && k >= n.distinctive {
                    return true;
                }
                let best_overlap = k as f64 + h_soft.min(n.soft_weight);
                2.0 * best_overlap / (h_weight + n.weight) >= NAME_PRUNE_BELOW
            })
            .map(|(ni, _)| ni)
            .collect();
        out.extend(self.core.get(&core_key(norm)).iter().map(|&ni| ni as usize));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The best-scoring list name for a holding's name (ties: primary name first, then the
    /// lower entry id, so results never depend on thread timing).
    pub fn best_name(&self, raw: &str) -> Option<NameMatch> {
        self.best_normalised(&names::normalise(raw))
    }

    /// [`Self::best_name`] of a name already normalised ([`names::normalise`]): the match
    /// depends on the normalised name only, so names that normalise alike share it.
    pub fn best_normalised(&self, norm: &NormName) -> Option<NameMatch> {
        if norm.is_empty() {
            return None;
        }
        let mut best: Option<NameMatch> = None;
        let rank = |b: Basis| match b {
            Basis::Name => 0,
            Basis::IssuerName => 1,
            _ => 2,
        };
        for ni in self.candidates(norm) {
            let comparison = names::compare(norm, &self.names[ni].norm);
            if comparison.score <= 0.0 {
                continue;
            }
            let this = &self.names[ni];
            match &mut best {
                Some(b) if comparison.score < b.comparison.score => {}
                Some(b) if comparison.score == b.comparison.score => {
                    let held = &self.names[b.name];
                    if this.entry == held.entry {
                        if rank(this.basis) < rank(held.basis) {
                            b.name = ni;
                            b.comparison = comparison;
                        }
                        continue;
                    }
                    // Ties between entries: a primary name beats an Issuer Name beats an
                    // a.k.a., then the lower index; the other entry is recorded.
                    if (rank(this.basis), this.entry) < (rank(held.basis), held.entry) {
                        let old = held.entry;
                        b.name = ni;
                        b.comparison = comparison;
                        b.tied_entries.retain(|e| *e != this.entry);
                        push_unique(&mut b.tied_entries, old);
                    } else {
                        push_unique(&mut b.tied_entries, this.entry);
                    }
                }
                _ => {
                    best = Some(NameMatch {
                        name: ni,
                        comparison,
                        tied_entries: Vec::new(),
                    })
                }
            }
        }
        if let Some(b) = &mut best {
            b.tied_entries.sort_unstable();
        }
        best
    }

    /// The best score of a holding's name against any name of one entry.
    pub fn name_score_for_entry(&self, raw: &str, entry: EntryId) -> f64 {
        let norm = names::normalise(raw);
        self.names
            .iter()
            .filter(|n| n.entry == entry)
            .map(|n| names::compare(&norm, &n.norm).score)
            .fold(0.0, f64::max)
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_respect_char_boundaries() {
        let deletions = |t: &str| {
            let mut out = Vec::new();
            for_each_deletion(t, &mut String::new(), |d| out.push(d.to_string()));
            out
        };
        let d = deletions("中国移动通信");
        assert_eq!(d.len(), 6);
        assert_eq!(d[0], "国移动通信");
        assert_eq!(deletions("ABCDEF")[2], "ABDEF");
    }

    #[test]
    fn postings_group_names_by_key() {
        let p = Postings::from_pairs(vec![
            (key_of("HIKVISION"), 3),
            (key_of("MOBILE"), 1),
            (key_of("HIKVISION"), 0),
            (key_of("HIKVISION"), 3),
        ]);
        assert_eq!(p.get("HIKVISION"), &[0, 3]);
        assert_eq!(p.get("MOBILE"), &[1]);
        assert!(p.get("SMIC").is_empty());
        assert!(p.contains("MOBILE") && !p.contains("SMIC"));
    }
}
