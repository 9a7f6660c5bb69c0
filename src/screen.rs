//! One screening run: read the inputs, resolve every row against the index in parallel,
//! apply the dated rules, and assemble the [`ScreenReport`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;

use crate::cache::ListCache;
use crate::exceptions::{ExceptionState, ExceptionsFile, apply_exceptions};
use crate::holdings::{
    HoldingRow, HoldingsError, HoldingsFile, InputSpec, ReadOptions, discover_inputs,
    read_holdings_file,
};
use crate::index::ListIndex;
use crate::list::{ListKind, ListSnapshot, SanctionsList};
use crate::lookthrough::{Fund, ListedConstituent, apply_look_through, fund_id_from_path};
use crate::report::{
    CurrencyAmount, ExceptionsInfo, FileTotal, InputInfo, ListInfo, Position, ReportKind, RunInfo,
    ScreenReport, SettingsInfo, SnapshotInfo, Status, StatusTotal, Summary, TableInfo,
};
use crate::resolve::{Hit, NameCache, Strength, Thresholds, resolve_row, row_names};
use crate::rules::{ListingDates, judge, judge_trade, parse_side};

/// The folder of OFAC's Sanctions List Service exports (where `list update` fetches from).
pub const OFFICIAL_EXPORTS: &str = crate::list::update::DEFAULT_BASE_URL;

/// Everything a run needs besides the list.
#[derive(Debug, Clone)]
pub struct ScreenOptions {
    /// HOLDINGS arguments: files or folders.
    pub inputs: Vec<PathBuf>,
    /// The date the screen is for.
    pub as_of: NaiveDate,
    /// The run date, for the list's age (freshness is about today, not the as-of date).
    pub today: NaiveDate,
    /// When the run happened, recorded as evidence.
    pub run_at: DateTime<Utc>,
    pub read: ReadOptions,
    pub thresholds: Thresholds,
    /// A list older than this many days (on `today`) is a warning.
    pub max_list_age_days: i64,
    /// The command line, recorded as evidence.
    pub command_line: Vec<String>,
    /// Worker threads (recorded as evidence; the caller sizes the pool).
    pub threads: usize,
    /// Reviewed exceptions (`--exceptions`), already read.
    pub exceptions: Option<ExceptionsFile>,
    /// Holdings on the as-of date, or orders on their trade dates.
    pub mode: Mode,
    /// Fund constituents files or folders (`--constituents`).
    pub constituents: Vec<PathBuf>,
    /// Where list indexes are cached between runs (`--no-cache` for none).
    pub cache: Option<ListCache>,
}

/// What the input rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Positions held: judged on the as-of date (`screen`).
    #[default]
    Holdings,
    /// Orders: each judged on its own trade date, or `default_trade_date` when the row has
    /// none (`trades --trade-date`).
    Orders {
        default_trade_date: Option<NaiveDate>,
    },
}

/// Progress of a run, for a progress bar. Every method has an empty default.
pub trait Progress: Sync {
    fn files_found(&self, _count: usize) {}
    fn file_read(&self, _path: &str, _rows: usize) {}
    fn rows_total(&self, _count: usize) {}
    fn rows_resolved(&self, _count: usize) {}
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Why a run could not screen. Every variant names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error("{}", join_errors(.0))]
    Inputs(Vec<HoldingsError>),
    #[error("{0}")]
    NoInput(String),
}

