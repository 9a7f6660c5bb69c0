//! Resolving one holdings row against the [`ListIndex`]: which listed entity it is, on
//! what evidence, and how strong that evidence is.
//!
//! Evidence, strongest first: an ISIN on the list; a CUSIP on the list (directly or inside a
//! US/CA ISIN); a ticker whose market is known (from the ticker itself or an exchange
//! column); the issuer's or security's name. Weak evidence (a bare code, a market only
//! implied, a middling name score, a mistyped ISIN one character away from a listed one)
//! never prohibits: it asks for review.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::holdings::RowIds;
use crate::holdings::cells::CellRef;
use crate::holdings::read::IdCells;
use crate::ident::market_from_country;
use crate::ident::{
    IdCheck, MarketSource, check_cusip, check_isin, check_sedol, cusip_from_isin, normalise_id_cow,
    ticker::HoldingTicker,
};
use crate::index::{EntryId, ListIndex, NameMatch};
use crate::list::Entry;
use crate::names;
use crate::report::Basis;

/// Factor applied to a partial match on a short alias (see `resolve_row`).
pub const SHORT_ALIAS_DISCOUNT: f64 = 0.85;

/// Name-score thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: a name match alone is strong enough to prohibit.
    pub prohibit: f64,
    /// At or above (and below `prohibit`): a person must review.
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            prohibit: 0.95,
            review: 0.80,
        }
    }
}

/// How far a hit can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// A person must decide.
    Weak,
    /// Enough to apply the list's rules.
    Strong,
}

/// One piece of evidence linking a row to a list entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: EntryId,
    pub basis: Basis,
    /// The list's value that matched.
    pub matched_value: String,
    pub score: f64,
    pub strength: Strength,
    pub explanation: String,
}

/// The outcome for one row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    pub hit: Option<Hit>,
    /// Data-quality findings (bad check digits, identifiers that disagree...).
    pub notes: Vec<String>,
    /// Set when the row cannot be screened at all: the reason.
    pub unscreenable: Option<String>,
}

/// Names resolved once per distinct text (holding names repeat across accounts and files),
/// and compared with the list once per distinct normalised name ("HUAWEI TECHNOLOGIES CO
/// LTD" takes the match of "Huawei Technologies Co., Ltd." without a second comparison).
///
/// Looked up for every row, so laid out to stay in the processor's cache: a table of 16
/// bytes a name, the matches apart. A name is known by a 96-bit fingerprint of its bytes
/// (part of their 128-bit XXH3 hash, seeded afresh for each run), not by its text, so a
/// lookup reads one slot and no text. The odds that two different names are taken for
/// one another are about n²/2⁹⁷ for n distinct names (below 10⁻¹⁵ for ten million),
/// far below those of a memory fault; the seed keeps a name from being made to collide
/// on purpose. A hundred thousand names take about 2 MB of table.
///
/// The run's cache also keeps the rows that resolved to nothing at all (no hit, no note,
/// nothing unscreenable), by a 128-bit fingerprint of everything resolving reads of a row
/// ([`RowIds`]), in a table its workers share ([`NameCache::remember_clear_rows`]): a row
/// met again (the same security in another account) is clear without being resolved
/// again.
#[derive(Debug, Default)]
pub struct NameCache {
    /// The names as rows give them (trimmed).
    slots: hashbrown::HashTable<NameSlot>,
    /// The normalised names ([`crate::names::NormName::key`]) of the names resolved.
    normalised: hashbrown::HashTable<NameSlot>,
    matches: Vec<NameMatch>,
    /// Rows resolved to nothing ([`Resolution::default`]).
    clear_rows: std::sync::Arc<ClearRows>,
}

/// The fingerprints of rows that resolved to nothing, shared by a run's workers: a worker
/// keeps a row it finds clear straight in it, and every worker looks rows up in it, at once
/// (nothing is merged between batches while the workers wait). An open-addressed table
/// (linear probing) made once for the run, whose slot for a fingerprint is known before
/// the lookup, so that it can be asked of memory ahead ([`Self::prefetch`]). A row is kept
/// at most [`Self::MAX_PROBE`] slots from its home slot; a row that finds no free slot so
/// near is not kept (it is resolved each time it comes, as without the table).
///
/// A slot is two words: the fingerprint's `place`, claimed from 0 (free) by the one worker
/// that keeps it, then its `more`, written once by that worker. A lookup that meets a slot
/// whose `more` is not written yet takes it for another row: at worst a row is resolved
/// again. A fingerprint with a word 0 (one row in 2⁶³) is never kept.
#[derive(Default)]
struct ClearRows {
    /// Two words a slot, a power of two of slots (none: nothing is kept).
    words: Box<[AtomicU64]>,
}

/// The table's size, not its million words.
impl std::fmt::Debug for ClearRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClearRows")
            .field("slots", &self.slots())
            .finish_non_exhaustive()
    }
}

impl ClearRows {
    /// How far from its home slot a row may be kept (and is looked for).
    const MAX_PROBE: usize = 32;

    /// A table of `slots` slots (a power of two), all free. Its memory is asked of the
    /// system zeroed: pages are only mapped when a row is kept in them.
    fn with_slots(slots: usize) -> Self {
        assert!(slots.is_power_of_two());
        let words = slots * 2;
        let Ok(layout) = std::alloc::Layout::array::<AtomicU64>(words) else {
            return ClearRows::default();
        };
        // SAFETY: the layout is that of `words` AtomicU64s (non-zero in size); AtomicU64
        // has the size, alignment and bit validity of u64, for which all zero bytes are 0,
        // so the zeroed allocation is `words` initialised atomics, owned by the box (which
        // frees it with the same layout).
        let words = unsafe {
            let at = std::alloc::alloc_zeroed(layout).cast::<AtomicU64>();
            if at.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            Box::from_raw(std::ptr::slice_from_raw_parts_mut(at, words))
        };
        ClearRows { words }
    }

    fn slots(&self) -> usize {
        self.words.len() / 2
    }

    /// Whether a fingerprint can be kept (neither word is the free slot's 0).
    fn keepable(print: RowPrint) -> bool {
        print.place != 0 && print.more != 0
    }

    /// The slots a fingerprint may be in, from its home slot on (none without a table).
    fn probe(&self, print: RowPrint) -> impl Iterator<Item = usize> + use<> {
        let slots = self.slots();
        let home = print.place as usize & slots.wrapping_sub(1);
        (0..Self::MAX_PROBE.min(slots)).map(move |k| (home + k) & (slots - 1))
    }

    fn contains(&self, print: RowPrint) -> bool {
        if !Self::keepable(print) {
            return false;
        }
        for i in self.probe(print) {
            let place = self.words[2 * i].load(Ordering::Acquire);
            if place == 0 {
                return false;
            }
            if place == print.place && self.words[2 * i + 1].load(Ordering::Acquire) == print.more {
                return true;
            }
        }
        false
    }

    /// Ask the processor for the slot the lookup of `print` starts at.
    #[inline]
    fn prefetch(&self, print: RowPrint) {
        if let Some(i) = self.probe(print).next() {
            crate::util::prefetch_at(&self.words[2 * i]);
        }
    }

