//! One screening run: read the inputs, resolve every row against the index in parallel,
//! apply the dated rules, and assemble the [`ScreenReport`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;

use crate::cache::ListCache;
use crate::exceptions::{ExceptionRun, ExceptionState, ExceptionsFile};
use crate::holdings::cells::Cell;
use crate::holdings::read::{
    RowLook, TextFields, look_text_row, read_looked_text_row, read_text_row, text_row_amounts,
};
use crate::holdings::text_chunks::{Record, TextChunk};
use crate::holdings::{
    HoldingRow, HoldingRowRef, HoldingsError, HoldingsFile, IgnoredRow, InputSpec, PackedRows,
    ReadOptions, RowRead, RowSink, TableHeader, discover_inputs, read_holdings_file,
    read_holdings_file_into, read_packed_row, read_packed_row_for_screening, trim_trailing_blanks,
};
use crate::index::{ListIndex, NameMatch};
use crate::input_queues::InputQueues;
use crate::list::{ListKind, ListSnapshot, SanctionsList};
use crate::lookthrough::{
    Fund, ListedConstituent, fund_id_from_path, fund_infos, look_through_batch,
};
use crate::names::NormName;
use crate::report::{
    CurrencyAmount, ExceptionsInfo, FileTotal, InputInfo, ListInfo, Position, ReportKind, RunInfo,
    ScreenReport, SettingsInfo, SnapshotInfo, Status, StatusTotal, Summary, TableInfo,
};
use crate::resolve::{
    Hit, NameCache, Resolution, RowPrint, Strength, Thresholds, clear_rows_slots,
    resolve_printed_row, resolve_row, row_names,
};
use crate::rules::{ListingDates, judge, judge_trade, parse_side};
use crate::util::CompensatedSum;

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
    /// Which positions the report keeps (holdings; orders are always all kept).
    pub keep: Keep,
}

/// Which positions a holdings report keeps in [`ScreenReport::positions`]. The summary
/// counts every row either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// Every position (what the JSON document and the All positions sheet need).
    #[default]
    All,
    /// Only the positions that need attention (every status but `clear`): what the
    /// default Excel report shows. Memory then grows with the findings, not with the book.
    Attention,
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
    screen_with(list, opts, progress, None)
}

/// Receives the positions of a run, in input order, a batch at a time.
pub type PositionsReceiver<'a> = dyn FnMut(&[Position]) + 'a;

