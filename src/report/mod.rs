//! The screening report: one serialisable value that every renderer reads.
//!
//! [`ScreenReport`] *is* the `--json` output (see docs/contract.md); the Excel workbook
//! ([`xlsx`]) and the terminal summary ([`terminal`]) are views of it.

pub mod json;
pub mod terminal;
pub mod xlsx;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::holdings::{ColumnMapping, IgnoredRow, SkippedSheet};
use crate::list::{DateBasis, ListFormat, ListKind, SourceFile};

/// Verdict for one input row (contract.md, "Statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Prohibited,
    Pending,
    Blocked,
    Review,
    Cleared,
    Clear,
    Invalid,
    /// Orders: no listed security involved, or traded before the prohibition took effect.
    Allowed,
    /// Orders: a sale (or cover) inside the divestment window: lawful only to divest.
    DivestOnly,
}

/// What a report screens: holdings (`screen`) or orders (`trades`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    #[default]
    Holdings,
    Orders,
}

impl ReportKind {
    /// The statuses a report of this kind uses, in display order.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            ReportKind::Holdings => &Status::ALL,
            ReportKind::Orders => &Status::ORDERS,
        }
    }
}

impl Status {
    /// Statuses of orders (`trades`), contract.md "Trade verdicts".
    pub const ORDERS: [Status; 5] = [
        Status::Blocked,
        Status::DivestOnly,
        Status::Review,
        Status::Allowed,
        Status::Invalid,
    ];

    /// Statuses of holdings (`screen`).
    pub const ALL: [Status; 7] = [
        Status::Prohibited,
        Status::Pending,
        Status::Blocked,
        Status::Review,
        Status::Cleared,
        Status::Clear,
        Status::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Prohibited => "prohibited",
            Status::Pending => "pending",
            Status::Blocked => "blocked",
            Status::Review => "review",
            Status::Cleared => "cleared",
            Status::Clear => "clear",
            Status::Invalid => "invalid",
            Status::Allowed => "allowed",
            Status::DivestOnly => "divest-only",
        }
    }
}

/// Whether sales solely to divest are still allowed (contract.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Window {
    Open,
    Closed,
}

impl Window {
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Open => "open",
            Window::Closed => "closed",
        }
    }
}

/// What matched a list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    Isin,
    Cusip,
    Ticker,
    /// The entry's primary name.
    Name,
    /// An a.k.a. / f.k.a. of the entry.
    Alias,
    /// One of the CMIC `Issuer Name` values.
    IssuerName,
    /// A fund holding listed securities (`--constituents`).
    LookThrough,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Isin => "isin",
            Basis::Cusip => "cusip",
            Basis::Ticker => "ticker",
            Basis::Name => "name",
            Basis::Alias => "alias",
            Basis::IssuerName => "issuer-name",
            Basis::LookThrough => "look-through",
        }
    }
}

/// One input row with its verdict. Field names follow docs/contract.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub file: String,
    pub sheet: Option<String>,
    pub row: u32,
    pub status: Status,
    pub entity_id: Option<String>,
    pub entity_name: Option<String>,
    pub basis: Option<Basis>,
    pub score: Option<f64>,
    pub listing_date: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    pub divestment_deadline: Option<NaiveDate>,
    pub window: Option<Window>,
    /// The last day a divestment sale can be made: the day before `divestment_deadline`.
    pub last_day_to_divest: Option<NaiveDate>,
    /// Days from the as-of date to `divestment_deadline`, while the window is open.
    pub days_left: Option<i64>,
    /// The list value that matched (`CNE1000002V2`, `941 HK`, `CHINA MOBILE LIMITED`).
    pub matched_value: Option<String>,
    /// One line a reviewer can read: what matched, how, what was discounted.
    pub explanation: Option<String>,
    /// What to do, in words.
    pub action: Option<String>,
    /// Data-quality findings and the reason of an `invalid` status.
    pub notes: Vec<String>,
    /// The reviewed exception that cleared this position (`exceptions.csv line 3`).
    pub exception: Option<String>,
    /// Orders only: the trade date the order was judged on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade_date: Option<NaiveDate>,
    /// Orders only: the side as written in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    // The row as read.
    pub account: Option<String>,
    pub security: Option<String>,
    pub issuer: Option<String>,
    pub isin: Option<String>,
    pub cusip: Option<String>,
    pub sedol: Option<String>,
    pub ticker: Option<String>,
    pub exchange: Option<String>,
    pub quantity: Option<f64>,
    pub price: Option<f64>,
    pub market_value: Option<f64>,
    pub currency: Option<String>,
}

