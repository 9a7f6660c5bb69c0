//! OFAC sanctions lists in their official formats.
//!
//! * [`csv_set`]: the consolidated (non-SDN) CSV set (CONS_PRIM, CONS_ALT, CONS_ADD,
//!   CONS_COMMENTS) and the SDN CSV set (SDN, ALT, ADD, SDN_COMMENTS), which share a layout;
//! * [`xml`]: the classic XML (`consolidated.xml`, `sdn.xml`);
//! * [`remarks`]: the CMIC fields packed into remarks (`Equity Ticker`, `ISIN`, dates...);
//! * [`embedded`]: the NS-CMIC snapshot compiled into the binary.
//!
//! Every format produces the same [`Entry`] values, so the rest of the program never
//! knows which file a list came from, only its [`ListSnapshot`] provenance.

pub mod csv_set;
pub mod diff;
pub mod diff_xlsx;
pub mod embedded;
pub mod load;
pub mod remarks;
pub mod show;
pub mod update;
pub mod xml;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ident::{IdCheck, TickerKey};

pub use load::{ListError, LoadOptions, load_paths, load_paths_with};

/// The OFAC program tag of the NS-CMIC list.
pub const CMIC_PROGRAM: &str = "CMIC-EO13959";

/// Which OFAC list a snapshot is: the SDN list (blocking) or the consolidated non-SDN list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    /// Specially Designated Nationals and Blocked Persons list.
    Sdn,
    /// Consolidated (non-SDN) list, where NS-CMIC lives.
    Consolidated,
}

/// File format a snapshot was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListFormat {
    /// CONS_PRIM/ALT/ADD/COMMENTS or SDN/ALT/ADD/SDN_COMMENTS CSV files.
    CsvSet,
    /// `consolidated.xml` / `sdn.xml` (classic XML).
    ClassicXml,
}

/// What kind of party an entry is (SDN_Type in CSV, sdnType in XML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyType {
    /// Entity (CSV `-0-`).
    Entity,
    Individual,
    Vessel,
    Aircraft,
}

/// An alternative name of an entry (CONS_ALT / akaList).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// `aka`, `fka` or `nka` (normalised to lower case without dots).
    pub kind: String,
    pub name: String,
    /// `strong` / `weak` where the XML says so.
    pub strength: Option<String>,
}

/// One labelled identifier of an entry, as the list writes it
/// (a remarks segment in CSV, an `<id>` in XML). `label` never has the `alt.` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    pub label: String,
    pub value: String,
    pub country: Option<String>,
}

/// An ISIN from the list, kept even when defective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedIsin {
    pub value: String,
    pub check: IdCheck,
}

/// An `Equity Ticker` from the list: OFAC's raw `code CC` text and its normalised key
/// (None when the raw text cannot be understood; it is still kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedTicker {
    pub raw: String,
    pub key: Option<TickerKey>,
}

/// Typed NS-CMIC fields of an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmicData {
    pub tickers: Vec<ListedTicker>,
    pub isins: Vec<ListedIsin>,
    pub issuer_names: Vec<String>,
    /// Public Company / Private Company / State-Owned Enterprise.
    pub target_type: Option<String>,
    pub listing_date: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    /// OFAC's "Purchase/Sales For Divestment Date (CMIC)": the exclusive end of the window.
    pub divestment_date: Option<NaiveDate>,
    /// Unified Social Credit Codes (the stable key of a PRC legal person).
    pub uscc: Vec<String>,
    /// Legal Entity Identifiers ("Legal Entity Number").
    pub lei: Vec<String>,
    /// Other registration numbers: C.R. No., Company Number, Business Registration Number...
    pub registrations: Vec<Identifier>,
}

/// One list entry (an ent_num / uid), whatever the format it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// ent_num (CSV) or uid (XML), as a string.
    pub id: String,
    pub name: String,
    pub party_type: PartyType,
    pub programs: Vec<String>,
    pub list_kind: ListKind,
    pub aliases: Vec<Alias>,
    /// Every labelled identifier in list order (CMIC ones included).
    pub identifiers: Vec<Identifier>,
    /// `Linked To:` names (informational parent links, not extensions).
    pub linked_to: Vec<String>,
    /// Full remarks text (CSV: with the CONS_COMMENTS continuation appended).
    pub remarks: Option<String>,
    /// True when the remarks were cut at 1000 characters and no comments file continued them.
    pub remarks_truncated: bool,
    /// Countries of the entry's addresses.
    pub countries: Vec<String>,
    /// Typed CMIC data, present when the entry is in the CMIC-EO13959 program.
    pub cmic: Option<CmicData>,
}

impl Entry {
    /// True when the entry is on the NS-CMIC list.
    pub fn is_cmic(&self) -> bool {
        self.programs.iter().any(|p| p == CMIC_PROGRAM)
    }

    /// True when a holding can match this entry: an NS-CMIC entry of the consolidated list,
    /// or an entity of the SDN list (individuals, vessels and aircraft issue no securities).
    pub fn can_match_security(&self) -> bool {
        match self.list_kind {
            ListKind::Consolidated => self.is_cmic(),
            ListKind::Sdn => self.party_type == PartyType::Entity,
        }
    }
}

/// One source file of a snapshot, with its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path as given by the user, or the embedded file name.
    pub path: String,
    /// What the file is: `CONS_PRIM`, `CONS_ALT`, `SDN`, `consolidated.xml`...
    pub role: String,
    pub sha256: String,
    pub bytes: u64,
    /// Records read from the file.
    pub records: usize,
}

/// Where a snapshot's date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateBasis {
    /// `<Publish_Date>` in the XML file itself.
    PublishDate,
    /// The date the embedded snapshot was captured by (CSV files carry no date).
    CapturedBy,
    /// A `LIST_DATE` file beside a CSV set (one line, `YYYY-MM-DD`): the date the person
    /// or tool that saved the set declares.
    Declared,
    /// The files' modification time (CSV files carry no date).
    FileModified,
    /// Nothing tells the date.
    Unknown,
}

/// One loaded list: a CSV set or an XML file, with provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListSnapshot {
    /// Human description, e.g. "OFAC consolidated (non-SDN) list, CSV set".
    pub description: String,
    pub format: ListFormat,
    pub kind: ListKind,
    pub files: Vec<SourceFile>,
    /// The list's date, and where it comes from.
    pub date: Option<NaiveDate>,
    pub date_basis: DateBasis,
    /// `<Record_Count>` of an XML file.
    pub record_count: Option<usize>,
    /// True for the snapshot compiled into the binary.
    pub embedded: bool,
    /// The entries read (for `screen` and `trades`, only those that can match a security).
    pub entries: Vec<Entry>,
    /// Entries read but not kept in `entries`: for `screen` and `trades`, the SDN
    /// individuals, vessels and aircraft and the consolidated entries outside NS-CMIC, which
    /// never match a security.
    #[serde(default)]
    pub omitted_entries: usize,
    /// Things the user should know about this list (truncated remarks, defects...).
    pub warnings: Vec<String>,
}

impl ListSnapshot {
    /// Entries on the NS-CMIC list.
    pub fn cmic_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.is_cmic())
    }
}

/// Every snapshot the user asked for (or the embedded one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SanctionsList {
    pub snapshots: Vec<ListSnapshot>,
}