/// Run a screen, giving every position, in input order and a batch at a time, to
/// `each_batch` as soon as it is judged (to write it out at once); the report keeps the
/// positions [`ScreenOptions::keep`] says.
pub fn screen_with(
    list: &SanctionsList,
    opts: &ScreenOptions,
    progress: &dyn Progress,
    mut each_batch: Option<&mut PositionsReceiver<'_>>,
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

    // The list versions in force: on the as-of date for holdings, on each trade date for
    // orders. The main index is built before any row is read; others when a trade date
    // first needs them.
    let (main_key, before_all) = in_force(list, opts.as_of);
    // Said after the warnings about the files, as they come first.
    let mut list_warnings: Vec<String> = Vec::new();
    for (kind, date) in before_all {
        list_warnings.push(format!(
            "the {} date {} is before the {} list version given ({date}): entries removed from the list before {date} are not known; listing dates give the additions",
            if matches!(opts.mode, Mode::Orders { .. }) { "run" } else { "as-of" },
            opts.as_of,
            kind_name(kind)
        ));
    }
    let mut versions = Versions::new(list, opts.cache.as_ref());
    let main = versions.id_of(main_key.clone());
    if versions.index(main).counts().0 == 0 {
        list_warnings.push("the list holds no NS-CMIC (CMIC-EO13959) entries: nothing can match; pass the consolidated (non-SDN) list with --list".into());
    }
    // Orders name the versions that judged them when the list has several of a kind.
    let several_versions = matches!(opts.mode, Mode::Orders { .. })
        && [ListKind::Consolidated, ListKind::Sdn]
            .iter()
            .any(|k| list.snapshots.iter().filter(|s| s.kind == *k).count() > 1);

    // Funds: what their constituents files hold that is listed.
    let funds = funds_of(&constituent_files, versions.index(main), &opts.thresholds);
    let mut fund_used = vec![0usize; funds.len()];
    let mut exception_run = opts
        .exceptions
        .as_ref()
        .map(|file| ExceptionRun::new(file, versions.index(main), opts.as_of));

    let kind = match opts.mode {
        Mode::Holdings => ReportKind::Holdings,
        Mode::Orders { .. } => ReportKind::Orders,
    };
    let orders = kind == ReportKind::Orders;
    let keep_all = orders || opts.keep == Keep::All;
    let mut summary = SummaryBuilder::new(kind, specs.len());
    let mut kept: Vec<Position> = Vec::new();
    let mut early: Vec<(ListKind, NaiveDate)> = Vec::new();

    // Without funds nothing changes a `clear` verdict after the rows are judged: positions
    // the report does not keep are counted and dropped by the worker that made them.
    let drop_early = !keep_all && funds.is_empty() && each_batch.is_none();
    // Holdings whose clear positions are only counted are read, resolved and judged in one
    // pass over the rows as the reader packed them, their texts borrowed.
    let one_pass = drop_early && opts.mode == Mode::Holdings;
    if one_pass {
        // Rows found clear are remembered for the run: a row met again (the same security
        // in another account) is clear at once. The table is sized to the input.
        let input_bytes: u64 = specs
            .iter()
            .filter_map(|s| std::fs::metadata(&s.path).ok())
            .map(|m| m.len())
            .sum();
        versions
            .names_mut(main)
            .remember_clear_rows(clear_rows_slots(input_bytes));
    }

    // Rows are screened in batches as the files are read: resolved and judged in parallel,
    // counted, and kept only when the report needs them.
    let results = stream_inputs(
        &specs,
        &opts.read,
        opts.threads,
        progress,
        |fi, path, sheet, rows| {
            let BatchRows {
                input,
                header,
                table,
            } = rows;
            // The batch's rows: a chunk of text is parsed piece by piece on the workers;
            // when holdings are screened in one pass each piece is screened there too, as
            // it is parsed (its clear rows counted together), else its rows are packed.
            // Names no earlier batch had are resolved by the worker that meets them, and
            // added to the run's names once the batch is screened.
            let mut learned: Vec<NameCache> = Vec::new();
            // The pieces' screened rows, when they were screened as they were parsed.
            let mut screened_pieces: Option<Vec<Vec<Screened<'static>>>> = None;
            let parsed: Vec<PackedRows>;
            let packs: &[PackedRows] = match input {
                BatchInput::Packed(rows) => std::slice::from_ref(rows),
                BatchInput::Text(chunk) if one_pass => {
                    // Each piece screened as it is parsed, its records not packed (a piece
                    // that is not text as it is, e.g. Windows-1252, is packed first).
                    let (index, names) = versions.get(main);
                    let pieces: Vec<Vec<Screened>>;
                    (pieces, learned) = (0..chunk.pieces())
                        .into_par_iter()
                        .map(|j| {
                            let mut new_names = NameCache::default();
                            let direct =
                                PackedContext::new(opts, path, sheet.as_deref(), &[], header)
                                    .screen_text_piece(index, names, &mut new_names, chunk, j);
                            let screened = if let Some(screened) = direct {
                                screened
                            } else {
                                let mut rows = PackedRows::default();
                                chunk.pack_piece(j, &mut rows);
                                let ctx = PackedContext::new(
                                    opts,
                                    path,
                                    sheet.as_deref(),
                                    std::slice::from_ref(&rows),
                                    header,
                                );
                                ctx.screen_all(index, names, &mut new_names, 0..ctx.len())
                            };
                            (screened, new_names)
                        })
                        .unzip();
                    screened_pieces = Some(pieces);
                    &[]
                }
                BatchInput::Text(chunk) => {
                    parsed = (0..chunk.pieces())
                        .into_par_iter()
                        .map(|j| {
                            let mut rows = PackedRows::default();
                            chunk.pack_piece(j, &mut rows);
                            rows
                        })
                        .collect();
                    &parsed
                }
            };
            let screened = if one_pass {
                let screened: Vec<Screened> = if let Some(pieces) = screened_pieces {
                    pieces.into_iter().flatten().collect()
                } else {
                    // In runs of rows, each run's clear rows counted together.
                    const RUN: usize = 512;
                    let ctx = PackedContext::new(opts, path, sheet.as_deref(), packs, header);
                    let (index, names) = versions.get(main);
                    let runs: Vec<(Vec<Screened>, NameCache)> = (0..ctx.len().div_ceil(RUN))
                        .into_par_iter()
                        .map(|r| {
                            let mut new_names = NameCache::default();
                            let rows = r * RUN..((r + 1) * RUN).min(ctx.len());
                            (
                                ctx.screen_all(index, names, &mut new_names, rows),
                                new_names,
                            )
                        })
                        .collect();
                    let mut all = Vec::new();
                    for (screened, new_names) in runs {
                        all.extend(screened);
                        learned.push(new_names);
                    }
                    all
                };
                for new_names in learned {
                    versions.names_mut(main).absorb(new_names);
                }
                screened
            } else {
                let batch: Vec<HoldingRow> = packs
                    .iter()
                    .flat_map(|rows| read_packed(rows, header, table))
                    .collect();
                let key_ids: Vec<usize> = match opts.mode {
                    Mode::Holdings => vec![main; batch.len()],
                    Mode::Orders { default_trade_date } => batch
                        .iter()
                        .map(|r| match r.trade_date.or(default_trade_date) {
                            Some(d) => {
                                let (key, before) = in_force(list, d);
                                for e in before {
                                    if !early.contains(&e) {
                                        early.push(e);
                                    }
                                }
                                versions.id_of(key)
                            }
                            None => main,
                        })
                        .collect(),
                };
                versions.resolve_names(&batch, &key_ids);
                let versions = &versions;
                let sheet = sheet.as_deref();
                let screened: Vec<Screened> = batch
                    .into_par_iter()
                    .zip(key_ids.into_par_iter())
                    .with_min_len(256)
                    .map(|(row, k)| {
                        let (ix, names) = versions.get(k);
                        let res = resolve_row(ix, &row.ids(), names, &opts.thresholds);
                        // A holding that nothing points at is clear: counted, no
                        // position made.
                        if drop_early
                            && opts.mode == Mode::Holdings
                            && res.hit.is_none()
                            && res.unscreenable.is_none()
                        {
                            return Screened::Counted(Counted {
                                row: row.row,
                                status: Status::Clear,
                                market_value: row.market_value,
                                currency: row.currency.map(Cow::Owned),
                            });
                        }
                        let mut p = position(ix, opts, path, sheet, row, res);
                        if several_versions {
                            p.notes.push(format!(
                                "judged against the list in force then: {}",
                                versions.label(k)
                            ));
                        }
                        if drop_early && p.status == Status::Clear {
                            Screened::Counted(Counted::from(p))
                        } else {
                            Screened::Kept(Box::new(p))
                        }
                    })
                    .collect();
                screened
            };
            let mut rows = 0usize;
            let mut full: Vec<Position> = Vec::new();
            let mut counted: Vec<Option<Count>> = Vec::with_capacity(screened.len());
            for s in screened {
                let number = match s {
                    Screened::Kept(p) => {
                        let number = p.row;
                        full.push(*p);
                        counted.push(None);
                        number
                    }
                    Screened::Counted(c) => {
                        let number = c.row;
                        counted.push(Some(Count::One(c)));
                        number
                    }
                    Screened::Tally(t) => {
                        rows += t.rows;
                        if one_pass {
                            table.rows += t.rows;
                            table.last_data_row = Some(t.last_row);
                        }
                        counted.push(Some(Count::Many(t)));
                        continue;
                    }
                    Screened::Ignored(ignored) => {
                        table.ignored.push(ignored);
                        continue;
                    }
                };
                rows += 1;
                if one_pass {
                    table.rows += 1;
                    table.last_data_row = Some(number);
                }
            }
            if !funds.is_empty() {
                look_through_batch(
                    &funds,
                    &mut full,
                    versions.index(main),
                    orders,
                    |p| {
                        if orders {
                            p.trade_date
                        } else {
                            Some(opts.as_of)
                        }
                    },
                    &mut fund_used,
                );
            }
            if let Some(run) = &mut exception_run {
                run.apply(&mut full);
            }
            progress.rows_resolved(rows);
            // With a receiver, every position of the batch is here (none was dropped early).
            if let Some(f) = each_batch.as_mut() {
                f(&full);
            }
            // Counted in input order (sums of market values do not depend on threads).
            let mut full = full.into_iter();
            for c in counted {
                match c {
                    Some(Count::One(c)) => {
                        summary.add(fi, c.status, c.market_value, c.currency.as_deref())
                    }
                    Some(Count::Many(t)) => summary.add_tally(fi, &t),
                    None => {
                        if let Some(p) = full.next() {
                            summary.add(fi, p.status, p.market_value, p.currency.as_deref());
                            if keep_all || p.status != Status::Clear {
                                kept.push(p);
                            }
                        }
                    }
                }
            }
        },
    );
    let mut files: Vec<HoldingsFile> = Vec::with_capacity(results.len());
    let mut file_indexes: Vec<usize> = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(f) => {
                files.push(f);
                file_indexes.push(i);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ScreenError::Inputs(errors));
    }
    // A sheet that could not be read (to its end) is said at the top of the report, not
    // only among the inputs: positions in it may be missing.
    for file in files.iter().chain(&constituent_files) {
        for sk in &file.skipped_sheets {
            if sk.reason.starts_with("unreadable") && !file.tables.is_empty() {
                warnings.push(format!(
                    "{}: sheet {}: {}: positions on it may be missing; re-save the file from Excel and screen it again",
                    file.path, sk.sheet, sk.reason
                ));
            }
        }
    }
    for (spec, file) in file_indexes.iter().map(|&i| &specs[i]).zip(&files) {
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
    warnings.extend(list_warnings);
    for (kind, date) in early {
        warnings.push(format!(
            "some trade dates are before the earliest {} list version given ({date}): they are judged against it; entries removed before {date} are not known",
            kind_name(kind)
        ));
    }
    let index = versions.index(main);
    let fund_info = if funds.is_empty() {
        Vec::new()
    } else {
        fund_infos(&funds, index, &fund_used)
    };
    let exceptions = exception_run.map(|run| {
        let file = run.file();
        let outcomes = run.outcomes();
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
    let summary = summary.finish(file_indexes.iter().zip(&files).map(|(&i, f)| (i, f)));
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
        positions: kept,
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

/// The position of a row, from its resolution.
fn position(
    index: &ListIndex,
    opts: &ScreenOptions,
    file: &str,
    sheet: Option<&str>,
    row: HoldingRow,
    res: Resolution,
) -> Position {
    // The row's texts move into the position (no copy per row).
    let mut p = Position {
        file: file.to_string(),
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
        account: row.account,
        security: row.name,
        issuer: row.issuer,
        isin: row.isin,
        cusip: row.cusip,
        sedol: row.sedol,
        ticker: row.ticker,
        exchange: row.exchange,
        quantity: row.quantity,
        price: row.price,
        market_value: row.market_value,
        currency: row.currency,
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
        let order = Order {
            side: row.side,
            trade_date: row.trade_date.or(default_trade_date),
            trade_date_text: row.trade_date_text,
        };
        order_verdict(index, &mut p, order, res.hit);
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
            .into_iter()
            .map(|c| format!("{}: {}", c.column, c.message)),
    );
    p
}

/// What an order row says besides the security: side and trade date.
struct Order {
    side: Option<String>,
    /// The row's date, else `--trade-date`.
    trade_date: Option<NaiveDate>,
    /// The date cell's text when it is not a date.
    trade_date_text: Option<String>,
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

/// The best list name for every distinct name of some rows, each distinct normalised name
/// compared with the list once, in parallel.
fn name_cache<'a>(index: &ListIndex, rows: impl Iterator<Item = &'a HoldingRow>) -> NameCache {
    // A hash set: books repeat names across accounts, and ordering them costs more than
    // resolving them (the cache is looked up, never iterated).
    let distinct: Vec<(usize, &str)> = rows
        .flat_map(|r| row_names(&r.ids()))
        .collect::<rustc_hash::FxHashSet<&str>>()
        .into_iter()
        .map(|n| (0, n))
        .collect();
    let mut cache = NameCache::default();
    learn_names(
        std::slice::from_ref(index),
        std::slice::from_mut(&mut cache),
        distinct,
    );
    cache
}

/// Resolve distinct names (each with the number of the index and cache it is for) that
/// the caches lack, and keep them there: each distinct normalised name is compared with
/// its index once, in parallel; names that normalise alike share its match.
fn learn_names(indexes: &[ListIndex<'_>], names: &mut [NameCache], distinct: Vec<(usize, &str)>) {
    let known = &*names;
    let todo: Vec<(usize, &str, NormName)> = distinct
        .into_par_iter()
        .filter(|(k, n)| !known[*k].contains_key(n))
        .map(|(k, n)| (k, n, crate::names::normalise(n)))
        .collect();
    // Each normalised name the caches lack, once.
    let compare: rustc_hash::FxHashMap<(usize, &str), &NormName> = todo
        .iter()
        .filter(|(k, _, norm)| known[*k].get_normalised(&norm.key).is_none())
        .map(|(k, _, norm)| ((*k, norm.key.as_str()), norm))
        .collect();
    let compared: rustc_hash::FxHashMap<(usize, &str), Option<NameMatch>> = compare
        .into_par_iter()
        .map(|(at, norm)| (at, indexes[at.0].best_normalised(norm)))
        .collect();
    for (k, n, norm) in &todo {
        let m = match names[*k].get_normalised(&norm.key) {
            Some(m) => m.cloned(),
            None => compared.get(&(*k, norm.key.as_str())).cloned().flatten(),
        };
        names[*k].insert_resolved(n, &norm.key, m);
    }
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
        let res = resolve_row(index, &row.ids(), &names, thresholds);
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
fn order_verdict(index: &ListIndex, p: &mut Position, order: Order, hit: Option<Hit>) {
    let side = order.side.as_deref().and_then(parse_side);
    let mut missing = Vec::new();
    if side.is_none() {
        missing.push(match &order.side {
            Some(s) => format!(
                "side '{s}' is not understood (use BUY, SELL, SS for a short sale, BC to cover)"
            ),
            None => "no side: add a Side or Buy/Sell column".to_string(),
        });
    }
    p.side = order.side;
    p.trade_date = order.trade_date;
    if p.trade_date.is_none() {
        missing.push(match &order.trade_date_text {
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
                rows: t.row_count,
                columns: t.columns.clone(),
                ignored: t.ignored.clone(),
            })
            .collect(),
        skipped_sheets: f.skipped_sheets.clone(),
    }
}

/// A screened row: the position, or (when the report does not keep it) what the summary
/// counts of it. The position is boxed: these live in one vector per batch, which would
/// otherwise be megabytes of fresh memory per batch for the few rows that are kept.
enum Screened<'r> {
    Kept(Box<Position>),
    Counted(Counted<'r>),
    /// A row that is not a position (read in the same pass).
    Ignored(IgnoredRow),
    /// Clear rows, one after the other, counted together.
    Tally(Tally),
}

impl Screened<'_> {
    /// The same, owning what it borrowed.
    fn into_owned(self) -> Screened<'static> {
        match self {
            Screened::Kept(p) => Screened::Kept(p),
            Screened::Counted(c) => Screened::Counted(Counted {
                row: c.row,
                status: c.status,
                market_value: c.market_value,
                currency: c.currency.map(|c| Cow::Owned(c.into_owned())),
            }),
            Screened::Ignored(i) => Screened::Ignored(i),
            Screened::Tally(t) => Screened::Tally(t),
        }
    }
}

/// What the summary counts of clear rows that follow one another.
#[derive(Debug, Default)]
struct Tally {
    rows: usize,
    /// The number of the last row.
    last_row: u32,
    /// Market value per currency (upper case), in the order first seen.
    values: CurrencySums,
}

impl Tally {
    fn add(&mut self, c: &Counted<'_>) {
        self.rows += 1;
        self.last_row = c.row;
        if let Some(v) = c.market_value.filter(|v| v.is_finite()) {
            self.values.of(c.currency.as_deref().unwrap_or("")).add(v);
        }
    }
}

/// Market values summed per currency (upper case), in the order the currencies were first
/// seen: a few currencies, found for every position without allocating (a short ASCII
/// code is kept as its packed key alone, its text made when the sums are read).
#[derive(Debug, Default)]
struct CurrencySums {
    /// Per currency: its code packed in a number when it is short ASCII (see
    /// [`CurrencySums::key`]), else [`CurrencySums::LONG`].
    keys: Vec<u64>,
    /// Per currency: its text (upper case) when its key is [`CurrencySums::LONG`].
    long: Vec<Option<String>>,
    sums: Vec<CompensatedSum>,
    /// Where each currency is: an open-addressed table of positions in `keys` (or
    /// [`CurrencySums::FREE`]), twice as many slots as currencies at least, found from
    /// the packed key (a search along the list mispredicted a branch a row).
    slots: Vec<u32>,
}

impl CurrencySums {
    /// The key of a currency that is not short ASCII: compared as text.
    const LONG: u64 = u64::MAX;
    /// A slot that holds no currency.
    const FREE: u32 = u32::MAX;

    /// A currency of up to 7 ASCII bytes packed with its length, in upper case (so equal
    /// keys are equal codes, case aside); [`Self::LONG`] for any other.
    fn key(currency: &str) -> u64 {
        let b = currency.as_bytes();
        if b.len() > 7 || !b.is_ascii() {
            return Self::LONG;
        }
        let mut packed = [0u8; 8];
        for (p, c) in packed.iter_mut().zip(b) {
            *p = c.to_ascii_uppercase();
        }
        packed[7] = b.len() as u8;
        u64::from_le_bytes(packed)
    }

    /// The code (upper case) of currency `i`.
    fn code(&self, i: usize) -> String {
        match &self.long[i] {
            Some(text) => text.clone(),
            None => {
                let packed = self.keys[i].to_le_bytes();
                let len = usize::from(packed[7]).min(7);
                // Packed from ASCII: always text.
                String::from_utf8_lossy(&packed[..len]).into_owned()
            }
        }
    }

    /// The first slot to look at for `key` in a table of `len` slots (a power of two).
    fn home(key: u64, len: usize) -> usize {
        // Fibonacci hashing: the high bits of the product mix every byte of the code.
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & (len - 1)
    }

    /// The sum of a currency, added when new.
    fn of(&mut self, currency: &str) -> &mut CompensatedSum {
        self.of_key(Self::key(currency), currency)
    }

    /// [`Self::of`] for a currency whose key is known (`currency` is read only when the
    /// key is [`Self::LONG`]).
    fn of_key(&mut self, key: u64, currency: &str) -> &mut CompensatedSum {
        if !self.slots.is_empty() {
            let mut at = Self::home(key, self.slots.len());
            loop {
                let i = self.slots[at];
                if i == Self::FREE {
                    break;
                }
                let i = i as usize;
                // A short ASCII code never equals a long or non-ASCII one, case aside.
                if self.keys[i] == key
                    && (key != Self::LONG
                        || self.long[i]
                            .as_deref()
                            .is_some_and(|t| t.eq_ignore_ascii_case(currency)))
                {
                    return &mut self.sums[i];
                }
                at = (at + 1) & (self.slots.len() - 1);
            }
        }
        self.keys.push(key);
        self.long
            .push((key == Self::LONG).then(|| currency.to_ascii_uppercase()));
        self.sums.push(CompensatedSum::default());
        let i = self.sums.len() - 1;
        if self.slots.len() < 2 * self.keys.len() {
            // A book's currencies are a dozen or two: room for 16 at once.
            self.slots = vec![Self::FREE; (2 * self.keys.len()).next_power_of_two().max(32)];
            for (j, &k) in self.keys.iter().enumerate() {
                Self::place(&mut self.slots, k, j);
            }
        } else {
            Self::place(&mut self.slots, key, i);
        }
        &mut self.sums[i]
    }

    /// Put currency `i` (key `key`) in the first free slot from its home.
    fn place(slots: &mut [u32], key: u64, i: usize) {
        let mut at = Self::home(key, slots.len());
        while slots[at] != Self::FREE {
            at = (at + 1) & (slots.len() - 1);
        }
        slots[at] = i as u32;
    }

    /// Add every sum of `other`.
    fn merge(&mut self, other: &CurrencySums) {
        for (i, sum) in other.sums.iter().enumerate() {
            let text = other.long[i].as_deref().unwrap_or_default();
            self.of_key(other.keys[i], text).merge(sum);
        }
    }

    /// The sums, by currency.
    fn into_sorted(self) -> Vec<(String, CompensatedSum)> {
        let mut sums: Vec<(String, CompensatedSum)> = (0..self.sums.len())
            .map(|i| (self.code(i), self.sums[i]))
            .collect();
        sums.sort_by(|a, b| a.0.cmp(&b.0));
        sums
    }
}

/// What the summary counts of screened rows: one, or a tally.
enum Count<'r> {
    One(Counted<'r>),
    Many(Tally),
}

/// What the summary counts of a position (its currency may be borrowed from the batch).
struct Counted<'r> {
    row: u32,
    status: Status,
    market_value: Option<f64>,
    currency: Option<Cow<'r, str>>,
}

impl From<Position> for Counted<'_> {
    fn from(p: Position) -> Self {
        Counted {
            row: p.row,
            status: p.status,
            market_value: p.market_value,
            currency: p.currency.map(Cow::Owned),
        }
    }
}

/// What screening packed holdings rows in one pass needs besides the index: the rows of a
/// batch (in one or more packs), numbered in order across the packs.
struct PackedContext<'a, 'r> {
    opts: &'a ScreenOptions,
    path: &'a str,
    sheet: Option<&'a str>,
    packs: &'r [PackedRows],
    /// Where each pack's rows start in the batch's numbering.
    starts: Vec<usize>,
    header: &'a TableHeader,
}

impl<'a, 'r> PackedContext<'a, 'r> {
    fn new(
        opts: &'a ScreenOptions,
        path: &'a str,
        sheet: Option<&'a str>,
        packs: &'r [PackedRows],
        header: &'a TableHeader,
    ) -> Self {
        let starts = packs
            .iter()
            .scan(0, |start, p| {
                let here = *start;
                *start += p.len();
                Some(here)
            })
            .collect();
        PackedContext {
            opts,
            path,
            sheet,
            packs,
            starts,
            header,
        }
    }

    /// Number of rows.
    fn len(&self) -> usize {
        self.packs.iter().map(PackedRows::len).sum()
    }

    /// Row `i` of the batch: its pack, and its index there.
    fn locate(&self, i: usize) -> (&'r PackedRows, usize) {
        let j = self.starts.partition_point(|&s| s <= i).saturating_sub(1);
        (&self.packs[j], i - self.starts[j])
    }

    /// Read, resolve and judge row `at` of a batch of holdings: a clear row is only
    /// counted (no string of it copied). A name `names` lacks is resolved and kept in
    /// `learned`.
    fn screen(
        &self,
        index: &ListIndex,
        names: &NameCache,
        learned: &mut NameCache,
        at: usize,
    ) -> Screened<'r> {
        let (rows, i) = self.locate(at);
        let read = read_packed_row_for_screening(rows, i, self.header);
        let print = print_of(&read);
        self.judge(index, names, learned, &read, print, || {
            read_packed_row(rows, i, self.header)
        })
    }

    /// Resolve and judge a row as read for screening (`read`: what screening needs
    /// first; `print`: its fingerprint, [`print_of`]); `whole` reads the whole row, for a
    /// position that is made.
    fn judge<'t>(
        &self,
        index: &ListIndex,
        names: &NameCache,
        learned: &mut NameCache,
        read: &RowRead<HoldingRowRef<'t>>,
        print: Option<RowPrint>,
        whole: impl FnOnce() -> RowRead<HoldingRowRef<'t>>,
    ) -> Screened<'t> {
        // (Borrowed where it lies: the row is a few hundred bytes.)
        let row = match read {
            RowRead::Data(row) => row,
            RowRead::Ignored(ignored) => return Screened::Ignored(ignored.clone()),
        };
        let res = resolve_printed_row(
            index,
            &row.ids(),
            print,
            names,
            learned,
            &self.opts.thresholds,
        );
        // A holding that nothing points at is clear: counted, no position made.
        if res.hit.is_none() && res.unscreenable.is_none() {
            return Screened::Counted(Counted {
                row: row.row,
                status: Status::Clear,
                market_value: row.market_value,
                currency: row.currency.clone(),
            });
        }
        let row = match whole() {
            RowRead::Data(row) => row,
            // Told the same by both readings: not reached.
            RowRead::Ignored(ignored) => return Screened::Ignored(ignored),
        };
        let p = position(
            index,
            self.opts,
            self.path,
            self.sheet,
            row.into_owned(),
            res,
        );
        if p.status == Status::Clear {
            Screened::Counted(Counted::from(p))
        } else {
            Screened::Kept(Box::new(p))
        }
    }

    /// Rows `rows` screened in order, clear rows that follow one another counted together
    /// in a [`Tally`]: nothing of the rows is borrowed. Names `names` lacks are resolved
    /// and kept in `learned`.
    fn screen_all(
        &self,
        index: &ListIndex,
        names: &NameCache,
        learned: &mut NameCache,
        rows: std::ops::Range<usize>,
    ) -> Vec<Screened<'static>> {
        let mut run = ScreenedRun::default();
        for at in rows {
            run.push(self.screen(index, names, learned, at));
        }
        run.finish()
    }

    /// Piece `j` of a chunk of text screened record by record as it is parsed, without
    /// packing its rows first; as [`Self::screen_all`] for the rows. `None` for a piece
    /// that is not text as it is (e.g. Windows-1252 text beyond ASCII): it is to be
    /// packed (its fields decoded) first.
    fn screen_text_piece(
        &self,
        index: &ListIndex,
        names: &NameCache,
        learned: &mut NameCache,
        chunk: &TextChunk,
        j: usize,
    ) -> Option<Vec<Screened<'static>>> {
        let mut run = ScreenedRun::default();
        // A line is judged once the next one is read: its memo slot, asked of memory
        // when it was read, has arrived by then (a lookup in the run's table of clear
        // rows is otherwise a wait on memory for most rows). Two lines in turn, each
        // read where it stays until it is judged.
        let mut lines: [LineAhead; 2] = Default::default();
        // The one the next line goes to (the other may wait to be judged).
        let mut next = 0;
        let judge_line =
            |ahead: &mut LineAhead<'_>, learned: &mut NameCache, run: &mut ScreenedRun| {
                let print = match ahead.look.take() {
                    None => return,
                    Some(RowLook::Ignored(ignored)) => {
                        run.push(Screened::Ignored(ignored));
                        return;
                    }
                    Some(RowLook::Data(print)) => print,
                };
                let line = ahead.line;
                let fields = TextFields {
                    text: ahead.text,
                    ends: &ahead.ends,
                    gap: 1,
                };
                // A row whose identifying cells were met before in a clear row is clear:
                // counted, none of its other fields read.
                if print.is_some_and(|p| names.is_clear_row(p)) {
                    let (market_value, currency) = text_row_amounts(line, fields, self.header);
                    run.push(Screened::Counted(Counted {
                        row: line,
                        status: Status::Clear,
                        market_value,
                        currency,
                    }));
                    return;
                }
                // Told a data row when it was read: its fields read without telling it
                // again.
                let read = RowRead::Data(read_looked_text_row(line, fields, self.header));
                run.push(self.judge(index, names, learned, &read, print, || {
                    read_text_row(line, fields, self.header, false)
                }));
            };
        let text = chunk.each_record(j, true, |line, record| {
            if let Record::Line {
                text: Some(text),
                ends,
                ..
            } = record
            {
                let this = &mut lines[next];
                this.line = line;
                this.text = text;
                this.ends.clear();
                this.ends.extend_from_slice(ends);
                // What the line is, and the fingerprint of its identifying cells as
                // written, its memo slot asked of memory.
                let look = look_text_row(
                    line,
                    TextFields { text, ends, gap: 1 },
                    self.header,
                    RowPrint::of_cells,
                );
                if let RowLook::Data(Some(print)) = look {
                    names.prefetch_clear_row(print);
                }
                this.look = Some(look);
                next ^= 1;
                judge_line(&mut lines[next], learned, &mut run);
                return;
            }
            // Anything else is judged in its turn, after the line waiting.
            judge_line(&mut lines[next ^ 1], learned, &mut run);
            let (text, ends, gap) = match record {
                Record::Line { text, ends, .. } => (text, ends, 1),
                Record::Fields { text, ends, .. } => (text, ends, 0),
            };
            let screened = match text {
                Some(text) => {
                    let fields = TextFields { text, ends, gap };
                    let read = read_text_row(line, fields, self.header, true);
                    let print = print_of(&read);
                    self.judge(index, names, learned, &read, print, || {
                        read_text_row(line, fields, self.header, false)
                    })
                }
                // Not reached for a piece that is text; read as the packed route reads
                // it (each field decoded) rather than lost.
                None => {
                    let mut rows = PackedRows::default();
                    chunk.pack_record(line, record, &mut rows);
                    let ctx = PackedContext::new(
                        self.opts,
                        self.path,
                        self.sheet,
                        std::slice::from_ref(&rows),
                        self.header,
                    );
                    // (What is kept of it is owned by `push`.)
                    run.push(ctx.screen(index, names, learned, 0));
                    return;
                }
            };
            // A clear row is counted where it lies; only what is kept is owned.
            run.push(screened);
        });
        judge_line(&mut lines[next ^ 1], learned, &mut run);
        text.then(|| run.finish())
    }
}

