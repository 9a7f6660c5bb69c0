//! The `holdscreen` binary: parse arguments, call the library, print, map to an exit code.

mod cli;
mod list_cmd;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, Utc};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{
    Cli, ColorChoice, Command, CommonArgs, ListCommand, ListSelection, ScreenArgs, TradesArgs,
};
use holdscreen::cache::ListCache;
use holdscreen::holdings::ReadOptions;
use holdscreen::list::{self, LoadOptions, SanctionsList};
use holdscreen::report::json::{
    PositionSpill, SpillFormat, read_position_lines, write_json_spliced,
};
use holdscreen::report::{terminal::render_summary, xlsx};
use holdscreen::resolve::Thresholds;
use holdscreen::screen::{self, Keep, Mode, Progress, ScreenOptions};
use holdscreen::util::{write_atomic, write_atomic_with};

/// Parsing the lists and the books allocates many small strings; mimalloc does that in about
/// half the time of the system allocator and returns memory to the OS promptly.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code of a run that could not screen (contract.md).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    // Transparent huge pages off: the allocator asks for them, and the kernel then zeroes
    // 2 MiB at the first touch of each, most of it never used by a run (peak memory
    // halves, and so does the time spent zeroing pages). Where the call is refused,
    // nothing changes but memory.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Screen(args) => run_screen(args),
        Command::Trades(args) => run_trades(args),
        Command::List(args) => match args.command {
            ListCommand::Info { list, json } => list_info(&list, json).map(|()| 0),
            ListCommand::Show(a) => list_cmd::show(&a),
            ListCommand::Diff(a) => list_cmd::diff(&a),
            ListCommand::Update(a) => list_cmd::update(&a),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{} {e:#}",
                owo_colors::OwoColorize::bold(&owo_colors::OwoColorize::red(&"error:"))
            );
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The run's clock: `SOURCE_DATE_EPOCH` (seconds) pins it for reproducible reports.
fn run_clock() -> (DateTime<Utc>, NaiveDate) {
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
    {
        return (t, t.date_naive());
    }
    (Utc::now(), Local::now().date_naive())
}

fn load_list(sel: &ListSelection) -> Result<SanctionsList> {
    load_list_with(sel, &LoadOptions::default())
}

fn load_list_with(sel: &ListSelection, opts: &LoadOptions<'_>) -> Result<SanctionsList> {
    if sel.lists.is_empty() {
        Ok(list::embedded::embedded_list())
    } else {
        list::load_paths_with(&sel.lists, opts).context(
            "could not read the list (pass OFAC files in their official formats with --list)",
        )
    }
}

/// An anonymous temporary file beside an output file (where its space is needed anyway),
/// or in the temporary folder for standard output.
fn spill_file(output: &Path) -> std::io::Result<std::fs::File> {
    match output.parent() {
        Some(dir) if output.as_os_str() != "-" => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            tempfile::tempfile_in(dir)
        }
        _ => tempfile::tempfile(),
    }
}

/// The list cache folder: --cache-dir (or $HOLDSCREEN_CACHE_DIR), else the user's cache
/// folder; none with --no-cache.
fn list_cache(c: &CommonArgs) -> Option<ListCache> {
    if c.no_cache {
        return None;
    }
    if let Some(dir) = &c.cache_dir {
        return Some(ListCache::new(dir));
    }
    let env_dir = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env_dir("XDG_CACHE_HOME")
        .or_else(|| env_dir("HOME").map(|h| h.join(".cache")))
        .or_else(|| env_dir("LOCALAPPDATA"))
        .map(|d| ListCache::new(d.join("holdscreen")))
}

/// The progress line on a terminal: files read and rows screened (the number of rows is
/// not known before the files are read: they are screened as they are read).
struct Bar {
    bar: ProgressBar,
    files: AtomicUsize,
    files_read: AtomicUsize,
    rows: AtomicUsize,
}

impl Bar {
    fn show(&self) {
        let files = self.files.load(Ordering::Relaxed);
        let read = self.files_read.load(Ordering::Relaxed).min(files);
        let rows = self.rows.load(Ordering::Relaxed);
        self.bar.set_message(format!(
            "screened {rows} rows; read {read} of {files} file(s)"
        ));
    }
}

impl Progress for Bar {
    fn files_found(&self, count: usize) {
        self.files.store(count, Ordering::Relaxed);
        self.show();
    }
    fn file_read(&self, _path: &str, _rows: usize) {
        self.files_read.fetch_add(1, Ordering::Relaxed);
        self.show();
    }
    fn rows_resolved(&self, count: usize) {
        self.rows.fetch_add(count, Ordering::Relaxed);
        self.show();
    }
}

