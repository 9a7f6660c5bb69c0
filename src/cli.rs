//! Command-line arguments (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use holdscreen::holdings::Role;

/// Screen investment holdings against OFAC's NS-CMIC list (Non-SDN Chinese
/// Military-Industrial Complex Companies, program CMIC-EO13959).
///
/// holdscreen reads holdings spreadsheets (xlsx, xlsm, xls, xlsb, ods, csv, tsv), resolves
/// every position's ISIN, CUSIP, ticker and issuer name against the list, applies the dated
/// rules of EO 13959/14032 on an as-of date, and writes an Excel report (Summary,
/// Prohibited, Review, Invalid, Evidence) plus optional JSON.
///
/// Examples:
///
///   holdscreen screen samples/holdings/             # every file in a folder, as of today
///
///   holdscreen screen book.xlsx --as-of 2022-06-30 --json out.json
///
///   holdscreen screen blotter.csv --list ./ofac/ --column ticker="BBG Code"
///
///   holdscreen screen book.xlsx --list ofac/consolidated/ --list ofac/sdn/   # + SDN blocking
///
///   holdscreen trades samples/orders/trade-blotter.csv --constituents samples/funds/
///
/// Exit codes: 0 = nothing prohibited or blocked, 1 = at least one position prohibited or
/// blocked (trades: an order blocked), 2 = could not screen (bad arguments, unreadable input
/// or list).
#[derive(Debug, Parser)]
#[command(name = "holdscreen", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen holdings files against the NS-CMIC list and write a report.
    ///
    /// Every sheet that holds a holdings table is read; the header row is found even below
    /// a title preamble. Columns are recognised by name (ISIN, CUSIP, SEDOL, Ticker/Symbol,
    /// Security Name/Description, Issuer, Exchange/MIC, Country, Quantity, Price, Market
    /// Value, Currency, Account/Portfolio); use --column to name others.
    ///
    /// Statuses: prohibited (listed, prohibition in effect), pending (listed, not yet in
    /// effect), review (possible match a person must decide), clear, invalid (row could not
    /// be screened). For prohibited and pending rows the report gives OFAC's divestment date,
    /// the last day to divest and the days left.
    Screen(ScreenArgs),
    /// Check orders (a trade blotter) before they go out, each on its trade date.
    ///
    /// Reads the same formats as `screen`, plus a side column (BUY/SELL, B/S, SS for a
    /// short sale, BC to cover, FIX codes 1/2/5) and a trade date column. Statuses:
    /// allowed, divest-only (a sale inside the divestment window: lawful only to divest),
    /// blocked (a purchase on or after the effective date, a sale on or after the
    /// divestment date), review, invalid (no side or no trade date). Compliance is judged on
    /// the trade date, not the settlement date.
    ///
    /// Exit codes: 0 = nothing blocked, 1 = at least one order blocked, 2 = could not check.
    Trades(TradesArgs),
    /// Show what a list holds (the embedded one, or files given with --list).
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Holdings files or folders (folders are searched recursively).
    #[arg(required = true, value_name = "HOLDINGS")]
    pub inputs: Vec<PathBuf>,

    /// The date the screen is for (point in time). Default: today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Add a sheet listing every position, not only the ones that need attention.
    #[arg(long)]
    pub all_positions: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct TradesArgs {
    /// Trade blotters or order files (any format `screen` reads), or folders of them.
    #[arg(required = true, value_name = "ORDERS")]
    pub inputs: Vec<PathBuf>,

    /// Trade date for orders whose row has none. Orders without a date are `invalid`
    /// unless this is given.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub trade_date: Option<NaiveDate>,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options shared by `screen` and `trades`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub list: ListSelection,

    /// Excel report to write. Default: holdscreen-report-<as-of>.xlsx in the current folder.
    #[arg(short, long, value_name = "REPORT.xlsx")]
    pub output: Option<PathBuf>,

    /// Do not write the Excel report (use with --json).
    #[arg(long, conflicts_with = "output")]
    pub no_report: bool,

    /// Also write the JSON document (contract.md) here; `-` writes it to standard output.
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,

    /// Overwrite existing report files.
    #[arg(long)]
    pub force: bool,

    /// Name the column that holds a role when its header is not recognised, e.g.
    /// --column isin="Security ID" --column ticker="BBG Code". Roles: isin, cusip, sedol,
    /// figi, ticker, name, issuer, exchange, country, quantity, price, market-value,
    /// currency, account, side, trade-date, weight.
    #[arg(long = "column", value_name = "ROLE=HEADER", value_parser = parse_column)]
    pub columns: Vec<(Role, String)>,

    /// Name score (0..1) at or above which a name match alone is `prohibited`.
    #[arg(long, value_name = "SCORE", default_value_t = 0.95)]
    pub name_prohibit: f64,

    /// Name score (0..1) at or above which a name match is `review`.
    #[arg(long, value_name = "SCORE", default_value_t = 0.80)]
    pub name_review: f64,

    /// Reviewed exceptions (CSV or TOML): possible matches a person has dismissed.
    ///
    /// Each entry names the OFAC entity id, an identifier or a name, the reason, who decided
    /// and when, and an optional expiry. A matching, unexpired entry turns `review` into
    /// `cleared`; exact ISIN/CUSIP matches can never be cleared. See docs/user-guide.md.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,

    /// Holdings files of funds or ETFs (files or folders), for look-through: a position in,
    /// or an order for, a fund that holds a prohibited security is prohibited / blocked
    /// (basis look-through). The fund is identified by a Fund/Account/Portfolio column, or
    /// by the file name (e.g. KWEB.csv, US5007673065.xlsx). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub constituents: Vec<PathBuf>,

    /// Warn when the list is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub max_list_age: i64,

    /// Worker threads (0 = one per core); also how many files, and sheets of a large
    /// workbook, are read at once (up to four sheets). Results are the same for any N.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Folder where large lists (the SDN list) are kept parsed and indexed between runs,
    /// keyed by the files' SHA-256 and this program's build: a repeated run skips parsing.
    /// Default: $HOLDSCREEN_CACHE_DIR, else $XDG_CACHE_HOME/holdscreen, else
    /// ~/.cache/holdscreen. Reports are the same with or without it.
    #[arg(long, value_name = "DIR", env = "HOLDSCREEN_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Parse and index the list afresh, reading and writing no cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// Print nothing but errors (no progress bar, no summary).
    #[arg(short, long)]
    pub quiet: bool,

    /// When to use colours in the terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct ListSelection {
    /// OFAC list files or folders in their official formats (consolidated CSV set
    /// CONS_PRIM/ALT/ADD/COMMENTS, SDN CSV set, consolidated.xml, sdn.xml). Repeatable.
    /// Default: the NS-CMIC snapshot embedded in holdscreen.
    #[arg(long = "list", value_name = "PATH")]
    pub lists: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(subcommand)]
    pub command: ListCommand,
}