/// A line of text read for screening and not judged yet, when `look` holds what it is
/// ([`PackedContext::screen_text_piece`]): an ignored row, or a data row and the
/// fingerprint of its identifying cells ([`RowPrint::of_cells`]). Its text is borrowed
/// from the chunk, its field ends copied.
#[derive(Default)]
struct LineAhead<'t> {
    line: u32,
    text: &'t str,
    ends: Vec<usize>,
    look: Option<RowLook<Option<RowPrint>>>,
}

/// The fingerprint of a row read for screening ([`RowPrint::of`]); none for an ignored
/// row.
fn print_of(read: &RowRead<HoldingRowRef<'_>>) -> Option<RowPrint> {
    match read {
        RowRead::Data(row) => RowPrint::of(&row.ids()),
        RowRead::Ignored(_) => None,
    }
}

/// Screened rows in order, clear rows that follow one another counted together in a
/// [`Tally`]; nothing of the rows is borrowed.
#[derive(Default)]
struct ScreenedRun {
    out: Vec<Screened<'static>>,
    tally: Option<Tally>,
}

impl ScreenedRun {
    fn push(&mut self, screened: Screened<'_>) {
        match screened {
            Screened::Counted(c) if c.status == Status::Clear => {
                self.tally.get_or_insert_with(Tally::default).add(&c);
            }
            other => {
                if let Some(t) = self.tally.take() {
                    self.out.push(Screened::Tally(t));
                }
                self.out.push(other.into_owned());
            }
        }
    }

