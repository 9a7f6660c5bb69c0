//! Holdings input: spreadsheets through calamine, CSV/TSV through the csv crate.
//!
//! A file may hold several tables (one per sheet). Each sheet's header row is found
//! automatically, also below a preamble of title lines and above footer text, by
//! recognising column names ([`columns`]). Every data row becomes a [`HoldingRow`]; rows
//! that are not positions (blank lines, totals, footers) are recorded as [`IgnoredRow`]s so
//! that nothing is dropped without a trace.

pub mod cells;
pub mod columns;
pub mod discover;
mod inflate_ahead;
pub mod read;
pub mod text_chunks;

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use discover::{InputSpec, discover_inputs};
pub use read::{
    HoldingsError, PackedRows, ReadOptions, RowRead, RowSink, TableHeader, read_holdings_file,
    read_holdings_file_into, read_packed_row, read_packed_row_for_screening, read_row,
    trim_trailing_blanks,
};

// The roles' slots are distinct and below `Role::ALL.len()` (tables indexed by role are
// that long), checked when compiling.
const _: () = {
    let mut seen = [false; Role::ALL.len()];
    let mut i = 0;
    while i < Role::ALL.len() {
        let slot = Role::ALL[i].slot();
        assert!(slot < Role::ALL.len() && !seen[slot]);
        seen[slot] = true;
        i += 1;
    }
};

/// What a column of a holdings table means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Isin,
    Cusip,
    Sedol,
    Figi,
    Ticker,
    /// Security name / description.
    Name,
    Issuer,
    /// Exchange, market or MIC.
    Exchange,
    Country,
    /// Quantity, shares, nominal, par.
    Quantity,
    Price,
    MarketValue,
    Currency,
    /// Portfolio, account or fund.
    Account,
    /// Buy/sell side (trade blotters).
    Side,
    /// Trade date (trade blotters).
    TradeDate,
    /// Weight in a fund, in percent (fund constituents files).
    Weight,
}

impl Role {
    /// Every role, in the order reports list them.
    pub const ALL: [Role; 17] = [
        Role::Account,
        Role::Isin,
        Role::Cusip,
        Role::Sedol,
        Role::Figi,
        Role::Ticker,
        Role::Name,
        Role::Issuer,
        Role::Exchange,
        Role::Country,
        Role::Quantity,
        Role::Price,
        Role::MarketValue,
        Role::Currency,
        Role::Side,
        Role::TradeDate,
        Role::Weight,
    ];

    /// Whether the role's cells tell which security a row is: the texts of [`RowIds`].
    /// Every role is named (no wildcard): a new role fails to compile here until it is
    /// said whether it identifies, as the fingerprints of rows depend on it
    /// (`resolve::RowPrint::of_cells`).
    pub const fn identifies(self) -> bool {
        match self {
            Role::Isin
            | Role::Cusip
            | Role::Sedol
            | Role::Figi
            | Role::Ticker
            | Role::Name
            | Role::Issuer
            | Role::Exchange
            | Role::Country => true,
            Role::Quantity
            | Role::Price
            | Role::MarketValue
            | Role::Currency
            | Role::Account
            | Role::Side
            | Role::TradeDate
            | Role::Weight => false,
        }
    }

    /// The role's place in tables indexed by role (`role as usize`), below `ALL.len()`.
    pub const fn slot(self) -> usize {
        // Every role is listed in `ALL`: a new one fails to compile here until it is.
        match self {
            Role::Isin
            | Role::Cusip
            | Role::Sedol
            | Role::Figi
            | Role::Ticker
            | Role::Name
            | Role::Issuer
            | Role::Exchange
            | Role::Country
            | Role::Quantity
            | Role::Price
            | Role::MarketValue
            | Role::Currency
            | Role::Account
            | Role::Side
            | Role::TradeDate
            | Role::Weight => self as usize,
        }
    }

    /// The name used on the command line (`--column isin=...`) and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Isin => "isin",
            Role::Cusip => "cusip",
            Role::Sedol => "sedol",
            Role::Figi => "figi",
            Role::Ticker => "ticker",
            Role::Name => "name",
            Role::Issuer => "issuer",
            Role::Exchange => "exchange",
            Role::Country => "country",
            Role::Quantity => "quantity",
            Role::Price => "price",
            Role::MarketValue => "market-value",
            Role::Currency => "currency",
            Role::Account => "account",
            Role::Side => "side",
            Role::TradeDate => "trade-date",
            Role::Weight => "weight",
        }
    }

    /// Parse a role name as written on the command line (case-insensitive, `_` or `-`).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        let s = match s.as_str() {
            "security" | "description" | "security-name" => "name",
            "symbol" => "ticker",
            "mic" | "market" => "exchange",
            "shares" | "nominal" | "qty" => "quantity",
            "mv" | "value" | "marketvalue" => "market-value",
            "portfolio" | "fund" => "account",
            "ccy" => "currency",
            other => other,
        };
        Role::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column recognised in a table's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnMapping {
    pub role: Role,
    /// The header text as written.
    pub header: String,
    /// 0-based column index.
    pub index: usize,
    /// Spreadsheet column letter (`A`, `B`, ..., `AA`); for CSV the same letters.
    pub letter: String,
}

/// A problem with one cell of a data row; the row is still screened where it can be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    /// Column letter and header, e.g. `F (Quantity)`.
    pub column: String,
    pub message: String,
}

