//! Recognising the header row of a holdings table and what each column means.
//!
//! Vendors name the same column many ways ("ISIN", "ISIN Code", "Security ISIN"; "Shares",
//! "Quantity", "Nominal"; "Ticker", "Symbol", "RIC"...). A header text is normalised (lower
//! case, punctuation to spaces) and compared first with exact synonyms, then with
//! keyword rules. The header row is the row among the first [`HEADER_SCAN_ROWS`] that
//! names the most distinct roles, so title lines above it (ETF and custodian exports have
//! them) and notes below it are passed over.

use super::{ColumnMapping, Role};

/// How many rows from the top of a sheet are searched for the header.
pub const HEADER_SCAN_ROWS: usize = 100;

/// Roles that identify a security: a header row must name at least one of them.
const KEY_ROLES: [Role; 7] = [
    Role::Isin,
    Role::Cusip,
    Role::Sedol,
    Role::Figi,
    Role::Ticker,
    Role::Name,
    Role::Issuer,
];

/// Lower-case, punctuation to single spaces, trimmed: "Security-ISIN #" -> "security isin".
pub fn normalise_header(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Whether `normalise_header(text) == normalised`, found without making the string (this
/// runs for cells of every row, to spot a header repeated on each printed page).
pub fn normalises_to(text: &str, normalised: &str) -> bool {
    let mut want = normalised.chars();
    let mut space = false;
    let mut started = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && started && want.next() != Some(' ') {
                return false;
            }
            space = false;
            started = true;
            for l in c.to_lowercase() {
                if want.next() != Some(l) {
                    return false;
                }
            }
        } else {
            space = true;
        }
    }
    want.next().is_none()
}