    fn finish(mut self) -> Vec<Screened<'static>> {
        if let Some(t) = self.tally.take() {
            self.out.push(Screened::Tally(t));
        }
        self.out
    }
}

/// The summary counts, added up position by position as a run goes.
struct SummaryBuilder {
    kind: ReportKind,
    positions: usize,
    /// Per status of the report kind: count, and market value per currency (upper case).
    by_status: Vec<(usize, CurrencySums)>,
    /// Per input file (by its input number): count, and count per status.
    by_file: Vec<(usize, Vec<usize>)>,
}

impl SummaryBuilder {
    fn new(kind: ReportKind, files: usize) -> Self {
        let n = kind.statuses().len();
        SummaryBuilder {
            kind,
            positions: 0,
            by_status: (0..n).map(|_| (0, CurrencySums::default())).collect(),
            by_file: vec![(0, vec![0; n]); files],
        }
    }

    fn add(
        &mut self,
        file: usize,
        status: Status,
        market_value: Option<f64>,
        currency: Option<&str>,
    ) {
        if let Some(values) = self.count(file, status, 1)
            && let Some(v) = market_value.filter(|v| v.is_finite())
        {
            values.of(currency.unwrap_or("")).add(v);
        }
    }

    /// [`Self::add`] for clear rows counted together.
    fn add_tally(&mut self, file: usize, t: &Tally) {
        if let Some(values) = self.count(file, Status::Clear, t.rows) {
            values.merge(&t.values);
        }
    }

