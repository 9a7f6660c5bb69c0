//! Fund look-through (`--constituents FILE...`).
//!
//! Buying or selling shares of a fund (an ETF, an index fund) that holds a security of a
//! listed NS-CMIC entity is itself prohibited once the prohibition is in effect, whatever
//! the weight (OFAC FAQ 861); holding the fund stays lawful. A constituents file is a
//! holdings file of a fund: every row is screened like a holding, and the fund is
//! identified by its `Fund`/`Account`/`Portfolio` column or, without one, by the file name
//! (`KWEB.csv`, `US5007673065.xlsx`, `Asia Tech ETF.xlsx`).
//!
//! A position or an order whose ISIN, CUSIP, ticker or name is a fund's identifier is then
//! judged through the fund: `prohibited` (holdings) or `blocked` (orders) with basis
//! `look-through`, naming the listed constituents, their weights and their list entries.

use chrono::NaiveDate;
use serde::Serialize;

use crate::ident::normalise_id;
use crate::index::{EntryId, ListIndex};
use crate::names::normalise;
use crate::report::{Basis, Position, Status, Window};
use crate::resolve::Strength;
use crate::rules::{ListingDates, judge};

/// A constituent of a fund that resolved to a listed entry.
#[derive(Debug, Clone)]
pub struct ListedConstituent {
    /// Where it is written: `file [sheet] row N`.
    pub location: String,
    /// The security as the constituents file writes it.
    pub security: String,
    /// Weight in the fund, in percent, when the file gives it.
    pub weight: Option<f64>,
    pub entry: EntryId,
    pub basis: Basis,
    pub strength: Strength,
    pub dates: ListingDates,
}

/// One fund and what it holds that is on the list.
#[derive(Debug, Clone)]
pub struct Fund {
    /// The fund's identifier as written (a ticker, an ISIN or a name).
    pub id: String,
    /// The constituents file.
    pub file: String,
    /// Constituent rows read.
    pub constituents: usize,
    pub listed: Vec<ListedConstituent>,
    keys: Vec<String>,
    name: Option<String>,
}

/// What the report records about each fund (JSON `funds`, Evidence sheet).
#[derive(Debug, Clone, Serialize)]
pub struct FundInfo {
    pub id: String,
    pub file: String,
    pub constituents: usize,
    /// Constituents on the list, as `security (weight%) -> ENTITY (OFAC id)`.
    pub listed: Vec<String>,
    /// Positions or orders judged through this fund.
    pub positions: usize,
}

/// Identifier keys of a fund id, an ISIN, a CUSIP or a ticker: the text without spaces and
/// dots, and the ticker root before an exchange suffix (`KWEB US Equity`, `KWEB.N` -> KWEB).
fn id_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let id = normalise_id(text);
    if id.len() >= 2 {
        keys.push(id);
    }
    if let Some(root) = text
        .split([' ', '.', ':', '-'])
        .find(|p| !p.is_empty())
        .map(|r| r.to_ascii_uppercase())
        && (2..=8).contains(&root.len())
        && root.chars().all(|c| c.is_ascii_alphanumeric())
        && !keys.contains(&root)
    {
        keys.push(root);
    }
    keys
}

/// The name key of a fund or a security (two words at least, so that a ticker is not a
/// name).
fn name_key(text: &str) -> Option<String> {
    let k = normalise(text).key;
    k.contains(' ').then_some(k)
}

impl Fund {
    pub fn new(id: &str, file: &str) -> Fund {
        Fund {
            id: id.trim().to_string(),
            file: file.to_string(),
            constituents: 0,
            listed: Vec::new(),
            keys: id_keys(id),
            name: name_key(id),
        }
    }

    /// True when a position or an order names this fund: by identifier (ISIN, CUSIP,
    /// ticker) or by the same name.
    pub fn is_named_by(&self, p: &Position) -> bool {
        let by_id = [&p.isin, &p.cusip, &p.ticker]
            .into_iter()
            .flatten()
            .flat_map(|t| id_keys(t))
            .any(|k| self.keys.contains(&k));
        let by_name = self.name.is_some()
            && [&p.security, &p.issuer]
                .into_iter()
                .flatten()
                .any(|n| name_key(n) == self.name);
        by_id || by_name
    }
}

