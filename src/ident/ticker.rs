//! Tickers from every common source, normalised to one `(code, market)` key.
//!
//! OFAC writes `Equity Ticker` as `<local code> <2-letter country>` (`941 HK`, `0728 HK`,
//! `002415 CN`, `603019CN`, `CHL US`), with irregular spacing and zero-padding. Vendors write
//! the same listing as Bloomberg `941 HK Equity` / `600760 CH` / `CHL UN`, Refinitiv
//! `0941.HK`, Yahoo `600050.SS`, FactSet `0941-HK`, or a bare code beside an exchange (MIC,
//! exchange name) or country column. All of them become a [`TickerKey`]:
//! the market is the ISO 3166 country of the listing, as OFAC uses it, and the code is
//! canonical for that market (Hong Kong without leading zeros, mainland China 6 digits).
//! A key never matches across markets.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The country of a listing (ISO 3166 alpha-2, as OFAC's `Equity Ticker` uses it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Market([u8; 2]);

impl Market {
    pub const CN: Market = Market(*b"CN");
    pub const HK: Market = Market(*b"HK");
    pub const US: Market = Market(*b"US");
    pub const DE: Market = Market(*b"DE");
    pub const CA: Market = Market(*b"CA");
    pub const GB: Market = Market(*b"GB");
    pub const CH: Market = Market(*b"CH");

    /// A market from two ASCII letters (any case); None otherwise.
    pub fn from_code(code: &str) -> Option<Market> {
        let b = code.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(Market([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
            ]))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        // Always two ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Market {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Market {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Market, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Market::from_code(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a market code: {s}")))
    }
}

/// A listing: canonical local code on a market. Displayed in OFAC's form, `941 HK`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TickerKey {
    pub code: String,
    pub market: Market,
}

impl TickerKey {
    /// Key from a code and market, canonicalising the code for that market.
    pub fn new(code: &str, market: Market) -> Option<TickerKey> {
        let code = canonical_code(code, market)?;
        Some(TickerKey { code, market })
    }
}

impl fmt::Display for TickerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.market)
    }
}

impl Serialize for TickerKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The inverse of the `code CC` form written by `Serialize` (the code is kept as it is:
/// it is already canonical).
impl<'de> Deserialize<'de> for TickerKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TickerKey, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        s.rsplit_once(' ')
            .and_then(|(code, market)| {
                Some(TickerKey {
                    code: code.to_string(),
                    market: Market::from_code(market)?,
                })
            })
            .ok_or_else(|| serde::de::Error::custom(format!("not a ticker key: {s}")))
    }
}

/// Where the market of a holding's ticker came from: this decides how far a ticker
/// match can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarketSource {
    /// Written in the ticker itself (`941 HK Equity`, `0941.HK`, `603019CN`).
    Ticker,
    /// An exchange / MIC column.
    Exchange,
    /// A country column (weaker: it may be the issuer's country, not the listing's).
    Country,
    /// Implied by a mainland-China code range (600/601/603/605/688 Shanghai...).
    CodeRange,
}

/// Canonical code for a market: HK numeric codes lose leading zeros; mainland numeric
/// codes are padded to 6 digits; everything else is upper-cased with class separators as `.`.
pub fn canonical_code(code: &str, market: Market) -> Option<String> {
    canonical_code_cow(code, market).map(Cow::into_owned)
}

/// [`canonical_code`], borrowed from `code` when it is already canonical (most codes).
fn canonical_code_cow(code: &str, market: Market) -> Option<Cow<'_, str>> {
    let code = crate::util::trim_ws(code);
    if code.is_empty() {
        return None;
    }
    let all_digits = code.bytes().all(|b| b.is_ascii_digit());
    if all_digits {
        if market == Market::HK {
            let t = code.trim_start_matches('0');
            return Some(if t.is_empty() { "0".into() } else { t.into() });
        }
        if market == Market::CN {
            return match code.len() {
                6 => Some(code.into()),
                0..6 => Some(format!("{code:0>6}").into()),
                _ => None,
            };
        }
        return Some(code.into());
    }
    if code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.')
    {
        return Some(code.into());
    }
    let mut out = String::with_capacity(code.len());
    for c in code.chars() {
        match c {
            '/' | '-' | ' ' => out.push('.'),
            c if c.is_ascii_alphanumeric() || c == '.' => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    Some(out.into())
}

/// A text in ASCII upper case: borrowed text stays borrowed when it has no lower-case
/// letter, owned text is changed in place.
fn ascii_upper<'a>(s: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    match s.into() {
        Cow::Borrowed(b) if b.bytes().any(|c| c.is_ascii_lowercase()) => {
            b.to_ascii_uppercase().into()
        }
        Cow::Owned(mut o) => {
            o.make_ascii_uppercase();
            o.into()
        }
        borrowed => borrowed,
    }
}