    /// Count `rows` positions of `status` in input `file`; the market values per currency
    /// of the status, when the report kind has it.
    fn count(&mut self, file: usize, status: Status, rows: usize) -> Option<&mut CurrencySums> {
        self.positions += rows;
        let status = self.kind.statuses().iter().position(|s| *s == status);
        if let Some((n, per_status)) = self.by_file.get_mut(file) {
            *n += rows;
            if let Some(i) = status {
                per_status[i] += rows;
            }
        }
        let (n, values) = &mut self.by_status[status?];
        *n += rows;
        Some(values)
    }

    /// The summary, with a line per file read (input number, file).
    fn finish<'f>(self, files: impl Iterator<Item = (usize, &'f HoldingsFile)>) -> Summary {
        let statuses = self.kind.statuses();
        Summary {
            positions: self.positions,
            by_status: statuses
                .iter()
                .zip(self.by_status)
                .map(|(&status, (positions, mv))| StatusTotal {
                    status,
                    positions,
                    market_value: mv
                        .into_sorted()
                        .into_iter()
                        .map(|(currency, amount)| CurrencyAmount {
                            currency,
                            amount: amount.value(),
                        })
                        .collect(),
                })
                .collect(),
            by_file: files
                .map(|(i, f)| {
                    let (positions, per_status) = self
                        .by_file
                        .get(i)
                        .cloned()
                        .unwrap_or((0, vec![0; statuses.len()]));
                    FileTotal {
                        file: f.path.clone(),
                        positions,
                        by_status: statuses.iter().copied().zip(per_status).collect(),
                    }
                })
                .collect(),
        }
    }
}