/// Exact header texts (normalised) and their roles.
const EXACT: &[(&str, Role)] = &[
    // identifiers
    ("isin", Role::Isin),
    ("isin code", Role::Isin),
    ("isin number", Role::Isin),
    ("isin no", Role::Isin),
    ("security isin", Role::Isin),
    ("cusip", Role::Cusip),
    ("cusip number", Role::Cusip),
    ("cusip 9", Role::Cusip),
    ("cusip9", Role::Cusip),
    ("sedol", Role::Sedol),
    ("sedol code", Role::Sedol),
    ("figi", Role::Figi),
    ("composite figi", Role::Figi),
    ("share class figi", Role::Figi),
    ("ticker", Role::Ticker),
    ("tickers", Role::Ticker),
    ("symbol", Role::Ticker),
    ("ticker symbol", Role::Ticker),
    ("bloomberg ticker", Role::Ticker),
    ("bbg ticker", Role::Ticker),
    ("bloomberg", Role::Ticker),
    ("bloomberg code", Role::Ticker),
    ("bloomberg id", Role::Ticker),
    ("ric", Role::Ticker),
    ("reuters code", Role::Ticker),
    ("reuters ric", Role::Ticker),
    ("stock code", Role::Ticker),
    ("local code", Role::Ticker),
    ("local ticker", Role::Ticker),
    ("exchange ticker", Role::Ticker),
    ("trading symbol", Role::Ticker),
    ("code", Role::Ticker),
    // names
    ("name", Role::Name),
    ("security", Role::Name),
    ("security name", Role::Name),
    ("security description", Role::Name),
    ("description", Role::Name),
    ("security desc", Role::Name),
    ("sec name", Role::Name),
    ("sec desc", Role::Name),
    ("holding", Role::Name),
    ("holding name", Role::Name),
    ("holdings", Role::Name),
    ("instrument", Role::Name),
    ("instrument name", Role::Name),
    ("instrument description", Role::Name),
    ("asset", Role::Name),
    ("asset name", Role::Name),
    ("asset description", Role::Name),
    ("stock", Role::Name),
    ("stock name", Role::Name),
    ("company", Role::Name),
    ("company name", Role::Name),
    ("constituent", Role::Name),
    ("constituent name", Role::Name),
    ("issue", Role::Name),
    ("issue name", Role::Name),
    ("long name", Role::Name),
    ("short name", Role::Name),
    ("investment", Role::Name),
    ("investment name", Role::Name),
    ("position name", Role::Name),
    ("issuer", Role::Issuer),
    ("issuer name", Role::Issuer),
    ("issuer long name", Role::Issuer),
    ("ultimate issuer", Role::Issuer),
    ("ultimate parent", Role::Issuer),
    ("parent issuer", Role::Issuer),
    ("obligor", Role::Issuer),
    // listing
    ("exchange", Role::Exchange),
    ("exch", Role::Exchange),
    ("exchange code", Role::Exchange),
    ("exchange name", Role::Exchange),
    ("market", Role::Exchange),
    ("mic", Role::Exchange),
    ("mic code", Role::Exchange),
    ("listing exchange", Role::Exchange),
    ("primary exchange", Role::Exchange),
    ("primary listing", Role::Exchange),
    ("stock exchange", Role::Exchange),
    ("trading venue", Role::Exchange),
    ("venue", Role::Exchange),
    ("country", Role::Country),
    ("cntry", Role::Country),
    ("country code", Role::Country),
    ("country of risk", Role::Country),
    ("country of domicile", Role::Country),
    ("country of incorporation", Role::Country),
    ("country of listing", Role::Country),
    ("domicile", Role::Country),
    ("location", Role::Country),
    ("issuer country", Role::Country),
    ("risk country", Role::Country),
    // amounts
    ("quantity", Role::Quantity),
    ("qty", Role::Quantity),
    ("shares", Role::Quantity),
    ("shares held", Role::Quantity),
    ("share quantity", Role::Quantity),
    ("number of shares", Role::Quantity),
    ("no of shares", Role::Quantity),
    ("units", Role::Quantity),
    ("holding quantity", Role::Quantity),
    ("position quantity", Role::Quantity),
    ("nominal", Role::Quantity),
    ("nominal amount", Role::Quantity),
    ("par", Role::Quantity),
    ("par value", Role::Quantity),
    ("face value", Role::Quantity),
    ("face amount", Role::Quantity),
    ("original face", Role::Quantity),
    ("price", Role::Price),
    ("px", Role::Price),
    ("market price", Role::Price),
    ("last price", Role::Price),
    ("close price", Role::Price),
    ("closing price", Role::Price),
    ("unit price", Role::Price),
    ("local price", Role::Price),
    ("price local", Role::Price),
    ("market value", Role::MarketValue),
    ("mkt value", Role::MarketValue),
    ("mkt val", Role::MarketValue),
    ("market val", Role::MarketValue),
    ("mv", Role::MarketValue),
    ("value", Role::MarketValue),
    ("notional", Role::MarketValue),
    ("notional value", Role::MarketValue),
    ("position value", Role::MarketValue),
    ("base market value", Role::MarketValue),
    ("currency", Role::Currency),
    ("ccy", Role::Currency),
    ("curr", Role::Currency),
    ("crncy", Role::Currency),
    ("currency code", Role::Currency),
    ("trading currency", Role::Currency),
    ("local currency", Role::Currency),
    ("price currency", Role::Currency),
    ("market currency", Role::Currency),
    // book keeping
    ("account", Role::Account),
    ("acct", Role::Account),
    ("account number", Role::Account),
    ("account no", Role::Account),
    ("account name", Role::Account),
    ("account id", Role::Account),
    ("account code", Role::Account),
    ("portfolio", Role::Account),
    ("portfolio code", Role::Account),
    ("portfolio name", Role::Account),
    ("portfolio id", Role::Account),
    ("fund", Role::Account),
    ("fund name", Role::Account),
    ("fund code", Role::Account),
    ("book", Role::Account),
    ("side", Role::Side),
    ("buy sell", Role::Side),
    ("b s", Role::Side),
    ("direction", Role::Side),
    ("transaction type", Role::Side),
    ("trade type", Role::Side),
    ("trade date", Role::TradeDate),
    ("tradedate", Role::TradeDate),
    ("trade dt", Role::TradeDate),
    ("execution date", Role::TradeDate),
    ("weight", Role::Weight),
    ("weighting", Role::Weight),
    ("portfolio weight", Role::Weight),
    ("fund weight", Role::Weight),
    ("index weight", Role::Weight),
    ("weight of fund", Role::Weight),
    ("of fund", Role::Weight),
    ("of net assets", Role::Weight),
    ("net assets", Role::Weight),
    ("of nav", Role::Weight),
    ("weight nav", Role::Weight),
    ("pct of fund", Role::Weight),
    ("percent of fund", Role::Weight),
];