/// One data row of a holdings table. Text fields are trimmed; empty cells are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HoldingRow {
    /// 1-based row number as a spreadsheet user sees it (CSV: 1-based line number).
    pub row: u32,
    pub account: Option<String>,
    pub isin: Option<String>,
    pub cusip: Option<String>,
    pub sedol: Option<String>,
    pub figi: Option<String>,
    pub ticker: Option<String>,
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub exchange: Option<String>,
    pub country: Option<String>,
    pub quantity: Option<f64>,
    pub price: Option<f64>,
    pub market_value: Option<f64>,
    pub currency: Option<String>,
    pub side: Option<String>,
    /// ISO date when the cell was a date or a recognisable date text; otherwise the raw text
    /// is kept in `trade_date_text` and a problem is recorded.
    pub trade_date: Option<chrono::NaiveDate>,
    pub trade_date_text: Option<String>,
    /// Weight in a fund, in percent (constituents files).
    pub weight: Option<f64>,
    pub problems: Vec<CellProblem>,
}

impl HoldingRow {
    /// The texts that tell which security the row is.
    pub fn ids(&self) -> RowIds<'_> {
        RowIds {
            isin: self.isin.as_deref(),
            cusip: self.cusip.as_deref(),
            sedol: self.sedol.as_deref(),
            figi: self.figi.as_deref(),
            ticker: self.ticker.as_deref(),
            name: self.name.as_deref(),
            issuer: self.issuer.as_deref(),
            exchange: self.exchange.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

/// A [`HoldingRow`] whose texts are borrowed from the cells they were read from: how rows
/// are screened without a string per cell. [`HoldingRowRef::into_owned`] makes the row
/// when it is kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HoldingRowRef<'a> {
    pub row: u32,
    pub account: Option<Cow<'a, str>>,
    pub isin: Option<Cow<'a, str>>,
    pub cusip: Option<Cow<'a, str>>,
    pub sedol: Option<Cow<'a, str>>,
    pub figi: Option<Cow<'a, str>>,
    pub ticker: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub issuer: Option<Cow<'a, str>>,
    pub exchange: Option<Cow<'a, str>>,
    pub country: Option<Cow<'a, str>>,
    pub quantity: Option<f64>,
    pub price: Option<f64>,
    pub market_value: Option<f64>,
    pub currency: Option<Cow<'a, str>>,
    pub side: Option<Cow<'a, str>>,
    pub trade_date: Option<chrono::NaiveDate>,
    pub trade_date_text: Option<Cow<'a, str>>,
    pub weight: Option<f64>,
    pub problems: Vec<CellProblem>,
}

impl HoldingRowRef<'_> {
    /// The texts that tell which security the row is.
    pub fn ids(&self) -> RowIds<'_> {
        RowIds {
            isin: self.isin.as_deref(),
            cusip: self.cusip.as_deref(),
            sedol: self.sedol.as_deref(),
            figi: self.figi.as_deref(),
            ticker: self.ticker.as_deref(),
            name: self.name.as_deref(),
            issuer: self.issuer.as_deref(),
            exchange: self.exchange.as_deref(),
            country: self.country.as_deref(),
        }
    }

    /// The row with texts of its own.
    pub fn into_owned(self) -> HoldingRow {
        let own = |t: Option<Cow<'_, str>>| t.map(Cow::into_owned);
        HoldingRow {
            row: self.row,
            account: own(self.account),
            isin: own(self.isin),
            cusip: own(self.cusip),
            sedol: own(self.sedol),
            figi: own(self.figi),
            ticker: own(self.ticker),
            name: own(self.name),
            issuer: own(self.issuer),
            exchange: own(self.exchange),
            country: own(self.country),
            quantity: self.quantity,
            price: self.price,
            market_value: self.market_value,
            currency: own(self.currency),
            side: own(self.side),
            trade_date: self.trade_date,
            trade_date_text: own(self.trade_date_text),
            weight: self.weight,
            problems: self.problems,
        }
    }
}

/// The texts of a row that tell which security it is (what resolving reads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowIds<'a> {
    pub isin: Option<&'a str>,
    pub cusip: Option<&'a str>,
    pub sedol: Option<&'a str>,
    pub figi: Option<&'a str>,
    pub ticker: Option<&'a str>,
    pub name: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub exchange: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// A row of a table that is not a position (blank line, total line, footer text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredRow {
    pub row: u32,
    pub reason: String,
}

/// One holdings table: a sheet (or a CSV file) with its header and data rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldingsTable {
    /// Sheet name; None for CSV/TSV.
    pub sheet: Option<String>,
    /// 1-based row of the header.
    pub header_row: u32,
    pub columns: Vec<ColumnMapping>,
    /// The data rows (empty when they were given to a [`read::RowSink`] as read).
    pub rows: Vec<HoldingRow>,
    /// Number of data rows read (0 when the rows were given to a [`read::RowSink`]: the
    /// receiver counts them).
    pub row_count: usize,
    pub ignored: Vec<IgnoredRow>,
}

/// A sheet that holds no holdings table, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedSheet {
    pub sheet: String,
    pub reason: String,
}

/// Everything read from one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldingsFile {
    /// The path as given by the user (or as found under a folder the user gave).
    pub path: String,
    /// `xlsx`, `xls`, `csv`...
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
    pub tables: Vec<HoldingsTable>,
    pub skipped_sheets: Vec<SkippedSheet>,
}

impl HoldingsFile {
    /// Data rows in all tables.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.row_count).sum()
    }
}