/// The list versions a run uses: for each set of snapshots in force, its index and the
/// names already resolved against it (each distinct name once per version).
struct Versions<'l, 'c> {
    list: &'l SanctionsList,
    cache: Option<&'c ListCache>,
    keys: Vec<Vec<usize>>,
    /// Each set of snapshots in words, for the orders it judges.
    labels: Vec<String>,
    indexes: Vec<ListIndex<'l>>,
    names: Vec<NameCache>,
}

impl<'l, 'c> Versions<'l, 'c> {
    fn new(list: &'l SanctionsList, cache: Option<&'c ListCache>) -> Self {
        Versions {
            list,
            cache,
            keys: Vec::new(),
            labels: Vec::new(),
            indexes: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The number of a set of snapshots, its index built on first use.
    fn id_of(&mut self, key: Vec<usize>) -> usize {
        if let Some(i) = self.keys.iter().position(|k| *k == key) {
            return i;
        }
        let snaps: Vec<&ListSnapshot> = key.iter().map(|&i| &self.list.snapshots[i]).collect();
        // Built, or read from the cache: the same index either way, so the report does not
        // say which.
        let index = ListIndex::build_cached(&snaps, self.cache);
        self.labels.push(versions_label(self.list, &key));
        self.keys.push(key);
        self.indexes.push(index);
        self.names.push(NameCache::default());
        self.keys.len() - 1
    }

    fn index(&self, id: usize) -> &ListIndex<'l> {
        &self.indexes[id]
    }

    fn label(&self, id: usize) -> &str {
        &self.labels[id]
    }

    fn get(&self, id: usize) -> (&ListIndex<'l>, &NameCache) {
        (&self.indexes[id], &self.names[id])
    }

    fn names_mut(&mut self, id: usize) -> &mut NameCache {
        &mut self.names[id]
    }

    /// Resolve, in parallel, the names of a batch of rows (with their version numbers)
    /// that no earlier row had.
    fn resolve_names(&mut self, batch: &[HoldingRow], keys: &[usize]) {
        // Misses are found in parallel (after the first batches almost every name is
        // known); then each distinct missing name is resolved once, in parallel.
        let names = &self.names;
        let missing: Vec<(usize, &str)> = batch
            .par_iter()
            .zip(keys.par_iter())
            .flat_map_iter(|(row, &k)| {
                row_names(&row.ids())
                    .filter(move |n| !names[k].contains_key(n))
                    .map(move |n| (k, n))
            })
            .collect();
        self.add_names(missing);
    }

    /// Resolve names (with their version numbers) that the caches may not hold yet: each
    /// distinct one once, in parallel.
    fn add_names(&mut self, missing: Vec<(usize, &str)>) {
        if missing.is_empty() {
            return;
        }
        // A hash set: books repeat names across accounts (the caches are looked up, never
        // iterated, so their order does not matter).
        let distinct: rustc_hash::FxHashSet<(usize, &str)> = missing.into_iter().collect();
        learn_names(
            &self.indexes,
            &mut self.names,
            distinct.into_iter().collect(),
        );
    }
}

/// Rows per batch screened at once.
const BATCH_ROWS: usize = 8192;

/// Bytes of rows the files after the one being screened may hold, read ahead of their
/// turn (about 55 batches of a 12-column sheet, 128 chunks of a CSV).
const READ_AHEAD_BYTES: usize = 128 << 20;

/// Rows as a reader thread sends them: cells below a table's header (one table per batch),
/// turned into data rows by the workers ([`read_row`]).
struct RawBatch {
    sheet: Option<Arc<str>>,
    header: Arc<TableHeader>,
    rows: PackedRows,
    /// Where the rows' buffers go back once read, for the reader to fill again (fresh
    /// memory for every batch costs the reading thread page faults and cold writes).
    spent: SpentBuffers,
}

/// Records of a delimited-text table as a reader thread sends them.
struct TextBatch {
    sheet: Option<Arc<str>>,
    header: Arc<TableHeader>,
    chunk: TextChunk,
    /// Where the chunk's buffer goes back once read.
    spent: SpentText,
}

/// Emptied text buffers on their way back to a reader.
type SpentText = Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

/// Emptied batch buffers on their way back to a reader.
type SpentBuffers = Arc<std::sync::Mutex<Vec<PackedRows>>>;

/// What the reader gives of a table whose rows are streamed: the consumer counts its data
/// rows and collects its ignored rows.
#[derive(Default)]
struct TableStats {
    sheet: Option<Arc<str>>,
    rows: usize,
    ignored: Vec<IgnoredRow>,
    last_data_row: Option<u32>,
}

impl TableStats {
    /// Count a row read from the table; the data row, if it is one.
    fn record(&mut self, read: RowRead) -> Option<HoldingRow> {
        match read {
            RowRead::Data(row) => {
                self.rows += 1;
                self.last_data_row = Some(row.row);
                Some(*row)
            }
            RowRead::Ignored(ignored) => {
                self.ignored.push(ignored);
                None
            }
        }
    }
}

/// A batch of rows of one table of a file, as [`stream_inputs`] gives them to its
/// consumer: cells below `header`, for the consumer to read; it records in `table` what it
/// read (data rows, ignored rows).
struct BatchRows<'b> {
    input: BatchInput<'b>,
    header: &'b TableHeader,
    table: &'b mut TableStats,
}