/// Code used to compare a bare code (no market) with listed codes: numeric codes lose their
/// leading zeros, others are upper-cased.
pub fn bare_code(code: &str) -> String {
    let code = code.trim();
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        let t = code.trim_start_matches('0');
        if t.is_empty() { "0".into() } else { t.into() }
    } else {
        code.to_ascii_uppercase()
    }
}

/// Parse OFAC's own `Equity Ticker` text: `941 HK`, `0728 HK`, `601698  CN`, `603019CN`.
pub fn parse_list_ticker(raw: &str) -> Option<TickerKey> {
    let t = raw.trim();
    let (code, cc) = match t.rsplit_once(char::is_whitespace) {
        Some((code, cc)) => (code.trim(), cc.trim()),
        None if t.len() > 2 && t.is_ascii() => (&t[..t.len() - 2], &t[t.len() - 2..]),
        None => return None,
    };
    let market = Market::from_code(cc)?;
    // OFAC's CN means China, whatever the code looks like.
    TickerKey::new(code, market)
}

/// Meaning of a 2-letter market code written after a ticker. OFAC uses ISO countries;
/// Bloomberg uses its own exchange codes (`CH` China, `UN` NYSE, `GY` Xetra, `CN` Canada...).
/// Where the two collide the code's shape decides (`600760 CH` is China, `CNU CN` Canada).
fn market_after_ticker(cc: &str, code: &str, bloomberg: bool) -> Option<Market> {
    // Upper case, packed in a number: this runs for every ticker of a book.
    let key = suffix_key(cc)?;
    let numeric = || code.bytes().all(|b| b.is_ascii_digit());
    const CH: u64 = suffix_key_of(b"CH");
    const CN: u64 = suffix_key_of(b"CN");
    const GB: u64 = suffix_key_of(b"GB");
    match key {
        // China's Bloomberg composite and Canada's: the code's shape decides.
        CH if numeric() => return Some(Market::CN),
        CN => return Some(if numeric() { Market::CN } else { Market::CA }),
        GB if bloomberg => return Some(Market::DE),
        _ => {}
    }
    match SUFFIX_MARKETS.get(&key) {
        Some(&m) => Some(m),
        None => Market::from_code(cc),
    }
}

/// A market code of up to eight bytes, upper case, as a number (its bytes in order, then
/// zeros): `None` for a longer text or one with a zero byte, which no market code is.
fn suffix_key(cc: &str) -> Option<u64> {
    let b = cc.as_bytes();
    (b.len() <= 8 && !b.contains(&0)).then(|| suffix_key_of(b))
}

/// [`suffix_key`] of a code of at most eight bytes (for the table and constants too).
const fn suffix_key_of(cc: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let mut i = 0;
    while i < cc.len() {
        buf[i] = cc[i].to_ascii_uppercase();
        i += 1;
    }
    u64::from_le_bytes(buf)
}