    /// Keep `print` (unless it is kept already, or there is no room near its home slot).
    fn insert(&self, print: RowPrint) {
        if !Self::keepable(print) {
            return;
        }
        for i in self.probe(print) {
            match self.words[2 * i].compare_exchange(
                0,
                print.place,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.words[2 * i + 1].store(print.more, Ordering::Release);
                    return;
                }
                Err(place) if place == print.place => {
                    let more = self.words[2 * i + 1].load(Ordering::Acquire);
                    // Kept already, or being kept (by another worker, which may be
                    // keeping another row of the same place: then this one is not kept).
                    if more == print.more || more == 0 {
                        return;
                    }
                }
                Err(_) => {}
            }
        }
    }

    /// Write to each page of the table (leaving what it holds as it is), so that the
    /// system maps it. A page first read, as a lookup in a fresh table reads it, is
    /// mapped to the system's shared page of zeros, and the first row kept in it then
    /// costs a copy and a flush of every core's address cache (6% of a 1M-row run when
    /// the workers met their table's pages that way).
    fn map_pages(&self) {
        const WORDS_A_PAGE: usize = 4096 / 8;
        for word in self.words.iter().step_by(WORDS_A_PAGE) {
            // (A write that changes nothing; not `fetch_or(0)`, which the compiler makes a
            // read.)
            let _ = word.compare_exchange(0, 0, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Number of fingerprints kept (counted: for tests and figures).
    fn len(&self) -> usize {
        (0..self.slots())
            .filter(|&i| self.words[2 * i + 1].load(Ordering::Acquire) != 0)
            .count()
    }
}

/// Slots of the table of clear rows ([`NameCache::remember_clear_rows`]) for a run over
/// input files of `bytes` bytes: a slot for every 128 bytes (about a row of a CSV book of
/// twelve columns), from 2¹⁰ to 2¹⁹ slots (8 MB).
pub fn clear_rows_slots(bytes: u64) -> usize {
    let wanted = usize::try_from(bytes / 128).unwrap_or(usize::MAX);
    wanted.clamp(1 << 10, 1 << 19).next_power_of_two()
}

/// The fingerprint of what resolving reads of a row (all of [`RowIds`]): its 128-bit
/// XXH3 hash, seeded for the run. The odds that two different rows are taken for one
/// another are about n²/2¹²⁹ for n distinct rows (below 10⁻²⁴ for a hundred million).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowPrint {
    place: u64,
    more: u64,
}

impl RowPrint {
    /// Rows whose texts take more bytes than this are not kept (they are resolved each
    /// time).
    const MAX_BYTES: usize = 480;

    /// The fingerprint of `row`; `None` when its texts are too long to keep the row.
    ///
    /// Each field written as a tag (absent or not), its length and its bytes, so that
    /// different rows are different bytes.
    pub fn of(row: &RowIds<'_>) -> Option<Self> {
        let mut buf = PrintBytes::new();
        for field in [
            row.isin,
            row.cusip,
            row.sedol,
            row.figi,
            row.ticker,
            row.name,
            row.issuer,
            row.exchange,
            row.country,
        ] {
            buf.push(
                u8::from(field.is_some()),
                field.map_or(&[][..], str::as_bytes),
            )?;
        }
        Some(buf.print())
    }

    /// The fingerprint of a data row's identifying cells as written ([`IdCells`]): the
    /// row's identifiers are made of them alone, so it tells them apart as
    /// [`RowPrint::of`] does, without the row being read first. `None` when their texts
    /// are too long to keep the row, or a cell holds something other than text.
    ///
    /// Each cell written as its role, its length and its bytes, after a first byte that
    /// no fingerprint of [`RowPrint::of`] starts with (its fields' tags are 0 and 1): the
    /// two kinds are never taken for one another.
    pub fn of_cells(cells: IdCells<'_, '_>) -> Option<Self> {
        const CELLS: u8 = 0xff;
        let mut buf = PrintBytes::new();
        buf.push(CELLS, &[])?;
        for (role, cell) in cells.iter() {
            let bytes = match cell {
                CellRef::Text(t) => t.as_bytes(),
                CellRef::Empty => &[],
                _ => return None,
            };
            buf.push(role.slot() as u8, bytes)?;
        }
        Some(buf.print())
    }
}

/// The bytes a [`RowPrint`] is the hash of: fields one after the other, each as a tag,
/// its length and its bytes, so that different rows are different bytes.
struct PrintBytes {
    buf: [u8; RowPrint::MAX_BYTES],
    at: usize,
}

impl PrintBytes {
    fn new() -> Self {
        PrintBytes {
            buf: [0; RowPrint::MAX_BYTES],
            at: 0,
        }
    }

    /// Add a field; `None` when it does not fit.
    #[inline]
    fn push(&mut self, tag: u8, bytes: &[u8]) -> Option<()> {
        let at = self.at;
        let end = at + 3 + bytes.len();
        if end > RowPrint::MAX_BYTES {
            return None;
        }
        self.buf[at] = tag;
        self.buf[at + 1..at + 3].copy_from_slice(&(bytes.len() as u16).to_le_bytes());
        self.buf[at + 3..end].copy_from_slice(bytes);
        self.at = end;
        Some(())
    }

    fn print(&self) -> RowPrint {
        let h = xxhash_rust::xxh3::xxh3_128_with_seed(&self.buf[..self.at], *PRINT_SEED);
        RowPrint {
            place: h as u64,
            more: (h >> 64) as u64,
        }
    }
}

/// A name of the cache: its fingerprint and its match's number (or [`NameCache::NONE`]).
#[derive(Debug, Clone, Copy)]
struct NameSlot {
    print: NamePrint,
    matched: u32,
}

/// The fingerprint of a name: 96 bits of its 128-bit XXH3 hash. The table places a name
/// by the fingerprint's first 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NamePrint {
    place: u64,
    more: u32,
}

/// The run's seed of name fingerprints (one for every cache, as caches are merged).
static PRINT_SEED: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
});

impl NamePrint {
    fn of(name: &[u8]) -> Self {
        let h = xxhash_rust::xxh3::xxh3_128_with_seed(name, *PRINT_SEED);
        NamePrint {
            place: h as u64,
            more: (h >> 64) as u32,
        }
    }
}

/// The slot of `print` in `table`.
fn find(table: &hashbrown::HashTable<NameSlot>, print: NamePrint) -> Option<&NameSlot> {
    table.find(print.place, |s| s.print == print)
}

/// Put `print` in `table` with match number `matched` (replacing what it had).
fn put(table: &mut hashbrown::HashTable<NameSlot>, print: NamePrint, matched: u32) {
    if let Some(old) = table.find_mut(print.place, |s| s.print == print) {
        old.matched = matched;
    } else {
        table.insert_unique(print.place, NameSlot { print, matched }, |s| s.print.place);
    }
}

impl NameCache {
    /// No match: a slot's value for a name that matches nothing listed.
    const NONE: u32 = u32::MAX;