/// The fund identifier of a constituents table: its fund/account column, else the file
/// name without folders and extension.
pub fn fund_id_from_path(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Judge positions (or orders) that name a fund through its listed constituents: one batch
/// of the positions of a run. `date_of` gives the date a position is judged on (the as-of
/// date, or an order's trade date); `used` (one count per fund) adds up the positions
/// judged through each fund, for [`fund_infos`] at the end.
pub fn look_through_batch(
    funds: &[Fund],
    positions: &mut [Position],
    index: &ListIndex,
    orders: bool,
    date_of: impl Fn(&Position) -> Option<NaiveDate>,
    used: &mut [usize],
) {
    for p in positions.iter_mut() {
        // A position that is itself listed keeps its own verdict; invalid rows stay invalid.
        if !matches!(p.status, Status::Clear | Status::Allowed | Status::Cleared) {
            continue;
        }
        let Some(date) = date_of(p) else { continue };
        let Some((fi, fund)) = funds.iter().enumerate().find(|(_, f)| f.is_named_by(p)) else {
            continue;
        };
        used[fi] += 1;
        let mut prohibited = Vec::new();
        let mut possible = Vec::new();
        for c in &fund.listed {
            let v = judge(&c.dates, c.strength, date);
            match v.status {
                Status::Prohibited => prohibited.push((c, v)),
                Status::Review => possible.push((c, v)),
                _ => {}
            }
        }
        let describe = |c: &ListedConstituent| {
            let e = index.entry(c.entry);
            format!(
                "{}{} -> {} (OFAC {}) by {}",
                c.security,
                c.weight.map(|w| format!(" ({w}%)")).unwrap_or_default(),
                e.name,
                e.id,
                c.basis.as_str()
            )
        };
        let Some((first, verdict)) = prohibited.first().or(possible.first()) else {
            p.notes.push(format!(
                "fund {} ({}): none of its {} constituents is prohibited on {date}",
                fund.id, fund.file, fund.constituents
            ));
            continue;
        };
        let entry = index.entry(first.entry);
        p.entity_id = Some(entry.id.clone());
        p.entity_name = Some(entry.name.clone());
        p.basis = Some(Basis::LookThrough);
        p.matched_value = Some(fund.id.clone());
        p.listing_date = first.dates.listing;
        p.effective_date = first.dates.effective;
        p.divestment_deadline = first.dates.divestment;
        let listed: Vec<String> = if prohibited.is_empty() {
            possible.iter().map(|(c, _)| describe(c)).collect()
        } else {
            prohibited.iter().map(|(c, _)| describe(c)).collect()
        };
        p.explanation = Some(format!(
            "fund {} ({}) holds {} listed constituent(s) of {}: {}",
            fund.id,
            fund.file,
            listed.len(),
            fund.constituents,
            listed.join("; ")
        ));
        if prohibited.is_empty() {
            p.status = Status::Review;
            p.action = Some(
                "The fund may hold a listed security: confirm its constituents before trading it."
                    .into(),
            );
            continue;
        }
        p.score = Some(1.0);
        if orders {
            p.status = Status::Blocked;
            p.action = Some(format!(
                "Blocked: the fund holds securities whose prohibition is in effect on {date}; buying or selling it is prohibited (OFAC FAQ 861)."
            ));
        } else {
            p.status = Status::Prohibited;
            p.window = verdict.window.or(Some(Window::Closed));
            p.action = Some(
                "Holding this fund is lawful, but buying or selling it is not: it holds prohibited securities (OFAC FAQ 861). Do not add to it; review the position."
                    .into(),
            );
        }
    }
}

/// What the report says of each fund: its listed constituents and the positions judged
/// through it (`used`, from [`look_through_batch`]).
pub fn fund_infos(funds: &[Fund], index: &ListIndex, used: &[usize]) -> Vec<FundInfo> {
    funds
        .iter()
        .zip(used)
        .map(|(f, &n)| FundInfo {
            id: f.id.clone(),
            file: f.file.clone(),
            constituents: f.constituents,
            listed: f
                .listed
                .iter()
                .map(|c| {
                    let e = index.entry(c.entry);
                    format!(
                        "{}{} -> {} (OFAC {})",
                        c.security,
                        c.weight.map(|w| format!(" ({w}%)")).unwrap_or_default(),
                        e.name,
                        e.id
                    )
                })
                .collect(),
            positions: n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fund_keys() {
        assert!(id_keys("KWEB US Equity").contains(&"KWEB".to_string()));
        assert!(id_keys("KWEB.N").contains(&"KWEB".to_string()));
        assert_eq!(id_keys("US5007673065")[0], "US5007673065");
        assert_eq!(name_key("KWEB"), None, "a ticker is not a name");
        assert!(name_key("Asia Tech Leaders ETF").is_some());
    }
}