/// Provenance of the list a run used.
#[derive(Debug, Clone, Serialize)]
pub struct ListInfo {
    /// One line: "OFAC consolidated (non-SDN) list, CSV set, embedded (captured by 2025-12-19)".
    pub source: String,
    pub embedded: bool,
    /// The list's publication (or capture) date, the newest of the snapshots.
    pub publication_date: Option<NaiveDate>,
    /// Age in days of the list on the run date (freshness is about today, not the as-of date).
    pub age_days: Option<i64>,
    /// NS-CMIC entries screened against.
    pub entry_count: usize,
    /// SDN entities screened against (0 unless an SDN list was given with --list).
    pub sdn_entity_count: usize,
    pub snapshots: Vec<SnapshotInfo>,
    /// The versions in force on the as-of date (for orders: on the run date; each order is
    /// judged against the versions in force on its trade date).
    pub in_force: String,
    /// Problems with the list the user should know about (e.g. remarks cut short).
    pub warnings: Vec<String>,
    /// Defects in OFAC's own data, kept as listed (e.g. an ISIN with a bad check digit).
    pub notes: Vec<String>,
}

/// One snapshot of [`ListInfo`].
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub description: String,
    pub format: ListFormat,
    pub kind: ListKind,
    pub date: Option<NaiveDate>,
    pub date_basis: DateBasis,
    pub record_count: Option<usize>,
    pub entries: usize,
    pub cmic_entries: usize,
    pub files: Vec<SourceFile>,
}

/// One table read from an input file.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub sheet: Option<String>,
    pub header_row: u32,
    pub rows: usize,
    pub columns: Vec<ColumnMapping>,
    pub ignored: Vec<IgnoredRow>,
}

/// Provenance of one input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
    pub rows: usize,
    pub tables: Vec<TableInfo>,
    pub skipped_sheets: Vec<SkippedSheet>,
}

/// Settings that change verdicts, recorded as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsInfo {
    /// Name score at or above which a name match alone is `prohibited`.
    pub name_prohibit_threshold: f64,
    /// Name score at or above which a name match is `review`.
    pub name_review_threshold: f64,
    pub column_overrides: Vec<String>,
    pub threads: usize,
}

/// Count and market value of positions with one status. Market values are summed per
/// currency (never across currencies).
#[derive(Debug, Clone, Serialize)]
pub struct StatusTotal {
    pub status: Status,
    pub positions: usize,
    pub market_value: Vec<CurrencyAmount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CurrencyAmount {
    /// Currency code as written in the input; "" when the input has none.
    pub currency: String,
    pub amount: f64,
}

/// Totals of one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileTotal {
    pub file: String,
    pub positions: usize,
    /// Positions per status, in the report kind's status order, zero counts included.
    pub by_status: Vec<(Status, usize)>,
}

/// Counts for the summary sheet and the terminal.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub positions: usize,
    pub by_status: Vec<StatusTotal>,
    pub by_file: Vec<FileTotal>,
}

/// Tool and run facts, recorded as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub tool: String,
    pub version: String,
    pub command_line: Vec<String>,
    /// When the run happened (UTC). Set `SOURCE_DATE_EPOCH` to pin it for reproducible files.
    pub run_at: DateTime<Utc>,
}

/// The reviewed-exceptions file of a run and the outcome of every entry.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionsInfo {
    pub path: String,
    pub sha256: String,
    pub outcomes: Vec<crate::exceptions::ExceptionOutcome>,
}

/// Everything a screening run found. This is the `--json` document.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenReport {
    /// Holdings (`screen`) or orders (`trades`).
    pub kind: ReportKind,
    /// The date the screen is for (for orders: the run date; each order is judged on its
    /// own trade date).
    pub as_of: NaiveDate,
    pub run: RunInfo,
    pub list: ListInfo,
    pub settings: SettingsInfo,
    pub inputs: Vec<InputInfo>,
    pub summary: Summary,
    /// Run-level warnings (stale list, skipped files...).
    pub warnings: Vec<String>,
    /// The exceptions file and what became of each entry, when `--exceptions` was given.
    pub exceptions: Option<ExceptionsInfo>,
    /// Fund constituents files (`--constituents`), with provenance.
    pub constituents: Vec<InputInfo>,
    /// The funds those files describe and what they hold that is listed.
    pub funds: Vec<crate::lookthrough::FundInfo>,
    /// One element for every data row of every input, in input order; with
    /// `Keep::Attention` (the command line's default Excel report) only the rows whose
    /// status is not `clear` (the summary still counts every row).
    pub positions: Vec<Position>,
}

impl ScreenReport {
    /// A copy of the report without its positions (for writing them from elsewhere).
    pub fn clone_without_positions(&self) -> ScreenReport {
        ScreenReport {
            kind: self.kind,
            as_of: self.as_of,
            run: self.run.clone(),
            list: self.list.clone(),
            settings: self.settings.clone(),
            inputs: self.inputs.clone(),
            summary: self.summary.clone(),
            warnings: self.warnings.clone(),
            exceptions: self.exceptions.clone(),
            constituents: self.constituents.clone(),
            funds: self.funds.clone(),
            positions: Vec::new(),
        }
    }

    /// Positions with a given status, in input order.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &Position> {
        self.positions.iter().filter(move |p| p.status == status)
    }

    /// Number of positions with a given status.
    pub fn count(&self, status: Status) -> usize {
        self.with_status(status).count()
    }
}