    /// The match a slot's number stands for.
    fn match_of(&self, slot: &NameSlot) -> Option<&NameMatch> {
        (slot.matched != Self::NONE).then(|| &self.matches[slot.matched as usize])
    }

    /// The best match of a name resolved before (`Some(None)`: it matches nothing); `None`
    /// when it was not resolved.
    pub fn get(&self, name: &str) -> Option<Option<&NameMatch>> {
        find(&self.slots, NamePrint::of(name.as_bytes())).map(|s| self.match_of(s))
    }

    /// As [`Self::get`], of a normalised name (the key of a [`crate::names::NormName`]).
    pub fn get_normalised(&self, key: &str) -> Option<Option<&NameMatch>> {
        find(&self.normalised, NamePrint::of(key.as_bytes())).map(|s| self.match_of(s))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Keep the match of a name (a name kept before takes the new match). Past four
    /// billion matches (which no book comes near) a name is not kept, and a row with it
    /// is reported unscreened.
    pub fn insert(&mut self, name: String, m: Option<NameMatch>) {
        self.insert_str(&name, m);
    }

    /// [`Self::insert`] of a borrowed name.
    pub fn insert_str(&mut self, name: &str, m: Option<NameMatch>) {
        if let Some(matched) = self.keep_match(m) {
            put(&mut self.slots, NamePrint::of(name.as_bytes()), matched);
        }
    }

    /// Keep the match of a name and of its normalised form `key`, for other names that
    /// normalise alike.
    pub fn insert_resolved(&mut self, name: &str, key: &str, m: Option<NameMatch>) {
        if let Some(matched) = self.keep_match(m) {
            put(&mut self.slots, NamePrint::of(name.as_bytes()), matched);
            put(&mut self.normalised, NamePrint::of(key.as_bytes()), matched);
        }
    }

    /// Resolve `name` against `index` and keep it: when `known` or this cache holds a name
    /// that normalises alike, its match is taken without comparing names again.
    pub fn learn(&mut self, index: &ListIndex, known: &NameCache, name: &str) {
        let norm = crate::names::normalise(name);
        let m = match known
            .get_normalised(&norm.key)
            .or_else(|| self.get_normalised(&norm.key))
        {
            Some(m) => m.cloned(),
            None => index.best_normalised(&norm),
        };
        self.insert_resolved(name, &norm.key, m);
    }

    /// The number a slot holds for match `m` (kept), [`Self::NONE`] for no match; `None`
    /// past four billion matches.
    fn keep_match(&mut self, m: Option<NameMatch>) -> Option<u32> {
        match m {
            Some(m) if self.matches.len() < Self::NONE as usize => {
                self.matches.push(m);
                Some((self.matches.len() - 1) as u32)
            }
            Some(_) => None,
            None => Some(Self::NONE),
        }
    }

    /// Keep the rows that resolve to nothing, from now on, in a table of `slots` slots
    /// (a power of two; see [`clear_rows_slots`]): rows met again are then clear without
    /// being resolved again. The table is shared by the workers that look names up in
    /// this cache; caches that learn for it ([`resolve_row_learning`]) keep no rows.
    pub fn remember_clear_rows(&mut self, slots: usize) {
        let table = std::sync::Arc::new(ClearRows::with_slots(slots.max(1).next_power_of_two()));
        // Its pages mapped by a worker while the run starts (see `ClearRows::map_pages`).
        let mapping = std::sync::Arc::clone(&table);
        rayon::spawn(move || mapping.map_pages());
        self.clear_rows = table;
    }

    /// Whether a row with this fingerprint resolved to nothing.
    pub fn is_clear_row(&self, print: RowPrint) -> bool {
        self.clear_rows.contains(print)
    }

    /// Ask the processor for the memory where the lookup of a row with this fingerprint
    /// (`is_clear_row`) starts: a hint, so that looking it up a little later does
    /// not wait on memory.
    #[inline]
    pub fn prefetch_clear_row(&self, print: RowPrint) {
        self.clear_rows.prefetch(print);
    }

    /// Keep a row that resolved to nothing (when this cache remembers such rows).
    fn keep_clear_row(&self, print: RowPrint) {
        self.clear_rows.insert(print);
    }

    /// Number of rows kept as resolving to nothing.
    pub fn clear_rows_len(&self) -> usize {
        self.clear_rows.len()
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Number of distinct normalised names among them (each compared with the list once).
    pub fn normalised_len(&self) -> usize {
        self.normalised.len()
    }

    /// Keep the names of `other` that this cache lacks (with their matches). Runs between
    /// batches while the workers wait: room made for all of them at once, each looked up
    /// once, each match moved (once, however many names share it) rather than copied.
    pub fn absorb(&mut self, other: NameCache) {
        let NameCache {
            slots,
            normalised,
            matches,
            // (Rows are kept in the run's own table, not in the caches that learn for it.)
            clear_rows: _,
        } = other;
        let mut matches: Vec<Option<NameMatch>> = matches.into_iter().map(Some).collect();
        // Where each of `other`'s matches went in this cache.
        let mut moved: Vec<Option<u32>> = vec![None; matches.len()];
        let mut number = |this: &mut Self, matched: u32| -> Option<u32> {
            if matched == Self::NONE {
                return Some(Self::NONE);
            }
            let i = matched as usize;
            if let Some(n) = moved.get(i).copied().flatten() {
                return Some(n);
            }
            let n = this.keep_match(matches.get_mut(i).and_then(Option::take))?;
            if let Some(slot) = moved.get_mut(i) {
                *slot = Some(n);
            }
            Some(n)
        };
        self.slots.reserve(slots.len(), |s| s.print.place);
        for slot in slots {
            if find(&self.slots, slot.print).is_none()
                && let Some(n) = number(self, slot.matched)
            {
                put(&mut self.slots, slot.print, n);
            }
        }
        for slot in normalised {
            if find(&self.normalised, slot.print).is_none()
                && let Some(n) = number(self, slot.matched)
            {
                put(&mut self.normalised, slot.print, n);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

impl FromIterator<(String, Option<NameMatch>)> for NameCache {
    fn from_iter<I: IntoIterator<Item = (String, Option<NameMatch>)>>(iter: I) -> Self {
        let mut cache = NameCache::default();
        for (name, m) in iter {
            cache.insert(name, m);
        }
        cache
    }
}

/// Placeholder texts that mean "no value".
fn meaningful(v: Option<&str>) -> Option<&str> {
    let s = crate::util::trim_ws(v?);
    if is_no_value(s) { None } else { Some(s) }
}

/// Whether a trimmed text means "no value": empty, or one of `-`, `--`, `N/A`, `NA`, `#N/A`,
/// `NONE`, `NULL`, `0`, `TBA`, `?` (any case). Runs for every cell resolved: by length first.
fn is_no_value(s: &str) -> bool {
    let is = |n: &str| s.eq_ignore_ascii_case(n);
    match s.len() {
        0 => true,
        1 => matches!(s.as_bytes()[0], b'-' | b'0' | b'?'),
        2 => s == "--" || is("NA"),
        3 => is("N/A") || is("TBA"),
        4 => is("#N/A") || is("NONE") || is("NULL"),
        _ => false,
    }
}

/// The texts of a row that name a company, issuer first.
pub fn row_names<'a>(row: &RowIds<'a>) -> impl Iterator<Item = &'a str> + use<'a> {
    [meaningful(row.issuer), meaningful(row.name)]
        .into_iter()
        .flatten()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
}

/// What a name cache holds of a row's names, issuer first: for each name the row gives,
/// its match (`Some(None)`: it matches nothing), or `None` when the cache lacks it.
type NamesLookedUp<'n> = [Option<Option<Option<&'n NameMatch>>>; 2];

/// Resolve one row. `names` must hold every text returned by [`row_names`] (a name it
/// lacks matches nothing).
pub fn resolve_row(
    index: &ListIndex,
    row: &RowIds<'_>,
    names: &NameCache,
    th: &Thresholds,
) -> Resolution {
    let slots = [meaningful(row.issuer), meaningful(row.name)];
    resolve(index, row, slots.map(|n| n.map(|n| names.get(n))), th)
}

/// [`resolve_row`] for a row whose names `names` may not hold yet: a name it lacks is
/// resolved here and kept in `learned` (looked up there too), for the caller to add to
/// `names` when it can ([`NameCache::absorb`]). A name is resolved the same wherever it
/// is, so the row's resolution is the same.
pub fn resolve_row_learning(
    index: &ListIndex,
    row: &RowIds<'_>,
    names: &NameCache,
    learned: &mut NameCache,
    th: &Thresholds,
) -> Resolution {
    resolve_printed_row(index, row, RowPrint::of(row), names, learned, th)
}

/// [`resolve_row_learning`] for a row whose fingerprint was taken ahead, e.g. to ask for
/// the memo's slot ([`NameCache::prefetch_clear_row`]) while the row before it is
/// resolved. `print` is the same row's, by [`RowPrint::of`] or [`RowPrint::of_cells`]:
/// either determines the row's identifiers, so a row met again under it resolves the
/// same.
pub fn resolve_printed_row(
    index: &ListIndex,
    row: &RowIds<'_>,
    print: Option<RowPrint>,
    names: &NameCache,
    learned: &mut NameCache,
    th: &Thresholds,
) -> Resolution {
    // A row met before that resolved to nothing resolves to nothing.
    if let Some(print) = print
        && names.is_clear_row(print)
    {
        return Resolution::default();
    }
    let keep = |res: Resolution| {
        if let Some(print) = print
            && res == Resolution::default()
        {
            names.keep_clear_row(print);
        }
        res
    };
    let slots = [meaningful(row.issuer), meaningful(row.name)];
    let cached = slots.map(|n| n.map(|n| names.get(n)));
    if !cached.iter().any(|c| matches!(c, Some(None))) {
        let res = resolve(index, row, cached, th);
        return keep(res);
    }
    for (n, c) in slots.iter().zip(cached) {
        if let (Some(n), Some(None)) = (n, c)
            && !learned.contains_key(n)
        {
            learned.learn(index, names, n);
        }
    }
    let known = &*learned;
    let cached = slots.map(|n| n.map(|n| names.get(n).or_else(|| known.get(n))));
    let res = resolve(index, row, cached, th);
    keep(res)
}

/// Resolve one row whose names were looked up (`cached`; a name not found matches
/// nothing).
fn resolve(
    index: &ListIndex,
    row: &RowIds<'_>,
    cached: NamesLookedUp<'_>,
    th: &Thresholds,
) -> Resolution {
    let mut res = Resolution::default();
    let mut hits: Vec<Hit> = Vec::new();
    let entry_name =
        |id: EntryId| format!("{} (OFAC {})", index.entry(id).name, index.entry(id).id);

    let isin = meaningful(row.isin).map(normalise_id_cow);
    let cusip_col = meaningful(row.cusip).map(normalise_id_cow);
    let sedol = meaningful(row.sedol).map(normalise_id_cow);
    let ticker = meaningful(row.ticker);
    // The row's names, trimmed once.
    let name_slots: [Option<&str>; 2] = [meaningful(row.issuer), meaningful(row.name)];
    let row_names = || name_slots.into_iter().flatten();
    let has_name = row_names().next().is_some();

    if isin.is_none() && cusip_col.is_none() && ticker.is_none() && !has_name {
        res.unscreenable = Some(if sedol.is_some() || meaningful(row.figi).is_some() {
            "only a SEDOL/FIGI: OFAC publishes no SEDOLs or FIGIs; add an ISIN, CUSIP, ticker with its market, or the issuer's name".into()
        } else {
            "no identifier and no name: add an ISIN, CUSIP, ticker with its market, or the issuer's name".into()
        });
        return res;
    }
    let romanised = row_names().any(|n| n.bytes().any(|c| c.is_ascii_alphabetic()));
    if isin.is_none() && cusip_col.is_none() && ticker.is_none() && !romanised {
        res.unscreenable = Some(
            "the name is not in Latin script and there is no identifier: OFAC publishes romanised names only; add an ISIN, CUSIP or ticker, or the romanised name".into(),
        );
        return res;
    }
    if !romanised && has_name {
        res.notes.push(
            "the name is not in Latin script: only the identifiers were screened (OFAC publishes romanised names; add the romanised name for issuer-level matches)".into(),
        );
    }
    if isin.is_none() && cusip_col.is_none() && ticker.is_none() {
        res.notes.push(
            "no ISIN, CUSIP or ticker: screened by name only; add an identifier for a certain result"
                .into(),
        );
    }

    // ISIN.
    let mut isin_ok = false;
    if let Some(isin) = &isin {
        let check = check_isin(isin);
        isin_ok = check.is_valid();
        if !isin_ok {
            res.notes.push(format!("ISIN {isin}: {}", check.describe()));
        }
        let ids = index.by_isin(isin);
        for &id in ids {
            hits.push(Hit {
                entry: id,
                basis: Basis::Isin,
                matched_value: isin.to_string(),
                score: 1.0,
                strength: Strength::Strong,
                explanation: format!("ISIN {isin} is listed for {}", entry_name(id)),
            });
        }
        if ids.is_empty()
            && check != IdCheck::Valid
            && let Some((listed, id)) = index.isin_near_miss(isin)
        {
            hits.push(Hit {
                entry: id,
                basis: Basis::Isin,
                matched_value: listed.to_string(),
                score: 0.8,
                strength: Strength::Weak,
                explanation: format!(
                    "ISIN {isin} fails its check and is one typo away from listed ISIN {listed} of {}",
                    entry_name(id)
                ),
            });
        }
    }

    // CUSIP, from its own column or inside a US/CA ISIN.
    let mut cusips: Vec<(&str, &str)> = Vec::new();
    if let Some(c) = &cusip_col {
        let check = check_cusip(c);
        if !check.is_valid() {
            res.notes.push(format!("CUSIP {c}: {}", check.describe()));
        }
        cusips.push((c, "CUSIP"));
    }
    if let Some(isin) = &isin
        && let Some(c) = cusip_from_isin(isin)
        && !cusips.iter().any(|(x, _)| *x == c)
    {
        cusips.push((c, "CUSIP inside ISIN"));
    }
    for (c, how) in &cusips {
        for &id in index.by_cusip(c) {
            if hits
                .iter()
                .any(|h| h.entry == id && h.basis == Basis::Isin && h.strength == Strength::Strong)
            {
                continue;
            }
            hits.push(Hit {
                entry: id,
                basis: Basis::Cusip,
                matched_value: c.to_string(),
                score: 1.0,
                strength: Strength::Strong,
                explanation: format!("{how} {c} is in a listed ISIN of {}", entry_name(id)),
            });
        }
    }
    if let Some(s) = &sedol {
        let check = check_sedol(s);
        if !check.is_valid() {
            res.notes.push(format!("SEDOL {s}: {}", check.describe()));
        }
    }

    // Ticker.
    if let Some(t) = ticker
        && let Some(read) =
            HoldingTicker::read(t, meaningful(row.exchange), meaningful(row.country))
    {
        match &read.listing {
            Some((code, market, source)) => {
                for (id, raw) in index.by_ticker(code, *market) {
                    let (strength, score, how) = match source {
                        MarketSource::Ticker => (Strength::Strong, 0.95, "market from the ticker"),
                        MarketSource::Exchange => {
                            (Strength::Strong, 0.95, "market from the exchange column")
                        }
                        MarketSource::Country => {
                            (Strength::Strong, 0.9, "market from the country column")
                        }
                        MarketSource::CodeRange => (
                            Strength::Weak,
                            0.7,
                            "no market given; a mainland-China code range was assumed",
                        ),
                    };
                    hits.push(Hit {
                        entry: id,
                        basis: Basis::Ticker,
                        matched_value: raw.trim().to_string(),
                        score,
                        strength,
                        explanation: format!(
                            "ticker {t} = {code} {market} ({how}) is listed as '{}' for {}",
                            raw.trim(),
                            entry_name(id)
                        ),
                    });
                }
            }
            None => {
                let listed = index.by_bare_code(&read.code);
                let mut entities: Vec<EntryId> = listed.iter().map(|(id, _)| *id).collect();
                entities.sort_unstable();
                entities.dedup();
                if entities.len() == 1 {
                    let keys: Vec<String> = listed.iter().map(|(_, k)| k.to_string()).collect();
                    hits.push(Hit {
                        entry: entities[0],
                        basis: Basis::Ticker,
                        matched_value: keys.join(", "),
                        score: 0.6,
                        strength: Strength::Weak,
                        explanation: format!(
                            "bare ticker {t} with no market; listed as {} for {}: give the exchange to decide",
                            keys.join(", "),
                            entry_name(entities[0])
                        ),
                    });
                } else if entities.len() > 1 {
                    res.notes.push(format!(
                        "ticker {t} has no market and matches listed codes of {} entities; give the exchange",
                        entities.len()
                    ));
                }
            }
        }
    }

    // A ticker match whose romanised security name names another company: tickers are
    // reused, so a person must look.
    for h in hits
        .iter_mut()
        .filter(|h| h.basis == Basis::Ticker && h.strength == Strength::Strong)
    {
        let names: Vec<&str> = row_names().filter(|n| !has_cjk(n)).collect();
        if names.is_empty() {
            continue;
        }
        let best = names
            .iter()
            .map(|n| index.name_score_for_entry(n, h.entry))
            .fold(0.0, f64::max);
        let all_generic = names
            .iter()
            .all(|n| crate::names::normalise(n).all_generic());
        if best == 0.0 && !all_generic {
            h.strength = Strength::Weak;
            h.score = 0.6;
            h.explanation.push_str(&format!(
                "; but the name '{}' does not match it (tickers are reused): check the security",
                names[0]
            ));
        }
    }

    // Names: issuer first, then the security description.
    let id_given = isin.is_some() || cusip_col.is_some() || ticker.is_some();
    for (n, m) in name_slots.into_iter().zip(cached) {
        let (Some(n), Some(Some(Some(m)))) = (n, m) else {
            continue;
        };
        let listed = index.name(m.name);
        // A short alias (AVIC, CSSC, CGN) inside a longer name is the mark of a related
        // company (AVIC Jonhon, CSSC Holdings, CGN Power) more often than of the entity.
        let score = if listed.short_alias && m.comparison.score < names::IDENTICAL {
            m.comparison.score * SHORT_ALIAS_DISCOUNT
        } else {
            m.comparison.score
        };
        if score < th.review {
            continue;
        }
        let strength = if score >= th.prohibit && !listed.short_alias {
            Strength::Strong
        } else {
            Strength::Weak
        };
        let what = match listed.basis {
            Basis::Alias => "a.k.a.",
            Basis::IssuerName => "Issuer Name",
            _ => "name",
        };
        let mut explanation = format!(
            "'{n}' ~ {what} '{}' of {}, score {:.2}: {}",
            listed.raw,
            entry_name(listed.entry),
            score,
            m.comparison.explain()
        );
        if strength == Strength::Weak && !listed.short_alias && score < names::CORE_IDENTICAL {
            explanation.push_str(
                "; a partial name match: this entity, or a company related to it (a parent or subsidiary is a different legal person and not listed with it, FAQ 857): decide",
            );
        }
        if !m.tied_entries.is_empty() {
            let others: Vec<String> = m.tied_entries.iter().map(|e| entry_name(*e)).collect();
            let _ = write!(
                explanation,
                "; the list gives this name also to {}",
                others.join(", ")
            );
        }
        if listed.short_alias {
            explanation.push_str("; a short alias alone never decides");
            if m.comparison.score < names::IDENTICAL {
                let _ = write!(
                    explanation,
                    " (score discounted x{SHORT_ALIAS_DISCOUNT}: the alias is part of a longer name)"
                );
            }
        }
        let identifier_hit = hits.iter().any(|h| {
            h.entry == listed.entry && matches!(h.basis, Basis::Isin | Basis::Cusip | Basis::Ticker)
        });
        // The same name in another country is often another company (CoStar Group Inc of
        // the US is not Costar Group Co. of China): a name alone does not prohibit when the
        // row's ISIN or country points elsewhere.
        let mut strength = strength;
        if strength == Strength::Strong
            && !identifier_hit
            && let Some(why) = elsewhere(
                index.entry(listed.entry),
                isin.as_deref(),
                isin_ok,
                row.country,
            )
        {
            strength = Strength::Weak;
            let _ = write!(
                explanation,
                "; same name, but {why}: possibly another company"
            );
        }
        if id_given && !identifier_hit && strength == Strength::Strong {
            explanation.push_str("; issuer on the list, this identifier is not");
        }
        hits.push(Hit {
            entry: listed.entry,
            basis: listed.basis,
            matched_value: listed.raw.to_string(),
            score,
            strength,
            explanation,
        });
    }

    // Identifiers that point at different listed entities.
    let mut strong_entities: Vec<(EntryId, Basis)> = hits
        .iter()
        .filter(|h| {
            h.strength == Strength::Strong
                && matches!(h.basis, Basis::Isin | Basis::Cusip | Basis::Ticker)
        })
        .map(|h| (h.entry, h.basis))
        .collect();
    strong_entities.dedup_by_key(|(e, _)| *e);
    if strong_entities.len() > 1 {
        let parts: Vec<String> = strong_entities
            .iter()
            .map(|(e, b)| format!("{} -> {}", b.as_str(), entry_name(*e)))
            .collect();
        res.notes
            .push(format!("identifiers disagree: {}", parts.join("; ")));
    }
    if isin_ok
        && isin.as_deref().is_some_and(|i| index.by_isin(i).is_empty())
        && let Some(h) = hits
            .iter()
            .find(|h| h.basis == Basis::Ticker && h.strength == Strength::Strong)
    {
        res.notes.push(format!(
            "ISIN {} is not on the list, but the ticker is ({}): another share line of a listed issuer",
            isin.as_deref().unwrap_or_default(),
            entry_name(h.entry)
        ));
    }

    res.hit = pick(hits);
    res
}

/// Countries whose issuers list Chinese companies' securities interchangeably: PRC, Hong
/// Kong, Macau and the offshore holding domiciles (Cayman, Bermuda, BVI).
const GREATER_CHINA: [&str; 6] = ["CN", "HK", "MO", "KY", "BM", "VG"];

fn country_code(raw: &str) -> Option<String> {
    if let Some(m) = market_from_country(raw) {
        return Some(m.as_str().to_string());
    }
    let t = raw.trim();
    (t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
}

/// Why a row's ISIN country or country column points away from a listed entity's countries
/// (its ISINs' prefixes and its addresses), if it does. International (XS) ISINs and
/// unknown countries never point away.
fn elsewhere(
    entry: &Entry,
    isin: Option<&str>,
    isin_ok: bool,
    country: Option<&str>,
) -> Option<String> {
    let mut theirs: Vec<String> = entry
        .cmic
        .iter()
        .flat_map(|c| c.isins.iter())
        .filter_map(|i| i.value.get(..2).map(str::to_string))
        .collect();
    theirs.extend(entry.countries.iter().filter_map(|c| country_code(c)));
    theirs.retain(|c| c != "XS");
    if theirs.is_empty() {
        return None;
    }
    let china = |c: &str| GREATER_CHINA.contains(&c);
    let compatible = |c: &str| theirs.iter().any(|t| t == c || (china(t) && china(c)));
    if let Some(i) = isin.filter(|_| isin_ok)
        && let Some(cc) = i.get(..2)
        && cc != "XS"
        && !compatible(cc)
    {
        return Some(format!("the ISIN {i} is from {cc}"));
    }
    if let Some(c) = country.and_then(country_code)
        && !compatible(&c)
    {
        return Some(format!("the row's country is {c}"));
    }
    None
}

fn basis_rank(b: Basis) -> u8 {
    match b {
        Basis::Isin => 0,
        Basis::Cusip => 1,
        Basis::Ticker => 2,
        Basis::Name => 3,
        Basis::IssuerName => 4,
        Basis::Alias => 5,
        Basis::LookThrough => 6,
    }
}

/// Strong before weak; then identifiers before names; then the higher score.
fn pick(mut hits: Vec<Hit>) -> Option<Hit> {
    hits.sort_by(|a, b| {
        b.strength
            .cmp(&a.strength)
            .then(basis_rank(a.basis).cmp(&basis_rank(b.basis)))
            .then(b.score.total_cmp(&a.score))
            .then(a.entry.cmp(&b.entry))
    });
    hits.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::holdings::HoldingRow;
    use crate::ident::ticker::parse_list_ticker;
    use crate::ident::{IdCheck, check_isin};
    use crate::list::{Alias, CmicData, Entry, ListKind, ListedIsin, ListedTicker, PartyType};

    #[test]
    fn name_cache_keeps_each_name_and_its_match() {
        let m = |name: usize| NameMatch {
            name,
            comparison: crate::names::NameComparison {
                score: 0.9,
                matched_distinctive: vec![],
                matched_generic: vec![],
                only_in_holding: vec![],
                only_in_list: vec![],
            },
            tied_entries: vec![],
        };
        let mut cache = NameCache::default();
        assert!(cache.is_empty());
        assert!(cache.get("China Mobile").is_none());
        // Enough names for the table to grow several times; some long, some empty.
        for i in 0..20_000usize {
            let name = format!("Name {i} {}", "x".repeat(i % 70));
            cache.insert(name, (i % 3 == 0).then(|| m(i)));
        }
        cache.insert(String::new(), None);
        assert_eq!(cache.len(), 20_001);
        for i in (0..20_000usize).step_by(7) {
            let name = format!("Name {i} {}", "x".repeat(i % 70));
            match cache.get(&name) {
                Some(Some(found)) => assert_eq!((i % 3, found.name), (0, i)),
                Some(None) => assert_ne!(i % 3, 0),
                None => panic!("{name} not kept"),
            }
        }
        assert!(matches!(cache.get(""), Some(None)));
        assert!(cache.get("Name 1").is_none());
        // A name kept again takes its new match.
        cache.insert("Name 1 x".into(), Some(m(99)));
        assert_eq!(cache.get("Name 1 x").flatten().map(|f| f.name), Some(99));
        assert_eq!(cache.len(), 20_001);

        // Absorbing another cache adds the names this one lacks, with their matches, and
        // leaves the names it has as they are.
        let mut other = NameCache::default();
        for i in 19_990..20_100usize {
            let name = format!("Name {i} {}", "x".repeat(i % 70));
            other.insert(name, (i % 2 == 0).then(|| m(100_000 + i)));
        }
        other.insert("Name 1 x".into(), None);
        cache.absorb(other);
        assert_eq!(cache.len(), 20_101);
        for i in 19_990..20_100usize {
            let name = format!("Name {i} {}", "x".repeat(i % 70));
            let found = cache.get(&name).expect("kept").map(|f| f.name);
            if i < 20_000 {
                assert_eq!(found, (i % 3 == 0).then_some(i), "{name}");
            } else {
                assert_eq!(found, (i % 2 == 0).then_some(100_000 + i), "{name}");
            }
        }
        assert_eq!(cache.get("Name 1 x").flatten().map(|f| f.name), Some(99));
    }

    #[test]
    fn names_that_normalise_alike_are_compared_once() {
        let ix = index();
        // An index that lists nothing: a name compared with it matches nothing.
        let empty = ListIndex::from_entries(Vec::leak(Vec::new()));
        let mut known = NameCache::default();
        known.learn(&ix, &NameCache::default(), "China Mobile Limited");
        let found = known
            .get("China Mobile Limited")
            .flatten()
            .expect("matched")
            .clone();
        assert_eq!(ix.entry(ix.name(found.name).entry).id, "30883");
        assert_eq!((known.len(), known.normalised_len()), (1, 1));

        // Other spellings take the match of their normalised name, from the cache of the
        // run or the worker's own, without a comparison (the list compared with here
        // lists nothing).
        let mut learned = NameCache::default();
        learned.learn(&empty, &known, "CHINA MOBILE LTD.");
        // (the worker's own: it learned "CHINA MOBILE LTD." just before)
        learned.learn(&empty, &NameCache::default(), "china mobile ltd");
        learned.learn(&empty, &NameCache::default(), "  China  Mobile, Limited ");
        for name in [
            "CHINA MOBILE LTD.",
            "china mobile ltd",
            "  China  Mobile, Limited ",
        ] {
            let m = learned.get(name).flatten().map(|m| m.name);
            assert_eq!(m, Some(found.name), "{name}");
        }
        // A name that normalises otherwise is compared.
        learned.learn(&empty, &known, "China Mobile Communications");
        assert!(matches!(
            learned.get("China Mobile Communications"),
            Some(None)
        ));

        // Absorbed, the names and normalised names keep their matches, a match shared by
        // several names moved once.
        known.absorb(learned);
        assert_eq!(known.len(), 5);
        for name in [
            "CHINA MOBILE LTD.",
            "china mobile ltd",
            "China Mobile Limited",
        ] {
            assert_eq!(known.get(name).flatten().map(|m| m.name), Some(found.name));
        }
        assert!(matches!(
            known.get("China Mobile Communications"),
            Some(None)
        ));
        let mut after = NameCache::default();
        after.learn(&empty, &known, "China Mobile Ltd");
        assert_eq!(
            after.get("China Mobile Ltd").flatten().map(|m| m.name),
            Some(found.name)
        );

        // A normalised name first met by a worker is known to the run once absorbed.
        let mut worker = NameCache::default();
        worker.learn(&ix, &known, "Hangzhou Hikvision Digital Technology Co Ltd");
        let hik = worker.get("Hangzhou Hikvision Digital Technology Co Ltd");
        let hik = hik.flatten().expect("matched").name;
        known.absorb(worker);
        let mut after = NameCache::default();
        after.learn(
            &empty,
            &known,
            "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
        );
        let m = after.get("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.");
        assert_eq!(m.flatten().map(|m| m.name), Some(hik));
    }

    #[test]
    fn clear_rows_table_keeps_rows_near_their_home_and_is_shared_by_threads() {
        let print = |i: u64| RowPrint {
            // Places spread as hashes are (some rows share a home slot and probe on).
            place: i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            more: i,
        };
        // No table: nothing kept.
        let none = ClearRows::default();
        none.insert(print(1));
        none.prefetch(print(1));
        assert!(!none.contains(print(1)));

        let rows = ClearRows::with_slots(1 << 12);
        rows.map_pages();
        assert!(!rows.contains(print(1)));
        // Two threads keep rows at once, half of them the same rows.
        std::thread::scope(|s| {
            for t in 0..2u64 {
                let rows = &rows;
                s.spawn(move || {
                    for i in 1..=1_500 {
                        rows.insert(print(i + t * 500));
                        rows.insert(print(i + t * 500));
                    }
                });
            }
        });
        assert_eq!(rows.len(), 2_000);
        assert!((1..=2_000).all(|i| rows.contains(print(i))));
        // Same place, another fingerprint: not found.
        let other = RowPrint {
            more: print(7).more ^ 2,
            ..print(7)
        };
        assert!(!rows.contains(other));
        assert!(!rows.contains(print(2_001)));
        // A fingerprint with a word of the free slot's value is never kept.
        for zero in [
            RowPrint { place: 0, more: 5 },
            RowPrint { place: 5, more: 0 },
        ] {
            rows.insert(zero);
            assert!(!rows.contains(zero));
        }
        assert_eq!(rows.len(), 2_000);

        // Rows that all want the same home slot: kept within MAX_PROBE slots of it, the
        // rest not kept (they would be resolved each time), and none taken for another.
        let crowd = ClearRows::with_slots(1 << 8);
        let same_home = |i: u64| RowPrint {
            place: (i + 1) << 8,
            more: i + 1,
        };
        for i in 0..100 {
            crowd.insert(same_home(i));
        }
        assert_eq!(crowd.len(), ClearRows::MAX_PROBE);
        assert_eq!(
            (0..100).filter(|&i| crowd.contains(same_home(i))).count(),
            ClearRows::MAX_PROBE
        );
    }

    #[test]
    fn clear_rows_slots_follow_the_input_size_within_bounds() {
        assert_eq!(clear_rows_slots(0), 1 << 10);
        assert_eq!(clear_rows_slots(128 * 5_000), 1 << 13);
        assert_eq!(clear_rows_slots(95_000_000), 1 << 19);
        assert_eq!(clear_rows_slots(u64::MAX), 1 << 19);
    }

    #[test]
    fn rows_met_again_are_clear_only_when_they_are_the_same_row() {
        let ix = index();
        let th = Thresholds::default();
        let (mut known, mut learned) = (NameCache::default(), NameCache::default());
        known.remember_clear_rows(1 << 10);
        let clear = RowIds {
            isin: Some("US0378331005"),
            ticker: Some("AAPL US"),
            name: Some("Apple Inc"),
            exchange: Some("NASDAQ"),
            ..RowIds::default()
        };
        let first = resolve_row_learning(&ix, &clear, &known, &mut learned, &th);
        assert_eq!(first, Resolution::default());
        // Kept in the run's table, not in the cache that learns for it.
        assert_eq!((known.clear_rows_len(), learned.clear_rows_len()), (1, 0));
        // Met again: clear, not kept twice.
        let again = resolve_row_learning(&ix, &clear, &known, &mut learned, &th);
        assert_eq!(again, Resolution::default());
        assert_eq!(known.clear_rows_len(), 1);

        // A row that differs in any one field is resolved: each of these points at a
        // listed entity.
        let listed = [
            RowIds {
                isin: Some("HK0941009539"),
                ..clear
            },
            RowIds {
                cusip: Some("16941M109"),
                ..clear
            },
            RowIds {
                ticker: Some("941 HK"),
                ..clear
            },
            RowIds {
                name: Some("China Mobile Limited"),
                ..clear
            },
            RowIds {
                issuer: Some("China Mobile Limited"),
                ..clear
            },
        ];
        for row in listed {
            let res = resolve_row_learning(&ix, &row, &known, &mut learned, &th);
            assert!(res.hit.is_some(), "{row:?}: {res:?}");
        }
        // The same texts in other fields are another row: a name that moves to the
        // issuer column, an empty field and an absent one.
        let moved = RowIds {
            name: None,
            issuer: Some("Apple Inc"),
            ..clear
        };
        let empty = RowIds {
            country: Some(""),
            ..clear
        };
        for row in [moved, empty] {
            assert_ne!(RowPrint::of(&row), RowPrint::of(&clear));
        }

        // A row with something to say (a wrong check digit) is not kept: its notes come
        // back every time.
        let noted = RowIds {
            isin: Some("US0378331006"),
            ..clear
        };
        for _ in 0..2 {
            let res = resolve_row_learning(&ix, &noted, &known, &mut learned, &th);
            assert!(res.hit.is_none() && !res.notes.is_empty(), "{res:?}");
        }
        assert_eq!(known.clear_rows_len(), 1);
        assert!(known.is_clear_row(RowPrint::of(&clear).unwrap()));

        // A row too long to keep is resolved each time; a cache that does not remember
        // rows (one that learns for the run, or another list version's) keeps none.
        let long = "x".repeat(RowPrint::MAX_BYTES);
        let long_row = RowIds {
            name: Some(&long),
            ..clear
        };
        assert_eq!(RowPrint::of(&long_row), None);
        let res = resolve_row_learning(&ix, &long_row, &known, &mut learned, &th);
        assert_eq!((res, known.clear_rows_len()), (Resolution::default(), 1));
        let plain = NameCache::default();
        let res = resolve_row_learning(&ix, &clear, &plain, &mut learned, &th);
        assert_eq!(res, Resolution::default());
        assert_eq!((plain.clear_rows_len(), learned.clear_rows_len()), (0, 0));
    }

    fn entry(
        id: &str,
        name: &str,
        tickers: &[&str],
        isins: &[&str],
        issuers: &[&str],
        akas: &[&str],
    ) -> Entry {
        Entry {
            id: id.into(),
            name: name.into(),
            party_type: PartyType::Entity,
            programs: vec![crate::list::CMIC_PROGRAM.into()],
            list_kind: ListKind::Consolidated,
            aliases: akas
                .iter()
                .map(|a| Alias {
                    kind: "aka".into(),
                    name: (*a).into(),
                    strength: None,
                })
                .collect(),
            identifiers: vec![],
            linked_to: vec![],
            remarks: None,
            remarks_truncated: false,
            countries: vec![],
            cmic: Some(CmicData {
                tickers: tickers
                    .iter()
                    .map(|t| ListedTicker {
                        raw: (*t).into(),
                        key: parse_list_ticker(t),
                    })
                    .collect(),
                isins: isins
                    .iter()
                    .map(|i| ListedIsin {
                        value: (*i).into(),
                        check: check_isin(i),
                    })
                    .collect(),
                issuer_names: issuers.iter().map(|s| (*s).into()).collect(),
                ..CmicData::default()
            }),
        }
    }

    fn index() -> ListIndex<'static> {
        // Leaked: the index borrows its entries, and tests hold it for their whole run.
        ListIndex::from_entries(Vec::leak(vec![
            entry(
                "30883",
                "CHINA MOBILE LIMITED",
                &["941 HK", "CHL US"],
                &["HK0941009539", "US16941M1099"],
                &["China Mobile Ltd"],
                &[],
            ),
            entry(
                "30900",
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
                &["002415 CN"],
                &["CNE100000PG8"],
                &["Hangzhou Hikvision Digital Technology Co Ltd"],
                &[],
            ),
            entry(
                "30920",
                "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION",
                &["00981 HK", "688981 CN"],
                &["KYG8020E1199"],
                &[],
                &["SMIC"],
            ),
        ]))
    }

    fn run(ix: &ListIndex, row: HoldingRow) -> Resolution {
        let names: NameCache = row_names(&row.ids())
            .map(|n| (n.to_string(), ix.best_name(n)))
            .collect();
        resolve_row(ix, &row.ids(), &names, &Thresholds::default())
    }

    fn hit(r: &Resolution) -> (Basis, Strength, String) {
        let h = r.hit.as_ref().expect("a hit");
        (h.basis, h.strength, h.matched_value.clone())
    }

    #[test]
    fn isin_and_cusip_inside_isin() {
        let ix = index();
        let r = run(
            &ix,
            HoldingRow {
                isin: Some("HK0941009539".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            hit(&r),
            (Basis::Isin, Strength::Strong, "HK0941009539".into())
        );
        let r = run(
            &ix,
            HoldingRow {
                cusip: Some("16941M109".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).0, Basis::Cusip);
    }

    #[test]
    fn tickers_need_a_market_to_prohibit() {
        let ix = index();
        let r = run(
            &ix,
            HoldingRow {
                ticker: Some("941 HK Equity".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).1, Strength::Strong);
        let r = run(
            &ix,
            HoldingRow {
                ticker: Some("941".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).1, Strength::Weak, "bare code is review at most");
        let r = run(
            &ix,
            HoldingRow {
                ticker: Some("941 US".into()),
                ..Default::default()
            },
        );
        assert!(r.hit.is_none(), "listed code on another market is clear");
        let r = run(
            &ix,
            HoldingRow {
                ticker: Some("2415".into()),
                exchange: Some("XSHE".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            hit(&r),
            (Basis::Ticker, Strength::Strong, "002415 CN".into())
        );
    }

    #[test]
    fn reused_ticker_with_another_name_is_review() {
        let ix = index();
        let r = run(
            &ix,
            HoldingRow {
                ticker: Some("CHL US".into()),
                name: Some("Chalet Hotels Acquisition Corp".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).1, Strength::Weak);
    }

    #[test]
    fn names_strong_weak_and_generic() {
        let ix = index();
        let r = run(
            &ix,
            HoldingRow {
                name: Some("HIKVISION DIGITAL TECH-A".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).1, Strength::Strong);
        let r = run(
            &ix,
            HoldingRow {
                name: Some("China Construction Bank Corp-H".into()),
                ..Default::default()
            },
        );
        assert!(r.hit.is_none());
        // A short a.k.a. never decides alone.
        let r = run(
            &ix,
            HoldingRow {
                name: Some("SMIC".into()),
                ..Default::default()
            },
        );
        assert_eq!(hit(&r).1, Strength::Weak);
        // Issuer on the list, identifier not.
        let r = run(
            &ix,
            HoldingRow {
                isin: Some("US0378331005".into()),
                issuer: Some("China Mobile Ltd".into()),
                ..Default::default()
            },
        );
        let h = r.hit.unwrap();
        assert_eq!(h.strength, Strength::Strong);
        assert!(
            h.explanation.contains("this identifier is not"),
            "{}",
            h.explanation
        );
    }

    #[test]
    fn mistyped_isin_is_review_and_reported() {
        let ix = index();
        // HK0941009539 with two digits swapped.
        let r = run(
            &ix,
            HoldingRow {
                isin: Some("HK0941005939".into()),
                ..Default::default()
            },
        );
        assert_eq!(check_isin("HK0941005939"), IdCheck::BadCheckDigit);
        assert_eq!(hit(&r).1, Strength::Weak);
        assert!(r.notes.iter().any(|n| n.contains("check digit")));
    }

    #[test]
    fn rows_without_anything_are_unscreenable() {
        let ix = index();
        let r = run(
            &ix,
            HoldingRow {
                quantity: Some(10.0),
                ..Default::default()
            },
        );
        assert!(r.unscreenable.is_some());
        let r = run(
            &ix,
            HoldingRow {
                sedol: Some("B0YBKJ7".into()),
                ..Default::default()
            },
        );
        assert!(r.unscreenable.unwrap().contains("SEDOL"));
        let r = run(
            &ix,
            HoldingRow {
                isin: Some("N/A".into()),
                ..Default::default()
            },
        );
        assert!(r.unscreenable.is_some());
    }
}