/// The rows of a batch as a reader gave them.
enum BatchInput<'b> {
    /// As cells.
    Packed(&'b PackedRows),
    /// As text (whole records of a delimited-text file), to parse.
    Text(&'b TextChunk),
}

/// Turn packed rows into data rows (in parallel), recording the ignored ones and the
/// counts in `table`.
fn read_packed(rows: &PackedRows, header: &TableHeader, table: &mut TableStats) -> Vec<HoldingRow> {
    let read: Vec<RowRead> = (0..rows.len())
        .into_par_iter()
        .with_min_len(256)
        .map(|i| match read_packed_row(rows, i, header) {
            RowRead::Data(row) => RowRead::Data(Box::new(row.into_owned())),
            RowRead::Ignored(ignored) => RowRead::Ignored(ignored),
        })
        .collect();
    read.into_iter().filter_map(|r| table.record(r)).collect()
}

/// Give a batch's emptied buffer back to its reader, to fill again.
fn recycle(raw: RawBatch) {
    let RawBatch {
        rows: mut packed,
        spent,
        ..
    } = raw;
    packed.clear();
    if let Ok(mut spent) = spent.lock()
        && spent.len() < 4
    {
        spent.push(packed);
    }
}

/// Put what the consumer counted of a file's streamed tables into the file.
fn apply_stats(file: &mut HoldingsFile, stats: Vec<TableStats>) {
    for mut st in stats {
        if let Some(t) = file
            .tables
            .iter_mut()
            .find(|t| t.sheet.as_deref() == st.sheet.as_deref())
        {
            trim_trailing_blanks(&mut st.ignored, st.last_data_row);
            t.row_count += st.rows;
            t.ignored.append(&mut st.ignored);
        }
    }
}

/// What a reader thread sends for one file: its rows in batches, then the file read.
enum FileMsg {
    /// Rows as cells, for the workers to read.
    Rows(RawBatch),
    /// Records as text, for the workers to parse and read.
    Text(TextBatch),
    Done(Result<HoldingsFile, HoldingsError>),
}

/// The [`RowSink`] of a reader thread: rows go out in batches of one table each.
struct BatchSender<'q> {
    queues: &'q InputQueues<FileMsg>,
    /// The input whose rows these are.
    input: usize,
    /// The table being read: its sheet and header.
    table: Option<(Option<Arc<str>>, Arc<TableHeader>)>,
    raw: PackedRows,
    /// Buffers of batches already read, to fill again.
    spent: SpentBuffers,
    spent_text: SpentText,
}

impl<'q> BatchSender<'q> {
    fn new(queues: &'q InputQueues<FileMsg>, input: usize) -> Self {
        BatchSender {
            queues,
            input,
            table: None,
            raw: PackedRows::default(),
            spent: SpentBuffers::default(),
            spent_text: SpentText::default(),
        }
    }

    fn flush(&mut self) {
        let Some((sheet, header)) = &self.table else {
            return;
        };
        if !self.raw.is_empty() {
            let bytes = self.raw.bytes();
            let rows = {
                let next = self
                    .spent
                    .lock()
                    .ok()
                    .and_then(|mut spent| spent.pop())
                    .unwrap_or_else(|| PackedRows::with_room_of(&self.raw));
                std::mem::replace(&mut self.raw, next)
            };
            self.queues.send(
                self.input,
                FileMsg::Rows(RawBatch {
                    sheet: sheet.clone(),
                    header: Arc::clone(header),
                    rows,
                    spent: Arc::clone(&self.spent),
                }),
                bytes,
            );
        }
    }

    /// The last message of a file.
    fn done(mut self, result: Result<HoldingsFile, HoldingsError>) {
        self.flush();
        self.queues.send_last(self.input, FileMsg::Done(result));
    }
}

impl Drop for BatchSender<'_> {
    /// A reader gone without its last message ends its file for the thread taking its
    /// rows. Not while a panic unwinds: the reader catches it and says why in the file's
    /// last message, which must not come after the file is closed.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.queues.close(self.input);
        }
    }
}

impl BatchSender<'_> {
    /// Make the table of `header` the one being gathered: what was gathered of the
    /// previous one goes out first.
    fn enter_table(&mut self, sheet: Option<&str>, header: &Arc<TableHeader>) {
        if self
            .table
            .as_ref()
            .is_none_or(|(_, h)| !Arc::ptr_eq(h, header))
        {
            self.flush();
            self.table = Some((sheet.map(Arc::from), Arc::clone(header)));
        }
    }
}

impl RowSink for BatchSender<'_> {
    fn text_chunk(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        chunk: &mut TextChunk,
    ) {
        self.enter_table(sheet, header);
        // Rows gathered before go first.
        self.flush();
        let buffer = self
            .spent_text
            .lock()
            .ok()
            .and_then(|mut spent| spent.pop())
            .unwrap_or_default();
        let chunk = chunk.take(buffer);
        let bytes = chunk.bytes();
        self.queues.send(
            self.input,
            FileMsg::Text(TextBatch {
                sheet: sheet.map(Arc::from),
                header: Arc::clone(header),
                chunk,
                spent: Arc::clone(&self.spent_text),
            }),
            bytes,
        );
    }

    fn row(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        number: u32,
        cells: &mut Vec<Cell>,
    ) {
        self.enter_table(sheet, header);
        self.raw.push_cells(number, cells);
        if self.raw.len() >= BATCH_ROWS {
            self.flush();
        }
    }

    fn packed_rows(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        rows: &mut PackedRows,
    ) {
        self.enter_table(sheet, header);
        // The reader's batch becomes this one as it is when this one is empty.
        if self.raw.is_empty() {
            std::mem::swap(&mut self.raw, rows);
        } else {
            self.raw.append(rows);
        }
        if self.raw.len() >= BATCH_ROWS {
            self.flush();
        }
    }
}