fn join_errors(errors: &[HoldingsError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Run a screen.
pub fn screen(
    list: &SanctionsList,
    opts: &ScreenOptions,
    progress: &dyn Progress,
) -> Result<ScreenReport, ScreenError> {
    let (specs, mut warnings) =
        discover_inputs(&opts.inputs).map_err(|e| ScreenError::Inputs(vec![e]))?;
    if specs.is_empty() {
        return Err(ScreenError::NoInput(format!(
            "no holdings files (.xlsx .xlsm .xls .xlsb .ods .csv .tsv) found in {}",
            opts.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    progress.files_found(specs.len());
    let files = read_all(&specs, &opts.read, progress)?;
    let constituent_files = if opts.constituents.is_empty() {
        Vec::new()
    } else {
        let (cspecs, cwarnings) =
            discover_inputs(&opts.constituents).map_err(|e| ScreenError::Inputs(vec![e]))?;
        warnings.extend(cwarnings);
        let cfiles = read_all(&cspecs, &opts.read, progress)?;
        let empty: Vec<HoldingsError> = cspecs
            .iter()
            .zip(&cfiles)
            .filter(|(_, f)| f.tables.is_empty())
            .map(|(spec, _)| HoldingsError::File {
                path: spec.display.clone(),
                message:
                    "no constituents table found (a header naming ISIN, ticker or name columns)"
                        .into(),
            })
            .collect();
        if !empty.is_empty() {
            return Err(ScreenError::Inputs(empty));
        }
        cfiles
    };

    let mut errors = Vec::new();
    for (spec, file) in specs.iter().zip(&files) {
        if file.tables.is_empty() {
            let why = file
                .skipped_sheets
                .iter()
                .map(|s| {
                    if s.sheet.is_empty() {
                        s.reason.clone()
                    } else {
                        format!("sheet {}: {}", s.sheet, s.reason)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            let msg = format!(
                "no holdings table found ({why}); name the columns with --column ROLE=HEADER, e.g. --column isin=\"Security ID\""
            );
            if spec.explicit {
                errors.push(HoldingsError::File {
                    path: spec.display.clone(),
                    message: msg,
                });
            } else {
                warnings.push(format!("{}: skipped: {msg}", spec.display));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ScreenError::Inputs(errors));
    }

    let rows = table_rows(&files);
    progress.rows_total(rows.len());

    // The list versions in force: on the as-of date for holdings, on each trade date for
    // orders. One immutable index per set of versions.
    let (main_key, before_all) = in_force(list, opts.as_of);
    for (kind, date) in before_all {
        warnings.push(format!(
            "the {} date {} is before the {} list version given ({date}): entries removed from the list before {date} are not known; listing dates give the additions",
            if matches!(opts.mode, Mode::Orders { .. }) { "run" } else { "as-of" },
            opts.as_of,
            kind_name(kind)
        ));
    }
    let row_keys: Vec<Vec<usize>> = rows
        .iter()
        .map(|(_, _, r)| match opts.mode {
            Mode::Holdings => main_key.clone(),
            Mode::Orders { default_trade_date } => match r.trade_date.or(default_trade_date) {
                Some(d) => in_force(list, d).0,
                None => main_key.clone(),
            },
        })
        .collect();
    let mut keys: BTreeSet<Vec<usize>> = row_keys.iter().cloned().collect();
    keys.insert(main_key.clone());
    // Built, or read from the cache: the same index either way, so the report does not
    // say which.
    let indexes: BTreeMap<Vec<usize>, ListIndex> = keys
        .into_par_iter()
        .map(|k| {
            let snaps: Vec<&ListSnapshot> = k.iter().map(|&i| &list.snapshots[i]).collect();
            (k, ListIndex::build_cached(&snaps, opts.cache.as_ref()).0)
        })
        .collect();
    let index = &indexes[&main_key];
    if index.counts().0 == 0 {
        warnings.push("the list holds no NS-CMIC (CMIC-EO13959) entries: nothing can match; pass the consolidated (non-SDN) list with --list".into());
    }
    let versions_used = indexes.len();
    if let Mode::Orders { default_trade_date } = opts.mode {
        let mut early: Vec<(ListKind, NaiveDate)> = Vec::new();
        for (_, _, r) in &rows {
            if let Some(d) = r.trade_date.or(default_trade_date) {
                for e in in_force(list, d).1 {
                    if !early.contains(&e) {
                        early.push(e);
                    }
                }
            }
        }
        for (kind, date) in early {
            warnings.push(format!(
                "some trade dates are before the earliest {} list version given ({date}): they are judged against it; entries removed before {date} are not known",
                kind_name(kind)
            ));
        }
    }

    // Names once per distinct text and list version.
    let caches: BTreeMap<&Vec<usize>, NameCache> = indexes
        .iter()
        .map(|(k, ix)| {
            let mine = rows
                .iter()
                .zip(&row_keys)
                .filter(|(_, rk)| *rk == k)
                .map(|(r, _)| r.2);
            (k, name_cache(ix, mine))
        })
        .collect();

    let mut positions: Vec<Position> = rows
        .par_iter()
        .zip(row_keys.par_iter())
        .with_min_len(256)
        .map(|((file, sheet, row), key)| {
            let mut p = position(&indexes[key], &caches[key], opts, file, *sheet, row);
            if versions_used > 1 {
                p.notes.push(format!(
                    "judged against the list in force then: {}",
                    versions_label(list, key)
                ));
            }
            progress.rows_resolved(1);
            p
        })
        .collect();

    // Funds: what their constituents files hold that is listed, then every position or
    // order that names a fund.
    let funds = funds_of(&constituent_files, index, &opts.thresholds);
    let fund_info = if funds.is_empty() {
        Vec::new()
    } else {
        let orders = matches!(opts.mode, Mode::Orders { .. });
        apply_look_through(&funds, &mut positions, index, orders, |p| {
            if orders {
                p.trade_date
            } else {
                Some(opts.as_of)
            }
        })
    };

    let exceptions = opts.exceptions.as_ref().map(|file| {
        let outcomes = apply_exceptions(file, &mut positions, index, opts.as_of);
        for o in &outcomes {
            if o.state != ExceptionState::Applied {
                warnings.push(format!(
                    "exception {} {}: {}",
                    o.source,
                    o.state.as_str(),
                    o.message.as_deref().unwrap_or("")
                ));
            }
        }
        ExceptionsInfo {
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            outcomes,
        }
    });

    let mut list_info = list_info(list, index, opts);
    list_info.in_force = versions_label(list, &main_key);
    if let Some(age) = list_info.age_days
        && age > opts.max_list_age_days
    {
        warnings.push(format!(
            "the list is {age} days old (over {} days): OFAC may have changed it since. Download the current CONS_PRIM.CSV, CONS_ALT.CSV, CONS_ADD.CSV and CONS_COMMENTS.CSV (or CONSOLIDATED.XML) from {} and pass them with --list",
            opts.max_list_age_days,
            OFFICIAL_EXPORTS
        ));
    }
    if let Some(date) = list_info.publication_date
        && opts.as_of > date
        && opts.as_of > opts.today
    {
        warnings.push(format!("the as-of date {} is in the future", opts.as_of));
    }

    let inputs = files.iter().map(input_info).collect();
    let kind = match opts.mode {
        Mode::Holdings => ReportKind::Holdings,
        Mode::Orders { .. } => ReportKind::Orders,
    };
    let summary = summarise(kind, &positions, &files);
    drop(caches);
    drop(indexes);
    Ok(ScreenReport {
        kind,
        as_of: opts.as_of,
        run: RunInfo {
            tool: "holdscreen".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command_line: opts.command_line.clone(),
            run_at: opts.run_at,
        },
        list: list_info,
        settings: SettingsInfo {
            name_prohibit_threshold: opts.thresholds.prohibit,
            name_review_threshold: opts.thresholds.review,
            column_overrides: opts
                .read
                .column_overrides
                .iter()
                .map(|(r, h)| format!("{r}={h}"))
                .collect(),
            threads: opts.threads,
        },
        inputs,
        summary,
        warnings,
        exceptions,
        constituents: constituent_files.iter().map(input_info).collect(),
        funds: fund_info,
        positions,
    })
}

fn read_all(
    specs: &[InputSpec],
    read: &ReadOptions,
    progress: &dyn Progress,
) -> Result<Vec<HoldingsFile>, ScreenError> {
    let results: Vec<Result<HoldingsFile, HoldingsError>> = specs
        .par_iter()
        .map(|spec| {
            let r = read_holdings_file(spec, read);
            if let Ok(f) = &r {
                progress.file_read(&f.path, f.row_count());
            }
            r
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(ScreenError::Inputs(errors))
    }
}

fn position(
    index: &ListIndex,
    names: &NameCache,
    opts: &ScreenOptions,
    file: &HoldingsFile,
    sheet: Option<&str>,
    row: &HoldingRow,
) -> Position {
    let res = resolve_row(index, row, names, &opts.thresholds);
    let mut p = Position {
        file: file.path.clone(),
        sheet: sheet.map(str::to_string),
        row: row.row,
        status: Status::Clear,
        entity_id: None,
        entity_name: None,
        basis: None,
        score: None,
        listing_date: None,
        effective_date: None,
        divestment_deadline: None,
        window: None,
        last_day_to_divest: None,
        days_left: None,
        matched_value: None,
        explanation: None,
        action: None,
        notes: Vec::new(),
        account: row.account.clone(),
        security: row.name.clone(),
        issuer: row.issuer.clone(),
        isin: row.isin.clone(),
        cusip: row.cusip.clone(),
        sedol: row.sedol.clone(),
        ticker: row.ticker.clone(),
        exchange: row.exchange.clone(),
        quantity: row.quantity,
        price: row.price,
        market_value: row.market_value,
        currency: row.currency.clone(),
        exception: None,
        trade_date: None,
        side: None,
    };
    if let Some(reason) = res.unscreenable {
        p.status = Status::Invalid;
        p.action =
            Some("Add an identifier or the issuer's name to the row and screen again.".into());
        p.notes.push(reason);
    } else if let Mode::Orders { default_trade_date } = opts.mode {
        order_verdict(index, &mut p, row, res.hit, default_trade_date);
    } else if let Some(hit) = res
        .hit
        .as_ref()
        .filter(|h| index.entry(h.entry).list_kind == ListKind::Sdn)
    {
        sdn_verdict(index, &mut p, hit, false);
    } else if let Some(hit) = res.hit {
        let dates = record_match(index, &mut p, &hit);
        let verdict = judge(&dates, hit.strength, opts.as_of);
        p.status = verdict.status;
        p.window = verdict.window;
        p.last_day_to_divest = verdict.last_day_to_divest;
        p.days_left = verdict.days_left;
        if verdict.not_yet_listed
            && let Some(e) = &mut p.explanation
        {
            e.push_str("; listed after the as-of date");
        }
        p.action = Some(verdict.action);
    }
    p.notes.extend(res.notes);
    p.notes.extend(
        row.problems
            .iter()
            .map(|c| format!("{}: {}", c.column, c.message)),
    );
    p
}

/// Every (file, sheet, row) of some files, in input order.
fn table_rows(files: &[HoldingsFile]) -> Vec<(&HoldingsFile, Option<&str>, &HoldingRow)> {
    files
        .iter()
        .flat_map(|f| {
            f.tables
                .iter()
                .flat_map(move |t| t.rows.iter().map(move |r| (f, t.sheet.as_deref(), r)))
        })
        .collect()
}

/// The best list name for every distinct name of some rows, resolved once each, in parallel.
fn name_cache<'a>(index: &ListIndex, rows: impl Iterator<Item = &'a HoldingRow>) -> NameCache {
    // A hash set: books repeat names across accounts, and ordering them costs more than
    // resolving them (the cache is looked up, never iterated).
    let distinct: rustc_hash::FxHashSet<&str> = rows.flat_map(row_names).collect();
    distinct
        .into_par_iter()
        .map(|n| (n.to_string(), index.best_name(n)))
        .collect()
}

/// Read funds from constituents files: one fund per fund/account value of a table (or per
/// file, named by the file), with its constituents that resolve to a listed entry.
fn funds_of(files: &[HoldingsFile], index: &ListIndex, thresholds: &Thresholds) -> Vec<Fund> {
    let rows = table_rows(files);
    let names = name_cache(index, rows.iter().map(|r| r.2));
    let mut funds: Vec<Fund> = Vec::new();
    for (file, sheet, row) in rows {
        let id = row
            .account
            .clone()
            .unwrap_or_else(|| fund_id_from_path(&file.path));
        let fi = match funds
            .iter()
            .position(|f| f.id == id.trim() && f.file == file.path)
        {
            Some(i) => i,
            None => {
                funds.push(Fund::new(&id, &file.path));
                funds.len() - 1
            }
        };
        let fund = &mut funds[fi];
        fund.constituents += 1;
        let res = resolve_row(index, row, &names, thresholds);
        if let Some(hit) = res.hit {
            let entry = index.entry(hit.entry);
            fund.listed.push(ListedConstituent {
                location: match sheet {
                    Some(s) => format!("{} [{s}] row {}", file.path, row.row),
                    None => format!("{} line {}", file.path, row.row),
                },
                security: row
                    .name
                    .clone()
                    .or_else(|| row.isin.clone())
                    .or_else(|| row.ticker.clone())
                    .unwrap_or_default(),
                weight: row.weight,
                entry: hit.entry,
                basis: hit.basis,
                strength: hit.strength,
                dates: ListingDates::of(entry.cmic.as_ref()),
            });
        }
    }
    funds
}

/// The snapshots in force on a date: for each list kind, the newest snapshot dated on or
/// before it (undated snapshots count as oldest). When the date precedes every snapshot of a
/// kind, the earliest is used and returned in the second value with its date.
fn in_force(list: &SanctionsList, date: NaiveDate) -> (Vec<usize>, Vec<(ListKind, NaiveDate)>) {
    let mut chosen = Vec::new();
    let mut before = Vec::new();
    for kind in [ListKind::Consolidated, ListKind::Sdn] {
        let mut of_kind: Vec<(Option<NaiveDate>, usize)> = list
            .snapshots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == kind)
            .map(|(i, s)| (s.date, i))
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        of_kind.sort();
        match of_kind
            .iter()
            .rev()
            .find(|(d, _)| d.is_none_or(|d| d <= date))
        {
            Some(&(_, i)) => chosen.push(i),
            None => {
                let (d, i) = of_kind[0];
                chosen.push(i);
                if let Some(d) = d {
                    before.push((kind, d));
                }
            }
        }
    }
    chosen.sort_unstable();
    (chosen, before)
}

fn kind_name(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Consolidated => "consolidated (non-SDN)",
        ListKind::Sdn => "SDN",
    }
}

/// One line naming the versions in a key.
fn versions_label(list: &SanctionsList, key: &[usize]) -> String {
    key.iter()
        .map(|&i| {
            let s = &list.snapshots[i];
            match s.date {
                Some(d) => format!("{} ({d})", s.description),
                None => s.description.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Record what a row matched: the entry, basis, score, list value, explanation and the
/// entry's CMIC dates (returned, for the rules).
fn record_match(index: &ListIndex, p: &mut Position, hit: &Hit) -> ListingDates {
    let entry = index.entry(hit.entry);
    let dates = ListingDates::of(entry.cmic.as_ref());
    p.entity_id = Some(entry.id.clone());
    p.entity_name = Some(entry.name.clone());
    p.basis = Some(hit.basis);
    p.score = Some((hit.score * 100.0).round() / 100.0);
    p.matched_value = Some(hit.matched_value.clone());
    p.explanation = Some(hit.explanation.clone());
    p.listing_date = dates.listing;
    p.effective_date = dates.effective;
    p.divestment_deadline = dates.divestment;
    if dates.computed {
        p.notes.push(
            "a CMIC date missing from the list was computed from the listing date (+60 / +365 days)"
                .into(),
        );
    }
    dates
}

/// A match on an SDN-list entity: blocked property, to freeze and report, not to divest.
fn sdn_verdict(index: &ListIndex, p: &mut Position, hit: &Hit, order: bool) {
    let entry = index.entry(hit.entry);
    record_match(index, p, hit);
    p.explanation = Some(format!(
        "{}; SDN list ({})",
        hit.explanation,
        entry.programs.join(", ")
    ));
    if hit.strength == Strength::Weak {
        p.status = Status::Review;
        p.action = Some(
            "Possible SDN match: confirm or dismiss it now; if confirmed, the property is blocked."
                .into(),
        );
    } else {
        p.status = Status::Blocked;
        p.action = Some(if order {
            "Blocked: any trade in property of an SDN is prohibited; do not send the order, and report it to OFAC if it was attempted.".into()
        } else {
            "Block (freeze) the position: do not trade or transfer it, and report it to OFAC within 10 business days (31 CFR 501.603).".into()
        });
    }
}

/// Judge an order row: its side and trade date, then the rules on that date.
fn order_verdict(
    index: &ListIndex,
    p: &mut Position,
    row: &HoldingRow,
    hit: Option<Hit>,
    default_trade_date: Option<NaiveDate>,
) {
    p.side = row.side.clone();
    p.trade_date = row.trade_date.or(default_trade_date);
    let side = row.side.as_deref().and_then(parse_side);
    let mut missing = Vec::new();
    if side.is_none() {
        missing.push(match &row.side {
            Some(s) => format!(
                "side '{s}' is not understood (use BUY, SELL, SS for a short sale, BC to cover)"
            ),
            None => "no side: add a Side or Buy/Sell column".to_string(),
        });
    }
    if p.trade_date.is_none() {
        missing.push(match &row.trade_date_text {
            Some(t) => format!(
                "trade date '{t}' is not a date (write YYYY-MM-DD), and no --trade-date was given"
            ),
            None => "no trade date: add a Trade Date column or pass --trade-date".to_string(),
        });
    }
    let dates = hit.as_ref().map(|h| record_match(index, p, h));
    let (Some(side), Some(trade_date)) = (side, p.trade_date) else {
        p.status = Status::Invalid;
        p.action = Some("Fix the order (side and trade date) and check it again.".into());
        p.notes.extend(missing);
        return;
    };
    if let Some(h) = hit
        .as_ref()
        .filter(|h| index.entry(h.entry).list_kind == ListKind::Sdn)
    {
        sdn_verdict(index, p, h, true);
        return;
    }
    let Some(hit) = hit else {
        p.status = Status::Allowed;
        p.action = Some(format!(
            "Allowed: no listed security involved ({} on {trade_date}).",
            side.as_str()
        ));
        return;
    };
    let dates = dates.unwrap_or_else(|| ListingDates::of(None));
    let v = judge_trade(&dates, hit.strength, side, trade_date);
    p.status = v.status;
    p.window = v.window;
    p.last_day_to_divest = v.last_day_to_divest;
    p.days_left = v.days_left;
    p.action = Some(match v.status {
        Status::Blocked => format!("Blocked: {}.", v.rule),
        Status::DivestOnly => format!("Divest only: {}.", v.rule),
        Status::Review => format!("Review: {}.", v.rule),
        _ => format!("Allowed: {}.", v.rule),
    });
}

fn list_info(list: &SanctionsList, index: &ListIndex, opts: &ScreenOptions) -> ListInfo {
    let snapshots: Vec<SnapshotInfo> = list
        .snapshots
        .iter()
        .map(|s| SnapshotInfo {
            description: s.description.clone(),
            format: s.format,
            kind: s.kind,
            date: s.date,
            date_basis: s.date_basis,
            record_count: s.record_count,
            entries: s.entries.len() + s.omitted_entries,
            cmic_entries: s.cmic_entries().count(),
            files: s.files.clone(),
        })
        .collect();
    let publication_date = list
        .snapshots
        .iter()
        .filter(|s| s.kind == ListKind::Consolidated || s.cmic_entries().next().is_some())
        .filter_map(|s| s.date)
        .max();
    let embedded = list.snapshots.iter().any(|s| s.embedded);
    let source = list
        .snapshots
        .iter()
        .map(|s| s.description.clone())
        .collect::<Vec<_>>()
        .join(" + ");
    // OFAC's own defective identifiers are kept and recorded as notes (evidence); other
    // list warnings (cut remarks, unknown files) are for the user's attention.
    let (notes, warnings): (Vec<String>, Vec<String>) = list
        .snapshots
        .iter()
        .flat_map(|s| s.warnings.iter().cloned())
        .partition(|w| w.ends_with("kept as listed"));
    ListInfo {
        source,
        embedded,
        publication_date,
        age_days: publication_date.map(|d| (opts.today - d).num_days()),
        entry_count: index.counts().0,
        sdn_entity_count: index.counts().1,
        snapshots,
        in_force: String::new(),
        warnings,
        notes,
    }
}

fn input_info(f: &HoldingsFile) -> InputInfo {
    InputInfo {
        path: f.path.clone(),
        format: f.format.clone(),
        sha256: f.sha256.clone(),
        bytes: f.bytes,
        rows: f.row_count(),
        tables: f
            .tables
            .iter()
            .map(|t| TableInfo {
                sheet: t.sheet.clone(),
                header_row: t.header_row,
                rows: t.rows.len(),
                columns: t.columns.clone(),
                ignored: t.ignored.clone(),
            })
            .collect(),
        skipped_sheets: f.skipped_sheets.clone(),
    }
}

fn summarise(kind: ReportKind, positions: &[Position], files: &[HoldingsFile]) -> Summary {
    let by_status = kind
        .statuses()
        .iter()
        .map(|&status| {
            let mut mv: BTreeMap<String, f64> = BTreeMap::new();
            let mut n = 0;
            for p in positions.iter().filter(|p| p.status == status) {
                n += 1;
                if let Some(v) = p.market_value.filter(|v| v.is_finite()) {
                    *mv.entry(p.currency.clone().unwrap_or_default().to_ascii_uppercase())
                        .or_default() += v;
                }
            }
            StatusTotal {
                status,
                positions: n,
                market_value: mv
                    .into_iter()
                    .map(|(currency, amount)| CurrencyAmount { currency, amount })
                    .collect(),
            }
        })
        .collect();
    let by_file = files
        .iter()
        .map(|f| {
            let mine: Vec<&Position> = positions.iter().filter(|p| p.file == f.path).collect();
            FileTotal {
                file: f.path.clone(),
                positions: mine.len(),
                by_status: kind
                    .statuses()
                    .iter()
                    .map(|&s| (s, mine.iter().filter(|p| p.status == s).count()))
                    .collect(),
            }
        })
        .collect();
    Summary {
        positions: positions.len(),
        by_status,
        by_file,
    }
}

/// Exit code for a finished screen (contract.md): 1 when anything is prohibited or blocked.
pub fn exit_code(report: &ScreenReport) -> u8 {
    if report.count(Status::Prohibited) > 0 || report.count(Status::Blocked) > 0 {
        1
    } else {
        0
    }
}