/// The market codes written after a ticker, each with its market, besides the markets'
/// own ISO codes: looked up, not matched in turn, as this runs for every ticker of a book.
static SUFFIX_MARKETS: std::sync::LazyLock<rustc_hash::FxHashMap<u64, Market>> =
    std::sync::LazyLock::new(|| {
        let m = |cc: &[u8; 2]| Market(*cc);
        let groups: [(&[&'static str], Market); 17] = [
            // China: Bloomberg composite and exchange codes, Yahoo/RIC suffixes.
            (
                &[
                    "CG", "CS", "C1", "C2", "SS", "SZ", "SH", "SHA", "SHE", "SHG", "SHH", "SHZ",
                    "SSE", "SZSE",
                ],
                Market::CN,
            ),
            // United States: Bloomberg exchange codes and RIC suffixes.
            (
                &[
                    "UN", "UW", "UQ", "UR", "UA", "UP", "UV", "UF", "UD", "UT", "UB", "UM", "UC",
                    "UL", "UO", "UX", "N", "O", "A", "P", "OQ", "PK", "OB", "NYSE", "NASDAQ",
                    "NYS", "NAS", "ARCA", "OTC", "US",
                ],
                Market::US,
            ),
            // Germany: Bloomberg venue codes and RIC/Yahoo suffixes.
            (
                &[
                    "GR", "GY", "GF", "GM", "GS", "GD", "GH", "GI", "TH", "QT", "F", "DE", "BE",
                    "MU", "SG_", "DU", "HM", "HA", "ETR", "FRA", "XETRA",
                ],
                Market::DE,
            ),
            (&["SP", "SI", "SES"], m(b"SG")),
            (&["BZ", "SA", "BVMF"], m(b"BR")),
            (&["BA", "AF"], m(b"AR")),
            (&["RM", "RX", "RU", "MM", "ME", "MCX"], m(b"RU")),
            (&["CT", "CV", "TO", "V", "TSX", "CA"], Market::CA),
            (&["LN", "L", "LSE", "IL"], Market::GB),
            (&["JP", "JT", "T"], m(b"JP")),
            (&["KS", "KQ", "KS_"], m(b"KR")),
            (&["TT", "TW", "TWO"], m(b"TW")),
            (&["SW", "VX", "S"], Market::CH),
            (&["FP", "PA"], m(b"FR")),
            (&["NA", "AS"], m(b"NL")),
            (&["AU", "AT", "AX"], m(b"AU")),
            (&["HK", "HKG", "HKEX"], Market::HK),
        ];
        let mut table = rustc_hash::FxHashMap::default();
        for (codes, market) in groups {
            for code in codes {
                let old = table.insert(suffix_key_of(code.as_bytes()), market);
                debug_assert!(old.is_none(), "{code} twice");
            }
        }
        table
    });

/// A holding's ticker as read: the code, and the market if the ticker itself says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTicker {
    /// The local code as written (trimmed, upper-case), without market or yellow key.
    pub code: String,
    pub market: Option<Market>,
}

/// Parse a vendor ticker: Bloomberg (`941 HK Equity`, `600760 CH`, `CHL UN Equity`),
/// RIC (`0941.HK`, `CHL.N`), Yahoo (`600050.SS`), FactSet (`0941-HK`), exchange-prefixed
/// (`HKG:0941`, `SHA:600050`), OFAC (`603019CN`, `941 HK`) or a bare code (`941`, `CHL`).
pub fn parse_vendor_ticker(raw: &str) -> Option<ParsedTicker> {
    parse_vendor_ticker_cow(raw).map(|(code, market)| ParsedTicker {
        code: code.into_owned(),
        market,
    })
}

/// [`parse_vendor_ticker`]: the code borrowed from `raw` where it can be.
fn parse_vendor_ticker_cow(raw: &str) -> Option<(Cow<'_, str>, Option<Market>)> {
    // Slices of the input, not copies: this runs for every row.
    let mut t: &str = crate::util::trim_ws(raw);
    if t.starts_with('"') || t.ends_with('"') {
        t = t.trim_matches('"').trim();
    }
    if t.is_empty() || t == "-" {
        return None;
    }
    // Bloomberg yellow keys.
    let mut bloomberg = false;
    for key in [" EQUITY", " EQUITIES", " EQ"] {
        let b = t.as_bytes();
        if b.len() >= key.len() && b[b.len() - key.len()..].eq_ignore_ascii_case(key.as_bytes()) {
            // The key is ASCII: the cut falls on a character boundary.
            t = t[..t.len() - key.len()].trim_end();
            bloomberg = true;
            break;
        }
    }
    // Exchange prefix: `HKG:0941`, `NYSE:CHL`, `SHA:600050`.
    if let Some((prefix, code)) = t.split_once(':') {
        let code = code.trim();
        if !code.is_empty() {
            let market = market_after_ticker(prefix.trim(), code, false)
                .or_else(|| market_from_exchange(prefix));
            return Some((ascii_upper(code), market));
        }
    }
    // `code CC` with white space (Bloomberg, OFAC): the last word, and the words before it
    // (joined by one space).
    if let Some(at) = t.rfind(char::is_whitespace) {
        let cc = t[at..].trim_start();
        let before = t[..at].trim_end();
        let code: Cow<'_, str> = if before.contains(char::is_whitespace) {
            before
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .into()
        } else {
            before.into()
        };
        if cc.len() == 2
            && let Some(m) = market_after_ticker(cc, &code, bloomberg)
        {
            return Some((ascii_upper(code), Some(m)));
        }
        return Some((ascii_upper(t), None));
    }
    // RIC / Yahoo / FactSet suffix: `0941.HK`, `600050.SS`, `CHL.N`, `0941-HK`.
    if let Some(pos) = t.rfind(['.', '-']) {
        let (code, suffix) = (&t[..pos], &t[pos + 1..]);
        let dot = t.as_bytes()[pos] == b'.';
        // A one-letter suffix is a RIC exchange only after a dot and when it is not a
        // share-class letter (`BRK.B`, `BRK-A`, `BF.A` are classes, not markets).
        let plausible = match suffix.len() {
            0 => false,
            1 => {
                dot && matches!(
                    suffix.to_ascii_uppercase().as_str(),
                    "N" | "O" | "L" | "T" | "F" | "S" | "V"
                )
            }
            2..=4 => true,
            _ => false,
        };
        if !code.is_empty()
            && plausible
            && let Some(m) = market_after_ticker(suffix, code, false)
        {
            return Some((ascii_upper(code), Some(m)));
        }
    }
    // OFAC's glued form `603019CN`: digits then two letters.
    let b = t.as_bytes();
    if b.len() > 2
        && b[..b.len() - 2].iter().all(u8::is_ascii_digit)
        && b[b.len() - 2..].iter().all(u8::is_ascii_alphabetic)
        && let Some(m) = market_after_ticker(&t[t.len() - 2..], &t[..t.len() - 2], false)
    {
        return Some((t[..t.len() - 2].into(), Some(m)));
    }
    Some((ascii_upper(t), None))
}

