//! The `holdscreen` binary: parse arguments, call the library, print, map to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, Utc};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{
    Cli, ColorChoice, Command, CommonArgs, ListCommand, ListSelection, ScreenArgs, TradesArgs,
};
use holdscreen::holdings::ReadOptions;
use holdscreen::list::{self, SanctionsList};
use holdscreen::report::{json::render_json, terminal::render_summary, xlsx};
use holdscreen::resolve::Thresholds;
use holdscreen::screen::{self, Mode, Progress, ScreenOptions};
use holdscreen::util::write_atomic;

/// Exit code of a run that could not screen (contract.md).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Screen(args) => run_screen(args),
        Command::Trades(args) => run_trades(args),
        Command::List(args) => match args.command {
            ListCommand::Info { list, json } => list_info(&list, json).map(|()| 0),
            ListCommand::Update { dir, base_url } => list_update(&dir, &base_url).map(|()| 0),
            ListCommand::Show { query, list, json } => list_show(&query, &list, json).map(|()| 0),
            ListCommand::Diff {
                old,
                new,
                cmic_only,
                json,
                output,
                force,
            } => list_diff(
                &old,
                &new,
                cmic_only,
                json.as_deref(),
                output.as_deref(),
                force,
            )
            .map(|()| 0),
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
    if sel.lists.is_empty() {
        Ok(list::embedded::embedded_list())
    } else {
        list::load_paths(&sel.lists).context(
            "could not read the list (pass OFAC files in their official formats with --list)",
        )
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn files_found(&self, count: usize) {
        self.0.set_message(format!("reading {count} file(s)"));
    }
    fn rows_total(&self, count: usize) {
        self.0.set_length(count as u64);
        self.0.set_message("screening");
    }
    fn rows_resolved(&self, count: usize) {
        self.0.inc(count as u64);
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
        all_positions: true,
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
    let list = load_list(&c.list)?;
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
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} rows ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let options = ScreenOptions {
        inputs: args.inputs.clone(),
        as_of,
        today,
        run_at,
        read: ReadOptions {
            column_overrides: c.columns.clone(),
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
    };
    let progress = Bar(bar);
    let report = screen::screen(&list, &options, &progress);
    progress.0.finish_and_clear();
    let report = report.context("could not screen; no report was written")?;

    if let Some(path) = &report_path {
        let opts = xlsx::XlsxOptions {
            all_positions: args.all_positions,
        };
        let bytes =
            xlsx::render_xlsx(&report, &opts).context("could not build the Excel report")?;
        write_atomic(path, &bytes, c.force)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let json_to_stdout = c.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if let Some(path) = &c.json {
        let bytes = render_json(&report).context("could not build the JSON document")?;
        if json_to_stdout {
            std::io::stdout()
                .write_all(&bytes)
                .context("could not write JSON to standard output")?;
        } else {
            write_atomic(path, &bytes, c.force)
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

fn list_update(dir: &std::path::Path, base_url: &str) -> Result<()> {
    let (now, _) = run_clock();
    let r = list::update::update(dir, base_url, now).context("could not update the list")?;
    let mut s = format!(
        "Fetched {} files at {} into {} ({} entries, {} NS-CMIC)\n",
        r.files.len(),
        r.fetched_at.format("%Y-%m-%d %H:%M:%S UTC"),
        r.dir,
        r.entries,
        r.cmic_entries
    );
    for f in &r.files {
        s.push_str(&format!(
            "  {} {} bytes sha256 {}\n",
            f.name, f.bytes, f.sha256
        ));
    }
    if let Some(p) = &r.previous {
        s.push_str(&format!("The copy it replaced is in {p}.\n"));
    }
    s.push_str(&format!(
        "Screen with: holdscreen screen BOOK --list {}\n",
        r.dir
    ));
    std::io::stdout().write_all(s.as_bytes())?;
    Ok(())
}

fn list_show(query: &str, sel: &ListSelection, json: bool) -> Result<()> {
    let list = load_list(sel)?;
    let found = list::show::find_entries(&list, query);
    if found.is_empty() {
        bail!(
            "no entry has the id or a name containing '{query}': try a shorter part of the name, or `holdscreen list info`"
        );
    }
    let out = if json {
        let mut s = serde_json::to_string_pretty(&found)?;
        s.push('\n');
        s
    } else if found.len() > 1 && found.iter().any(|f| f.entry.id != found[0].entry.id) {
        let mut s = format!(
            "{} entries match '{query}'; show one by its id:\n",
            found.len()
        );
        for f in &found {
            s.push_str(&format!(
                "  {:>6}  {}  [{}]\n",
                f.entry.id,
                f.entry.name,
                f.entry.programs.join(", ")
            ));
        }
        s
    } else {
        found
            .iter()
            .map(list::show::describe)
            .collect::<Vec<_>>()
            .join("\n")
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

fn list_diff(
    old: &std::path::Path,
    new: &std::path::Path,
    cmic_only: bool,
    json: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
    force: bool,
) -> Result<()> {
    let load = |p: &std::path::Path| {
        list::load_paths(&[p.to_path_buf()])
            .with_context(|| format!("could not read the list {}", p.display()))
    };
    let (a, b) = (load(old)?, load(new)?);
    let mut diff = list::diff::diff_lists(&a, &b);
    if cmic_only {
        diff = diff.cmic_only();
    }
    if let Some(path) = output {
        let bytes = list::diff::render_diff_xlsx(&diff).context("could not build the workbook")?;
        write_atomic(path, &bytes, force)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let to_stdout = json.is_some_and(|p| p.as_os_str() == "-");
    if let Some(path) = json {
        let mut bytes = serde_json::to_vec_pretty(&diff)?;
        bytes.push(b'\n');
        if to_stdout {
            std::io::stdout().write_all(&bytes)?;
            return Ok(());
        }
        write_atomic(path, &bytes, force)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let mut s = format!(
        "old: {} ({} entries)\nnew: {} ({} entries)\n\n  added   {:>5}   ({} NS-CMIC)\n  removed {:>5}   ({} NS-CMIC)\n  changed {:>5}   ({} NS-CMIC)\n",
        diff.old,
        diff.old_entries,
        diff.new,
        diff.new_entries,
        diff.all.added,
        diff.cmic.added,
        diff.all.removed,
        diff.cmic.removed,
        diff.all.changed,
        diff.cmic.changed
    );
    const SHOWN: usize = 30;
    for e in diff.added.iter().take(SHOWN) {
        s.push_str(&format!("  + {:>6} {}\n", e.id, e.name));
    }
    for e in diff.removed.iter().take(SHOWN) {
        s.push_str(&format!("  - {:>6} {}\n", e.id, e.name));
    }
    for e in diff.changed.iter().take(SHOWN) {
        let fields: Vec<&str> = e.changes.iter().map(|c| c.field.as_str()).collect();
        s.push_str(&format!(
            "  ~ {:>6} {} ({})\n",
            e.id,
            e.name,
            fields.join(", ")
        ));
    }
    let hidden = diff.added.len().saturating_sub(SHOWN)
        + diff.removed.len().saturating_sub(SHOWN)
        + diff.changed.len().saturating_sub(SHOWN);
    if hidden > 0 {
        s.push_str(&format!(
            "  ... and {hidden} more (use --json or --output)\n"
        ));
    }
    std::io::stdout().write_all(s.as_bytes())?;
    Ok(())
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