#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// Source, date, SHA-256 and counts of the list.
    Info {
        #[command(flatten)]
        list: ListSelection,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// One entry with every identifier, alias, date and remark.
    ///
    /// ENTRY is an OFAC id (ent_num / uid) or part of a name or alias (case-insensitive).
    /// When a name matches several entries they are listed, to choose an id from.
    Show(ListShowArgs),
    /// Compare two versions of a list: entries added, removed and changed.
    ///
    /// OLD and NEW are list files or folders, as --list takes them (e.g. a consolidated.xml
    /// and a CSV set). Prints a summary; --json and --output export every change.
    Diff(ListDiffArgs),
    /// Fetch the current consolidated list from OFAC into a folder.
    ///
    /// Downloads CONS_PRIM/ALT/ADD/COMMENTS.CSV into a new folder inside DIR, checks that
    /// every file arrived whole and that the set reads and holds NS-CMIC entries, then makes
    /// it DIR/current (with FETCHED.json: fetch time, URLs, SHA-256 and size of each file).
    /// A failed download never replaces the current copy. Use it with --list DIR/current.
    Update(ListUpdateArgs),
}

#[derive(Debug, Args)]
pub struct ListShowArgs {
    /// OFAC id (ent_num / uid), or part of a name or alias.
    #[arg(value_name = "ID|NAME")]
    pub query: String,

    #[command(flatten)]
    pub list: ListSelection,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListDiffArgs {
    /// The older list: a file or folder, as --list takes it.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The newer list.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Write every change as JSON here; `-` writes it to standard output.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write an Excel workbook (Summary, Added, Removed, Changed).
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: Option<PathBuf>,

    /// List NS-CMIC (CMIC-EO13959) entries only; the counts still cover every entry.
    #[arg(long)]
    pub cmic_only: bool,

    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ListUpdateArgs {
    /// Folder that keeps the list (created if needed); the good copy is DIR/current.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// Where the files are fetched from (file names are appended).
    #[arg(long, value_name = "URL", default_value = holdscreen::list::update::DEFAULT_BASE_URL)]
    pub base_url: String,

    /// Also fetch CONSOLIDATED.XML (it carries OFAC's Publish_Date).
    #[arg(long)]
    pub xml: bool,

    /// Seconds allowed for each file.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: write it as YYYY-MM-DD, e.g. 2022-06-30"))
}

fn parse_column(s: &str) -> Result<(Role, String), String> {
    let (role, header) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}': write ROLE=HEADER, e.g. isin=\"Security ID\""))?;
    let role = Role::parse(role).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role '{role}': use one of {}", names.join(", "))
    })?;
    let header = header.trim();
    if header.is_empty() {
        return Err(format!("'{s}': the header text is empty"));
    }
    Ok((role, header.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn column_overrides_parse() {
        assert_eq!(
            parse_column("isin=Security ID").unwrap(),
            (Role::Isin, "Security ID".into())
        );
        assert_eq!(
            parse_column("Symbol=BBG").unwrap(),
            (Role::Ticker, "BBG".into())
        );
        assert!(parse_column("isin").is_err());
        assert!(parse_column("colour=x").is_err());
    }

    #[test]
    fn dates_parse() {
        assert!(parse_date("2022-06-30").is_ok());
        assert!(parse_date("30/06/2022").is_err());
    }
}