/// True when a numeric code lies in a mainland-China range (SSE 600/601/603/605, STAR 688/689,
/// B 900; SZSE 000/001/002/003, ChiNext 300/301, B 200; BSE 43/83/87/92).
pub fn is_mainland_code(code: &str) -> bool {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    matches!(
        &code[..3],
        "600"
            | "601"
            | "603"
            | "605"
            | "688"
            | "689"
            | "900"
            | "000"
            | "001"
            | "002"
            | "003"
            | "300"
            | "301"
            | "200"
    ) || matches!(&code[..2], "43" | "83" | "87" | "92")
}

/// An exchange or country text as the tables below spell it: upper case, punctuation as
/// spaces, runs of spaces as one, given to `f`. This runs for many rows: the usual code
/// (`XHKG`, `TSX`, `CN`) is given as it is, and a short ASCII text (`Euronext Paris`) is
/// spelt on the stack; only a long or non-ASCII text is copied to the heap.
fn with_market_words<R>(raw: &str, f: impl FnOnce(&str) -> R) -> R {
    let raw = raw.trim();
    if raw
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return f(raw);
    }
    let mut buf = [0u8; 64];
    if raw.len() <= buf.len() && raw.is_ascii() {
        let mut len = 0;
        let mut space = false;
        for b in raw.bytes() {
            if b.is_ascii_alphanumeric() {
                if space && len > 0 {
                    buf[len] = b' ';
                    len += 1;
                }
                space = false;
                buf[len] = b.to_ascii_uppercase();
                len += 1;
            } else {
                space = true;
            }
        }
        // ASCII letters, digits and spaces only.
        return f(std::str::from_utf8(&buf[..len]).unwrap_or(""));
    }
    f(&market_words(raw))
}