/// What one `screen` or `trades` run checks.
struct RunSpec {
    inputs: Vec<PathBuf>,
    as_of: Option<NaiveDate>,
    all_positions: bool,
    mode: Mode,
}

fn run_screen(args: ScreenArgs) -> Result<u8> {
    let spec = RunSpec {
        inputs: args.inputs,
        as_of: args.as_of,
        all_positions: args.all_positions,
        mode: Mode::Holdings,
    };
    run(spec, &args.common)
}

fn run_trades(args: TradesArgs) -> Result<u8> {
    let spec = RunSpec {
        inputs: args.inputs,
        as_of: None,
        // The Orders sheet already lists every order.
        all_positions: false,
        mode: Mode::Orders {
            default_trade_date: args.trade_date,
        },
    };
    run(spec, &args.common)
}

fn run(args: RunSpec, c: &CommonArgs) -> Result<u8> {
    if !(0.0..=1.0).contains(&c.name_review) || !(0.0..=1.0).contains(&c.name_prohibit) {
        bail!("--name-review and --name-prohibit are scores between 0 and 1");
    }
    if c.name_review > c.name_prohibit {
        bail!(
            "--name-review ({}) must not be above --name-prohibit ({})",
            c.name_review,
            c.name_prohibit
        );
    }
    let (run_at, today) = run_clock();
    let as_of = args.as_of.unwrap_or(today);
    let report_path: Option<PathBuf> = if c.no_report {
        None
    } else {
        Some(c.output.clone().unwrap_or_else(|| {
            let what = match args.mode {
                Mode::Holdings => "report",
                Mode::Orders { .. } => "orders",
            };
            PathBuf::from(format!("holdscreen-{what}-{as_of}.xlsx"))
        }))
    };
    for p in report_path
        .iter()
        .chain(c.json.iter().filter(|p| p.as_os_str() != "-"))
    {
        if p.exists() && !c.force {
            bail!(
                "{} already exists: pass --force to overwrite it, or choose another name with --output/--json",
                p.display()
            );
        }
    }
    if c.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(c.threads)
            .build_global()
            .context("could not start the worker threads")?;
    }
    let cache = list_cache(c);
    let list = load_list_with(
        &c.list,
        &LoadOptions {
            screening: true,
            cache: cache.as_ref(),
        },
    )?;
    let exceptions = match &c.exceptions {
        Some(path) => Some(
            holdscreen::exceptions::load_exceptions(path)
                .context("could not read the exceptions file; no report was written")?,
        ),
        None => None,
    };

    let stderr_tty = std::io::stderr().is_terminal();
    let bar = ProgressBar::with_draw_target(
        None,
        if stderr_tty && !c.quiet {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let options = ScreenOptions {
        inputs: args.inputs.clone(),
        as_of,
        today,
        run_at,
        read: ReadOptions {
            column_overrides: c.columns.clone(),
            // Up to four sheets of a large workbook at once, no more than the threads
            // asked for (`-j 1` reads them one after the other).
            sheet_readers: rayon::current_num_threads().min(4),
        },
        thresholds: Thresholds {
            prohibit: c.name_prohibit,
            review: c.name_review,
        },
        max_list_age_days: c.max_list_age,
        command_line: std::env::args().collect(),
        threads: rayon::current_num_threads(),
        exceptions,
        mode: args.mode,
        constituents: c.constituents.clone(),
        cache,
        // The report keeps only the positions that need attention; the JSON document's
        // and the All positions sheet's are written out as they come, so a large book
        // costs little memory.
        keep: Keep::Attention,
    };
    if stderr_tty && !c.quiet {
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    let progress = Bar {
        bar,
        files: AtomicUsize::new(0),
        files_read: AtomicUsize::new(0),
        rows: AtomicUsize::new(0),
    };
    // The JSON document's positions, and the All positions sheet's, go to spill files as
    // they are judged, and are read back at the end.
    let mut spill = match &c.json {
        Some(path) => Some(PositionSpill::new(
            spill_file(path).context("could not create a temporary file for the JSON positions")?,
            SpillFormat::DocumentArray,
        )),
        None => None,
    };
    let all_positions = args.all_positions && report_path.is_some();
    let mut lines = match &report_path {
        Some(path) if all_positions => Some(PositionSpill::new(
            spill_file(path)
                .context("could not create a temporary file for the All positions sheet")?,
            SpillFormat::Lines,
        )),
        _ => None,
    };
    let mut push = |batch: &[holdscreen::report::Position]| {
        if let Some(s) = spill.as_mut() {
            s.push_all(batch);
        }
        if let Some(l) = lines.as_mut() {
            l.push_all(batch);
        }
    };
    let report = screen::screen_with(
        &list,
        &options,
        &progress,
        (c.json.is_some() || all_positions)
            .then_some(&mut push as &mut dyn FnMut(&[holdscreen::report::Position])),
    );
    progress.bar.finish_and_clear();
    let report = report.context("could not screen; no report was written")?;

    if let Some(path) = &report_path {
        let opts = xlsx::XlsxOptions {
            all_positions: args.all_positions,
        };
        let bytes = match lines {
            Some(lines) => {
                let (file, count) = lines
                    .finish()
                    .context("could not write the positions to a temporary file")?;
                let mut all = read_position_lines(file);
                xlsx::render_xlsx_with(&report, &opts, (count, &mut all))
            }
            None => xlsx::render_xlsx(&report, &opts),
        }
        .context("could not build the Excel report")?;
        write_atomic(path, &bytes, c.force)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let json_to_stdout = c.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if let (Some(path), Some(spill)) = (&c.json, spill) {
        let (mut positions, count) = spill
            .finish()
            .context("could not write the JSON positions to a temporary file")?;
        if json_to_stdout {
            write_json_spliced(
                &report,
                &mut positions,
                count,
                std::io::BufWriter::new(std::io::stdout().lock()),
            )
            .context("could not write JSON to standard output")?;
        } else {
            write_atomic_with(path, c.force, |w| {
                write_json_spliced(&report, &mut positions, count, w)
            })
            .with_context(|| format!("could not write {}", path.display()))?;
        }
    }

    if !c.quiet {
        let color = match c.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none()
                    && if json_to_stdout {
                        stderr_tty
                    } else {
                        std::io::stdout().is_terminal()
                    }
            }
        };
        let mut text = render_summary(&report, color);
        text.push('\n');
        if let Some(p) = &report_path {
            text.push_str(&format!("Report: {}\n", p.display()));
        }
        if let Some(p) = c.json.as_deref().filter(|_| !json_to_stdout) {
            text.push_str(&format!("JSON:   {}\n", p.display()));
        }
        if json_to_stdout {
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    let code = screen::exit_code(&report);
    // The process ends here: skip freeing the report and the list piece by piece.
    std::mem::forget(report);
    std::mem::forget(list);
    Ok(code)
}

fn list_info(sel: &ListSelection, json: bool) -> Result<()> {
    let list = load_list(sel)?;
    let (_, today) = run_clock();
    let mut out = String::new();
    if json {
        out = serde_json::to_string_pretty(
            &list
                .snapshots
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "description": s.description,
                        "format": s.format,
                        "kind": s.kind,
                        "date": s.date,
                        "date_basis": s.date_basis,
                        "age_days": s.date.map(|d| (today - d).num_days()),
                        "record_count": s.record_count,
                        "entries": s.entries.len(),
                        "cmic_entries": s.cmic_entries().count(),
                        "files": s.files,
                        "warnings": s.warnings,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        out.push('\n');
    } else {
        for s in &list.snapshots {
            out.push_str(&format!("{}\n", s.description));
            if let Some(d) = s.date {
                out.push_str(&format!(
                    "  date:     {d} ({:?}), {} days old\n",
                    s.date_basis,
                    (today - d).num_days()
                ));
            }
            out.push_str(&format!(
                "  entries:  {} ({} NS-CMIC)\n",
                s.entries.len(),
                s.cmic_entries().count()
            ));
            let mut programs: std::collections::BTreeMap<&str, usize> = Default::default();
            for e in &s.entries {
                for p in &e.programs {
                    *programs.entry(p.as_str()).or_default() += 1;
                }
            }
            let top: Vec<String> = programs.iter().map(|(p, n)| format!("{p} {n}")).collect();
            out.push_str(&format!("  programs: {}\n", top.join(", ")));
            for f in &s.files {
                out.push_str(&format!(
                    "  file:     {} ({}, {} bytes, {} records)\n            sha256 {}\n",
                    f.path, f.role, f.bytes, f.records, f.sha256
                ));
            }
            for w in &s.warnings {
                out.push_str(&format!("  warning:  {w}\n"));
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