/// Read the input files on up to `readers` threads and hand their rows, batch by batch, to
/// `each_batch(input number, path, sheet, rows)` on this thread, in input order (files in the
/// order given, rows in file order) while later files and later rows are still being
/// read. The reader of the file being taken waits when two batches of it are pending;
/// files further on are read ahead into [`READ_AHEAD_BYTES`] (see [`InputQueues`]), so
/// memory holds some batches, not the books. Returns each file's result, in input order.
fn stream_inputs(
    specs: &[InputSpec],
    read: &ReadOptions,
    readers: usize,
    progress: &dyn Progress,
    mut each_batch: impl FnMut(usize, &str, Option<Arc<str>>, BatchRows<'_>),
) -> Vec<Result<HoldingsFile, HoldingsError>> {
    let n = specs.len();
    let readers = readers.clamp(1, n.max(1));
    let queues = InputQueues::<FileMsg>::new(n, READ_AHEAD_BYTES);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..readers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    queues.wait_turn(i, readers);
                    let mut sink = BatchSender::new(&queues, i);
                    // A reader that panics (a malformed file can make a parser panic) ends
                    // its file with an error instead of leaving the run waiting for it.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let result = read_holdings_file_into(&specs[i], read, &mut sink);
                        (sink, result)
                    }));
                    match result {
                        Ok((sink, result)) => sink.done(result),
                        Err(panic) => {
                            let why = panic
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_default();
                            queues.send_last(
                                i,
                                FileMsg::Done(Err(HoldingsError::File {
                                    path: specs[i].display.clone(),
                                    message: format!(
                                        "the file could not be read ({why}): is it corrupt or truncated? Re-save it from Excel"
                                    ),
                                })),
                            );
                        }
                    }
                }
            });
        }
        // Should this thread stop early (a panic while screening), the readers must not
        // wait for it.
        struct HangUp<'q>(&'q InputQueues<FileMsg>);
        impl Drop for HangUp<'_> {
            fn drop(&mut self) {
                self.0.hang_up();
            }
        }
        let _hang_up = HangUp(&queues);
        (0..n)
            .map(|i| {
                let mut stats: Vec<TableStats> = Vec::new();
                // A batch of a table of the file: given to `each_batch` with the
                // table's stats (a new table when the sheet changes).
                let mut batch = |stats: &mut Vec<TableStats>,
                                 sheet: &Option<Arc<str>>,
                                 header: &TableHeader,
                                 input: BatchInput<'_>| {
                    if stats.last().is_none_or(|t| t.sheet != *sheet) {
                        stats.push(TableStats {
                            sheet: sheet.clone(),
                            ..TableStats::default()
                        });
                    }
                    if let Some(table) = stats.last_mut() {
                        each_batch(
                            i,
                            &specs[i].display,
                            sheet.clone(),
                            BatchRows {
                                input,
                                header,
                                table,
                            },
                        );
                    }
                };
                let result = loop {
                    match queues.recv(i) {
                        Some(FileMsg::Rows(raw)) => {
                            batch(
                                &mut stats,
                                &raw.sheet,
                                &raw.header,
                                BatchInput::Packed(&raw.rows),
                            );
                            recycle(raw);
                        }
                        Some(FileMsg::Text(text)) => {
                            batch(
                                &mut stats,
                                &text.sheet,
                                &text.header,
                                BatchInput::Text(&text.chunk),
                            );
                            let TextBatch { chunk, spent, .. } = text;
                            if let Ok(mut spent) = spent.lock()
                                && spent.len() < 4
                            {
                                spent.push(chunk.into_bytes());
                            }
                        }
                        Some(FileMsg::Done(result)) => {
                            break result.map(|mut f| {
                                apply_stats(&mut f, stats);
                                progress.file_read(&f.path, f.row_count());
                                f
                            });
                        }
                        None => {
                            break Err(HoldingsError::File {
                                path: specs[i].display.clone(),
                                message: "the reader stopped before the end of the file".into(),
                            });
                        }
                    }
                };
                queues.taken(i);
                result
            })
            .collect()
    })
}

/// Exit code for a finished screen (contract.md): 1 when anything is prohibited or blocked.
pub fn exit_code(report: &ScreenReport) -> u8 {
    if report.count(Status::Prohibited) > 0 || report.count(Status::Blocked) > 0 {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_sums_find_every_currency_of_many() {
        // Past the first table's room (16 currencies) and its growth: each currency's
        // sum is the sum of what was added to it, whatever its case or length.
        let code = |i: usize| match i % 3 {
            0 => format!("C{i:02}"),
            1 => format!("currency number {i}"),
            _ => format!("é{i}"),
        };
        let mut sums = CurrencySums::default();
        let mut want = std::collections::BTreeMap::new();
        let mut rng = crate::util::TestRng(7);
        for _ in 0..5_000 {
            let i = rng.below(100);
            let c = code(i);
            let c = if rng.below(2) == 0 {
                c.to_lowercase()
            } else {
                c
            };
            sums.of(&c).add(i as f64);
            *want.entry(c.to_ascii_uppercase()).or_insert(0.0) += i as f64;
        }
        let got: std::collections::BTreeMap<String, f64> = sums
            .into_sorted()
            .into_iter()
            .map(|(c, s)| (c, s.value()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn currency_sums_fold_case_and_keep_long_codes_apart() {
        let mut sums = CurrencySums::default();
        sums.of("usd").add(1.0);
        sums.of("USD").add(2.0);
        sums.of("Usd").add(4.0);
        sums.of("").add(8.0);
        // Longer than a packed key holds, and not ASCII: compared as text.
        sums.of("US DOLLARS").add(16.0);
        sums.of("us dollars").add(32.0);
        sums.of("US DOLLAR").add(64.0);
        sums.of("€").add(128.0);
        sums.of("€").add(256.0);
        // A code and the same letters with a NUL are different texts.
        sums.of("EUR\0").add(512.0);
        sums.of("EUR").add(1024.0);
        let mut other = CurrencySums::default();
        other.of("eur").add(2048.0);
        other.of("CHF").add(4096.0);
        sums.merge(&other);
        let got: Vec<(String, f64)> = sums
            .into_sorted()
            .into_iter()
            .map(|(c, s)| (c, s.value()))
            .collect();
        let want: Vec<(String, f64)> = [
            ("", 8.0),
            ("CHF", 4096.0),
            ("EUR", 3072.0),
            ("EUR\0", 512.0),
            ("US DOLLAR", 64.0),
            ("US DOLLARS", 48.0),
            ("USD", 7.0),
            ("€", 384.0),
        ]
        .into_iter()
        .map(|(c, v)| (c.to_string(), v))
        .collect();
        assert_eq!(got, want);
    }
}