/// [`with_market_words`]'s spelling for any text, on the heap.
fn market_words(raw: &str) -> String {
    let spaced: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `needle` occurs in `hay`: a plain scan, cheaper for these few-byte texts than
/// `str::contains`, which prepares a search for every needle.
fn contains_bytes(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Markets already found for the texts of exchange and country columns, on each thread.
///
/// A book's exchange and country columns hold a few dozen distinct texts, and reading one
/// (its words spelt, then compared with every exchange and country name known) costs a
/// few thousand instructions; looking it up here costs a few dozen. The answer depends on
/// the text alone, so the memo changes no result. It holds at most [`MARKET_MEMO_TEXTS`]
/// texts a thread (of at most [`MARKET_MEMO_TEXT_BYTES`] bytes each); others are read as
/// they come.
#[derive(Default)]
struct MarketMemo {
    exchanges: rustc_hash::FxHashMap<Box<str>, Option<Market>>,
    countries: rustc_hash::FxHashMap<Box<str>, Option<Market>>,
}

const MARKET_MEMO_TEXTS: usize = 512;
const MARKET_MEMO_TEXT_BYTES: usize = 64;

thread_local! {
    static MARKET_MEMO: std::cell::RefCell<MarketMemo> = std::cell::RefCell::default();
}

/// `read(raw)`, remembered in the memo `which` chooses.
fn remembered(
    raw: &str,
    which: fn(&mut MarketMemo) -> &mut rustc_hash::FxHashMap<Box<str>, Option<Market>>,
    read: fn(&str) -> Option<Market>,
) -> Option<Market> {
    if raw.len() > MARKET_MEMO_TEXT_BYTES {
        return read(raw);
    }
    MARKET_MEMO
        .try_with(|memo| {
            let mut memo = memo.try_borrow_mut().ok()?;
            let texts = which(&mut memo);
            if let Some(&m) = texts.get(raw) {
                return Some(m);
            }
            let m = read(raw);
            if texts.len() < MARKET_MEMO_TEXTS {
                texts.insert(raw.into(), m);
            }
            Some(m)
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| read(raw))
}

/// Market named by an exchange column: an ISO 10383 MIC, an exchange name, a Bloomberg
/// exchange code or a country.
pub fn market_from_exchange(raw: &str) -> Option<Market> {
    remembered(raw, |m| &mut m.exchanges, read_exchange_market)
}

/// [`market_from_exchange`], read afresh.
fn read_exchange_market(raw: &str) -> Option<Market> {
    with_market_words(raw, exchange_market)
}

/// [`market_from_exchange`] of a text spelt by [`with_market_words`].
fn exchange_market(up: &str) -> Option<Market> {
    if up.is_empty() {
        return None;
    }
    let by_code =
        match up {
            "XHKG" | "XHKF" | "SEHK" | "HKEX" | "HKSE" | "HKG" => Some(Market::HK),
            "XSHG" | "XSSC" | "XSHE" | "XSEC" | "SSE" | "SZSE" | "SHA" | "SHE" | "XBSE"
            | "BJSE" => Some(Market::CN),
            "XNYS" | "XNAS" | "XASE" | "ARCX" | "BATS" | "XOTC" | "OTCM" | "PINX" | "OOTC"
            | "XNGS" | "XNMS" | "XNCM" | "NYSE" | "NASDAQ" | "AMEX" | "OTC" | "NYQ" | "NMS"
            | "NGM" | "NCM" => Some(Market::US),
            "XETR" | "XFRA" | "XBER" | "XMUN" | "XSTU" | "XDUS" | "XHAM" | "XHAN" | "XETRA"
            | "FWB" => Some(Market::DE),
            "XSES" | "SGX" => Market::from_code("SG"),
            "BVMF" | "B3" | "BOVESPA" => Market::from_code("BR"),
            "XBUE" | "BYMA" => Market::from_code("AR"),
            "MISX" | "MOEX" => Market::from_code("RU"),
            "XLON" | "LSE" => Some(Market::GB),
            "XTSE" | "XTSX" | "TSX" => Some(Market::CA),
            "XTKS" | "TSE" => Market::from_code("JP"),
            "XKRX" | "KRX" => Market::from_code("KR"),
            "XTAI" | "TWSE" => Market::from_code("TW"),
            "XSWX" | "SIX" => Some(Market::CH),
            "XPAR" => Market::from_code("FR"),
            "XAMS" => Market::from_code("NL"),
            _ => None,
        };
    if by_code.is_some() {
        return by_code;
    }
    const NAMES: &[(&str, &str)] = &[
        ("HONG KONG", "HK"),
        ("HONGKONG", "HK"),
        ("SHANGHAI", "CN"),
        ("SHENZHEN", "CN"),
        ("BEIJING STOCK", "CN"),
        ("STOCK CONNECT", "CN"),
        ("NEW YORK", "US"),
        ("NYSE", "US"),
        ("NASDAQ", "US"),
        ("OTC MARKETS", "US"),
        ("PINK", "US"),
        ("FRANKFURT", "DE"),
        ("XETRA", "DE"),
        ("BERLIN", "DE"),
        ("STUTTGART", "DE"),
        ("MUNICH", "DE"),
        ("MUENCHEN", "DE"),
        ("DUSSELDORF", "DE"),
        ("DUESSELDORF", "DE"),
        ("HAMBURG", "DE"),
        ("HANNOVER", "DE"),
        ("DEUTSCHE BOERSE", "DE"),
        ("DEUTSCHE BORSE", "DE"),
        ("SINGAPORE", "SG"),
        ("SAO PAULO", "BR"),
        ("BOVESPA", "BR"),
        ("BRASIL", "BR"),
        ("BUENOS AIRES", "AR"),
        ("MOSCOW", "RU"),
        ("LONDON", "GB"),
        ("TORONTO", "CA"),
        ("TSX VENTURE", "CA"),
        ("TOKYO", "JP"),
        ("KOREA", "KR"),
        ("TAIWAN", "TW"),
        ("SWISS", "CH"),
        ("EURONEXT PARIS", "FR"),
        ("EURONEXT AMSTERDAM", "NL"),
    ];
    for (needle, cc) in NAMES {
        if contains_bytes(up, needle) {
            return Market::from_code(cc);
        }
    }
    // A Bloomberg exchange code or a country in the exchange column.
    if up.len() == 2
        && let Some(m) = market_after_ticker(up, "", true)
    {
        return Some(m);
    }
    country_market(up)
}

/// Market named by a country column: ISO alpha-2, alpha-3 or an English name.
pub fn market_from_country(raw: &str) -> Option<Market> {
    remembered(raw, |m| &mut m.countries, read_country_market)
}

/// [`market_from_country`], read afresh.
fn read_country_market(raw: &str) -> Option<Market> {
    with_market_words(raw, country_market)
}

/// [`market_from_country`] of a text spelt by [`with_market_words`].
fn country_market(up: &str) -> Option<Market> {
    let cc = match up {
        "CN"
        | "CHN"
        | "CHINA"
        | "PRC"
        | "P R C"
        | "PEOPLES REPUBLIC OF CHINA"
        | "PEOPLE S REPUBLIC OF CHINA"
        | "CHINA MAINLAND"
        | "MAINLAND CHINA"
        | "CHINA PEOPLES REPUBLIC OF" => "CN",
        "HK"
        | "HKG"
        | "HONG KONG"
        | "HONG KONG SAR"
        | "HONG KONG SAR CHINA"
        | "HONG KONG CHINA" => "HK",
        "US" | "USA" | "UNITED STATES" | "UNITED STATES OF AMERICA" | "U S" | "U S A" => "US",
        "DE" | "DEU" | "GERMANY" => "DE",
        "SG" | "SGP" | "SINGAPORE" => "SG",
        "BR" | "BRA" | "BRAZIL" | "BRASIL" => "BR",
        "AR" | "ARG" | "ARGENTINA" => "AR",
        "RU" | "RUS" | "RUSSIA" | "RUSSIAN FEDERATION" => "RU",
        "CA" | "CAN" | "CANADA" => "CA",
        "GB" | "GBR" | "UK" | "UNITED KINGDOM" | "GREAT BRITAIN" => "GB",
        "JP" | "JPN" | "JAPAN" => "JP",
        "KR" | "KOR" | "KOREA" | "SOUTH KOREA" | "REPUBLIC OF KOREA" => "KR",
        "TW" | "TWN" | "TAIWAN" => "TW",
        "CH" | "CHE" | "SWITZERLAND" => "CH",
        "FR" | "FRA" | "FRANCE" => "FR",
        "NL" | "NLD" | "NETHERLANDS" => "NL",
        "AU" | "AUS" | "AUSTRALIA" => "AU",
        "KY" | "CYM" | "CAYMAN ISLANDS" => "KY",
        "BM" | "BMU" | "BERMUDA" => "BM",
        "VG" | "VGB" | "BRITISH VIRGIN ISLANDS" => "VG",
        _ => return None,
    };
    Market::from_code(cc)
}

/// Read a holding's ticker with its exchange and country columns: the key to look up, and
/// where its market came from. `None` key means a bare code with no market.
pub fn read_holding_ticker(
    ticker: &str,
    exchange: Option<&str>,
    country: Option<&str>,
) -> Option<(ParsedTicker, Option<(TickerKey, MarketSource)>)> {
    let read = HoldingTicker::read(ticker, exchange, country)?;
    let key = read.key();
    Some((
        ParsedTicker {
            code: read.code.into_owned(),
            market: read.ticker_market,
        },
        key,
    ))
}

/// A holding's ticker read with its exchange and country columns, its texts borrowed
/// from the row where they can be ([`read_holding_ticker`] without a copy: this runs for
/// every row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingTicker<'a> {
    /// The local code as written (trimmed, upper-case), without market or yellow key.
    pub code: Cow<'a, str>,
    /// The market written in the ticker itself.
    pub ticker_market: Option<Market>,
    /// The code canonical for the market found, the market, and where it came from;
    /// None for a bare code with no market.
    pub listing: Option<(Cow<'a, str>, Market, MarketSource)>,
}

impl<'a> HoldingTicker<'a> {
    pub fn read(
        ticker: &'a str,
        exchange: Option<&str>,
        country: Option<&str>,
    ) -> Option<HoldingTicker<'a>> {
        let (code, ticker_market) = parse_vendor_ticker_cow(ticker)?;
        let found = if let Some(m) = ticker_market {
            Some((m, MarketSource::Ticker))
        } else if let Some(m) = exchange.and_then(market_from_exchange) {
            Some((m, MarketSource::Exchange))
        } else if let Some(m) = country.and_then(market_from_country) {
            Some((m, MarketSource::Country))
        } else if is_mainland_code(&code) {
            Some((Market::CN, MarketSource::CodeRange))
        } else {
            None
        };
        let listing = found.and_then(|(m, src)| {
            let canonical = match &code {
                Cow::Borrowed(c) => canonical_code_cow(c, m)?,
                Cow::Owned(c) => Cow::Owned(canonical_code_cow(c, m)?.into_owned()),
            };
            Some((canonical, m, src))
        });
        Some(HoldingTicker {
            code,
            ticker_market,
            listing,
        })
    }

    /// The listing as a key, and where its market came from.
    pub fn key(&self) -> Option<(TickerKey, MarketSource)> {
        self.listing.as_ref().map(|(code, market, src)| {
            (
                TickerKey {
                    code: code.to_string(),
                    market: *market,
                },
                *src,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        let (_, k) = read_holding_ticker(s, None, None).unwrap();
        k.map(|(k, _)| k.to_string()).unwrap_or_else(|| "-".into())
    }

    #[test]
    fn market_codes_after_a_ticker_in_any_case() {
        let cases: [(&str, &str, bool, Option<Market>); 14] = [
            ("HK", "941", false, Some(Market::HK)),
            ("hk", "941", false, Some(Market::HK)),
            ("Hkex", "941", false, Some(Market::HK)),
            ("CH", "600050", true, Some(Market::CN)),
            ("CN", "600050", true, Some(Market::CN)),
            ("cn", "GRRC", true, Some(Market::CA)),
            ("GB", "BMW", true, Some(Market::DE)),
            ("GB", "BMW", false, Some(Market::GB)),
            ("xetra", "BMW", false, Some(Market::DE)),
            ("FR", "AIR", false, Market::from_code("FR")),
            ("ZZZ", "1", false, None),
            ("NASDAQXX", "1", false, None),
            ("HK\0", "941", false, None),
            ("HKÉ", "941", false, None),
        ];
        for (cc, code, bloomberg, want) in cases {
            assert_eq!(market_after_ticker(cc, code, bloomberg), want, "{cc:?}");
        }
        assert_eq!(market_after_ticker("NASDAQXXY", "1", false), None);
    }

    #[test]
    fn remembered_markets_are_the_markets_read() {
        let texts = [
            "XHKG",
            "Hong Kong Stock Exchange",
            "Euronext Paris",
            "euronext paris",
            " Tokyo ",
            "IDX",
            "",
            "People's Republic of China",
            "CN",
            "Shanghai-Hong Kong Stock Connect",
            "a market with a name longer than the memo keeps, which is read every time",
        ];
        for _ in 0..2 {
            for t in texts {
                assert_eq!(market_from_exchange(t), read_exchange_market(t), "{t}");
                assert_eq!(market_from_country(t), read_country_market(t), "{t}");
            }
        }
        // Once the memo is full, texts are read as they come.
        for i in 0..MARKET_MEMO_TEXTS + 10 {
            assert_eq!(market_from_exchange(&format!("Exchange {i}")), None);
        }
        assert_eq!(
            market_from_exchange("London Stock Exchange"),
            Some(Market::GB)
        );
        assert_eq!(market_from_country("Switzerland"), Some(Market::CH));
    }

    #[test]
    fn ofac_forms() {
        for (raw, want) in [
            ("941 HK", "941 HK"),
            ("0728 HK", "728 HK"),
            ("00883 HK", "883 HK"),
            ("00317  HK", "317 HK"),
            ("601698  CN", "601698 CN"),
            ("603019CN", "603019 CN"),
            ("002415 CN", "002415 CN"),
            ("CHL US", "CHL US"),
            ("ZCHA DE", "ZCHA DE"),
            ("K3ED SG", "K3ED SG"),
            ("C1HL34 BR", "C1HL34 BR"),
            ("CNU CA", "CNU CA"),
        ] {
            assert_eq!(parse_list_ticker(raw).unwrap().to_string(), want, "{raw}");
        }
    }

    /// The normalisation table: every vendor notation of a listing gives OFAC's key.
    #[test]
    fn vendor_forms_normalise_to_one_key() {
        let table = [
            ("941 HK Equity", "941 HK"),
            ("0941 HK", "941 HK"),
            ("0941.HK", "941 HK"),
            ("941.HK", "941 HK"),
            ("00941-HK", "941 HK"),
            ("HKG:0941", "941 HK"),
            ("600760 CH Equity", "600760 CN"),
            ("600760 CH", "600760 CN"),
            ("600760 C1", "600760 CN"),
            ("600760 CG Equity", "600760 CN"),
            ("600760.SS", "600760 CN"),
            ("600760.SH", "600760 CN"),
            ("SHA:600760", "600760 CN"),
            ("002415.SZ", "002415 CN"),
            ("002415 CS Equity", "002415 CN"),
            ("603019CN", "603019 CN"),
            ("CHL UN Equity", "CHL US"),
            ("CHL.N", "CHL US"),
            ("CHL US", "CHL US"),
            ("ZCHA GY Equity", "ZCHA DE"),
            ("ZCHA.DE", "ZCHA DE"),
            ("K3ED SP Equity", "K3ED SG"),
            ("K3ED.SI", "K3ED SG"),
            ("C1HL34.SA", "C1HL34 BR"),
            ("CHA.BA", "CHA AR"),
            ("CNU CN Equity", "CNU CA"),
            ("CNU.TO", "CNU CA"),
            // Bare codes: no market, except the mainland ranges.
            ("941", "-"),
            ("CHL", "-"),
            ("600760", "600760 CN"),
            ("BRK.B", "-"),
        ];
        for (raw, want) in table {
            assert_eq!(key(raw), want, "{raw}");
        }
    }

    #[test]
    fn exchange_and_country_columns() {
        let k = |t: &str, ex: Option<&str>, c: Option<&str>| {
            read_holding_ticker(t, ex, c)
                .and_then(|(_, k)| k)
                .map(|(k, s)| (k.to_string(), s))
        };
        assert_eq!(
            k("941", Some("XHKG"), None),
            Some(("941 HK".into(), MarketSource::Exchange))
        );
        assert_eq!(
            k("941", Some("Hong Kong Exchanges"), None),
            Some(("941 HK".into(), MarketSource::Exchange))
        );
        assert_eq!(
            k("2415", Some("Shenzhen Stock Exchange"), None),
            Some(("002415 CN".into(), MarketSource::Exchange))
        );
        assert_eq!(
            k("2415", None, Some("China")),
            Some(("002415 CN".into(), MarketSource::Country))
        );
        assert_eq!(
            k("CHL", Some("New York Stock Exchange"), None),
            Some(("CHL US".into(), MarketSource::Exchange))
        );
        assert_eq!(
            k("600760", None, None),
            Some(("600760 CN".into(), MarketSource::CodeRange))
        );
        // The ticker's own suffix wins over the columns.
        assert_eq!(
            k("0941.HK", Some("XNYS"), None),
            Some(("941 HK".into(), MarketSource::Ticker))
        );
    }

    /// The stack spelling of exchange and country texts is the general one.
    #[test]
    fn market_words_on_the_stack_as_on_the_heap() {
        for raw in [
            "XHKG",
            " Euronext  Paris ",
            "Hong-Kong S.A.R.",
            "People's Republic of China",
            "\tshanghai\t",
            "U.S.A.",
            "...",
            "",
            "Xetra (Frankfurt)",
            "São Paulo",
            "B3 - Brasil, Bolsa, Balcão",
            &"New York ".repeat(10),
        ] {
            assert_eq!(
                with_market_words(raw, str::to_string),
                market_words(raw),
                "{raw:?}"
            );
        }
        assert!(contains_bytes("DEUTSCHE BOERSE XETRA", "XETRA"));
        assert!(!contains_bytes("XET", "XETRA"));
        assert!(contains_bytes("SWISS", "SWISS"));
    }

    /// The usual notations are read without a copy; every notation reads the same
    /// listing borrowed or owned.
    #[test]
    fn holding_ticker_borrows_the_usual_notations() {
        for raw in [
            "941 HK Equity",
            "0941.HK",
            "600760 CH",
            "CHL UN Equity",
            "603019CN",
        ] {
            let read = HoldingTicker::read(raw, None, None).unwrap();
            assert!(matches!(read.code, Cow::Borrowed(_)), "{raw}");
            assert!(
                matches!(read.listing, Some((Cow::Borrowed(_), _, _))),
                "{raw}"
            );
        }
        for (raw, ex, want) in [
            ("chl un equity", None, "CHL US"),
            ("0941  hk", None, "941 HK"),
            ("2415", Some("Shenzhen Stock Exchange"), "002415 CN"),
            ("brk/b", Some("nyse"), "BRK.B US"),
            ("CHINA  MOBILE  HK", None, "CHINA.MOBILE HK"),
        ] {
            let read = HoldingTicker::read(raw, ex, None).unwrap();
            let (key, _) = read.key().unwrap();
            assert_eq!(key.to_string(), want, "{raw}");
            assert_eq!(
                read_holding_ticker(raw, ex, None).unwrap().1.unwrap().0,
                key
            );
        }
    }

    #[test]
    fn never_across_markets() {
        assert_ne!(key("941 US"), key("941 HK"));
        assert_ne!(key("CHL LN"), key("CHL US"));
    }
}