/// The role a header text names, and how sure we are (2 exact, 1 keyword rule).
pub fn classify_header(text: &str) -> Option<(Role, u8)> {
    let h = normalise_header(text);
    if h.is_empty() {
        return None;
    }
    if let Some((_, role)) = EXACT.iter().find(|(t, _)| *t == h) {
        return Some((*role, 2));
    }
    // Keyword rules: headers with a unit or a qualifier ("Market Value (USD)",
    // "ISIN Code (Primary)", "Quantity / Nominal").
    let words: Vec<&str> = h.split(' ').collect();
    if words.len() > 6 {
        return None; // a sentence, not a header
    }
    let has = |w: &str| words.contains(&w);
    let role = if has("isin") {
        Role::Isin
    } else if has("cusip") {
        Role::Cusip
    } else if has("sedol") {
        Role::Sedol
    } else if has("figi") {
        Role::Figi
    } else if has("ticker") || has("symbol") || has("ric") {
        Role::Ticker
    } else if has("currency") || has("ccy") || has("crncy") {
        Role::Currency
    } else if h.contains("market value") || h.contains("mkt value") || has("mv") {
        Role::MarketValue
    } else if has("country") || has("domicile") {
        Role::Country
    } else if has("exchange") || has("mic") {
        Role::Exchange
    } else if has("issuer") {
        Role::Issuer
    } else if has("quantity") || has("qty") || has("shares") || has("nominal") {
        Role::Quantity
    } else if has("price") {
        Role::Price
    } else if has("description") || (has("name") && !has("account") && !has("fund")) {
        Role::Name
    } else if has("portfolio") || has("account") || (has("fund") && words.len() <= 3) {
        Role::Account
    } else if h.contains("trade date") {
        Role::TradeDate
    } else if has("weight") {
        Role::Weight
    } else {
        return None;
    };
    Some((role, 1))
}

/// Spreadsheet column letters for a 0-based index: 0 -> A, 25 -> Z, 26 -> AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The columns a header row names. `overrides` (`--column ROLE=HEADER`) win over the
/// automatic recognition, and each role is given to one column only (the surest match,
/// then the leftmost).
pub fn map_columns(
    headers: &[(usize, String)],
    overrides: &[(Role, String)],
) -> Vec<ColumnMapping> {
    let mut chosen: Vec<(Role, u8, usize, String)> = Vec::new();
    let mut take = |role: Role, sure: u8, index: usize, header: &str| {
        if let Some(slot) = chosen.iter_mut().find(|c| c.0 == role) {
            if sure > slot.1 {
                *slot = (role, sure, index, header.to_string());
            }
        } else if !chosen.iter().any(|c| c.2 == index) {
            chosen.push((role, sure, index, header.to_string()));
        }
    };
    // Overrides first, with the highest certainty.
    for (role, wanted) in overrides {
        let wanted = normalise_header(wanted);
        if let Some((index, header)) = headers.iter().find(|(_, h)| normalise_header(h) == wanted) {
            take(*role, 3, *index, header);
        }
    }
    for sure in [2u8, 1] {
        for (index, header) in headers {
            if let Some((role, s)) = classify_header(header)
                && s == sure
            {
                take(role, s, *index, header);
            }
        }
    }
    let mut columns: Vec<ColumnMapping> = chosen
        .into_iter()
        .map(|(role, _, index, header)| ColumnMapping {
            role,
            header: header.trim().to_string(),
            index,
            letter: column_letter(index),
        })
        .collect();
    columns.sort_by_key(|c| c.index);
    columns
}

/// How well a row reads as a holdings header: the number of distinct roles it names, or
/// `None` when it cannot be one (no identifying column; or a single column that is not an
/// identifier).
pub fn header_score(columns: &[ColumnMapping], overridden: bool) -> Option<usize> {
    let keys = columns
        .iter()
        .filter(|c| KEY_ROLES.contains(&c.role))
        .count();
    if keys == 0 {
        return None;
    }
    if columns.len() == 1 && !overridden {
        // A lone "ISIN" / "Ticker" column is a table; a lone "Name" is more likely a title.
        let role = columns[0].role;
        if !matches!(
            role,
            Role::Isin | Role::Cusip | Role::Sedol | Role::Figi | Role::Ticker
        ) {
            return None;
        }
    }
    Some(columns.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_agrees_with_normalise_header() {
        let texts = [
            "Security-ISIN #",
            " ISIN ",
            "isin",
            "Security Name",
            "Sec. Name",
            "ÉTAT Ü",
            "İx",
            "",
            "  ",
            "a",
            "a b",
            "ab",
            "Market Value (USD)",
            "Market  Value",
            "MarketValue",
        ];
        for t in texts {
            for u in texts {
                let want = normalise_header(u);
                assert_eq!(
                    normalises_to(t, &want),
                    normalise_header(t) == want,
                    "{t:?} vs {want:?}"
                );
            }
        }
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn header_synonyms() {
        let table = [
            ("ISIN", Role::Isin),
            ("Isin Code", Role::Isin),
            ("ISIN (Primary)", Role::Isin),
            ("CUSIP", Role::Cusip),
            ("Sedol", Role::Sedol),
            ("Ticker", Role::Ticker),
            ("BBG Ticker", Role::Ticker),
            ("RIC", Role::Ticker),
            ("Symbol", Role::Ticker),
            ("Security Description", Role::Name),
            ("Name", Role::Name),
            ("Issuer Name", Role::Issuer),
            ("Exchange", Role::Exchange),
            ("MIC", Role::Exchange),
            ("Country of Risk", Role::Country),
            ("Location", Role::Country),
            ("Shares", Role::Quantity),
            ("Quantity / Nominal", Role::Quantity),
            ("Market Value (USD)", Role::MarketValue),
            ("Mkt Val", Role::MarketValue),
            ("Price", Role::Price),
            ("Currency", Role::Currency),
            ("Market Currency", Role::Currency),
            ("Portfolio", Role::Account),
            ("Account Number", Role::Account),
            ("Fund Name", Role::Account),
            ("Trade Date", Role::TradeDate),
            ("Buy/Sell", Role::Side),
        ];
        for (text, role) in table {
            assert_eq!(classify_header(text).map(|r| r.0), Some(role), "{text}");
        }
        assert_eq!(
            classify_header("Weight (%)").map(|r| r.0),
            Some(Role::Weight)
        );
        assert_eq!(
            classify_header("% of Net Assets").map(|r| r.0),
            Some(Role::Weight)
        );
        for text in ["Accrual Date", "", "Sector"] {
            assert_eq!(classify_header(text), None, "{text}");
        }
        assert_eq!(
            classify_header("Holdings subject to change and are not a recommendation to buy"),
            None
        );
    }

    fn headers(cells: &[&str]) -> Vec<(usize, String)> {
        cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| (i, c.to_string()))
            .collect()
    }

    #[test]
    fn one_column_per_role_surest_first() {
        let cols = map_columns(
            &headers(&[
                "Market Value (Local)",
                "Name",
                "Value",
                "Issuer Name",
                "Ticker",
            ]),
            &[],
        );
        let mv: Vec<_> = cols
            .iter()
            .filter(|c| c.role == Role::MarketValue)
            .collect();
        assert_eq!(mv.len(), 1);
        assert_eq!(mv[0].header, "Value", "exact synonym beats a keyword match");
        assert!(
            cols.iter()
                .any(|c| c.role == Role::Issuer && c.letter == "D")
        );
    }

    #[test]
    fn overrides_win() {
        let cols = map_columns(
            &headers(&["Sec ID", "Description", "ISIN"]),
            &[(Role::Isin, "sec id".into())],
        );
        let isin: Vec<_> = cols.iter().filter(|c| c.role == Role::Isin).collect();
        assert_eq!(isin.len(), 1);
        assert_eq!(isin[0].letter, "A");
    }

    #[test]
    fn header_needs_an_identifying_column() {
        let title = map_columns(&headers(&["Fund: Example Asia Fund"]), &[]);
        assert_eq!(header_score(&title, false), None);
        let money = map_columns(&headers(&["Currency", "Market Value"]), &[]);
        assert_eq!(header_score(&money, false), None);
        let lone = map_columns(&headers(&["ISIN"]), &[]);
        assert_eq!(header_score(&lone, false), Some(1));
        let full = map_columns(&headers(&["ISIN", "Name", "Shares"]), &[]);
        assert_eq!(header_score(&full, false), Some(3));
    }
}
