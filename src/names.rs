//! Issuer-name normalisation and explained similarity.
//!
//! Names from holdings files ("HIKVISION DIGITAL TECH-A", "China Telecom Corp Ltd-H",
//! "HUAWEI INV & HLDG 3.25% 15/03/2027") and from the list ("HANGZHOU HIKVISION DIGITAL
//! TECHNOLOGY CO., LTD.") are reduced to comparable tokens:
//!
//! 1. upper case, accents folded, `&` -> AND, apostrophes dropped (XI'AN -> XIAN), other
//!    punctuation -> space;
//! 2. instrument tails removed from security descriptions: share classes (-A, -H, CL B,
//!    CLASS A, H SHS), depositary receipts (ADR, SPONSORED ADR, GDR), units, and coupon /
//!    maturity / note tails on debt;
//! 3. abbreviations expanded (INTL, TECH, ELECTR, GRP, HLDGS, CORP...);
//! 4. legal forms dropped (an ISO 20275-style table: CO, LTD, LIMITED, CORPORATION, INC,
//!    PLC, AG, SA, JOINT STOCK...).
//!
//! Tokens then carry weights: distinctive words weigh 1, place names little, and generic
//! words (CHINA, GROUP, TECHNOLOGY, HOLDINGS, BANK...) very little, so that two names that
//! share only generic words never match. The score is a weighted Dice coefficient, and
//! every comparison can explain itself in one line.

use rustc_hash::FxHashSet;
use std::fmt::Write as _;

/// Weight of a token that tells companies apart.
const DISTINCTIVE: f64 = 1.0;
/// Weight of a place name (cities and provinces are often dropped by vendors).
const PLACE: f64 = 0.3;
/// Weight of a generic word.
const GENERIC: f64 = 0.12;

/// Legal forms and filler words that carry no identity.
const LEGAL_FORMS: &[&str] = &[
    "CO",
    "COMPANY",
    "COS",
    "LTD",
    "LIMITED",
    "LIMITADA",
    "LTDA",
    "CORP",
    "CORPORATION",
    "INC",
    "INCORPORATED",
    "PLC",
    "AG",
    "SA",
    "SAS",
    "SE",
    "NV",
    "BV",
    "GMBH",
    "SPA",
    "SRL",
    "AB",
    "ASA",
    "OYJ",
    "KK",
    "PTE",
    "PT",
    "TBK",
    "BHD",
    "LLC",
    "LLP",
    "LP",
    "JSC",
    "PJSC",
    "OJSC",
    "PCL",
    "JOINT",
    "STOCK",
    "PUBLIC",
    "LIABILITY",
    "OPEN",
    "CLOSED",
    "PAO",
    "OAO",
    "ZAO",
    "OOO",
    "SHARE",
    "SHAREHOLDING",
    "THE",
    "OF",
    "AND",
];

/// Words that say little about which company is meant.
const GENERIC_WORDS: &[&str] = &[
    "CHINA",
    "CHINESE",
    "PRC",
    "SINO",
    "ZHONGGUO",
    "NATIONAL",
    "INTERNATIONAL",
    "GLOBAL",
    "ASIA",
    "PACIFIC",
    "GROUP",
    "HOLDINGS",
    "HOLDING",
    "INDUSTRY",
    "INDUSTRIES",
    "INDUSTRIAL",
    "TECHNOLOGY",
    "SCIENCE",
    "BANK",
    "BANKING",
    "COMMUNICATIONS",
    "COMMUNICATION",
    "TELECOMMUNICATIONS",
    "CONSTRUCTION",
    "DEVELOPMENT",
    "INVESTMENT",
    "INVESTMENTS",
    "ELECTRONICS",
    "ELECTRIC",
    "INFORMATION",
    "ENGINEERING",
    "NEW",
    "CAPITAL",
    "RESOURCES",
    "ENERGY",
    "POWER",
    "SYSTEMS",
    "SERVICES",
    "MANUFACTURING",
    "EQUIPMENT",
    "MACHINERY",
    "TRADING",
    "FINANCIAL",
    "FINANCE",
    "SECURITIES",
    "INSURANCE",
    "PROPERTIES",
    "PROPERTY",
    "LAND",
    "MATERIALS",
    "CHEMICAL",
    "HIGH",
    "DIGITAL",
    "NETWORK",
    "NETWORKS",
    "SOFTWARE",
    "ENTERPRISE",
    "ENTERPRISES",
    "MANAGEMENT",
    "ADMINISTRATION",
    "ACADEMY",
    "INSTITUTE",
    "RESEARCH",
    "STATE",
    "OWNED",
    "FIRST",
    "UNITED",
    "GENERAL",
    "GREAT",
    "MOBILE",
];

/// Generic words that name a line of business. They weigh little when both names have
/// them, but a business word that only one of the names has is a difference
/// (China Railway *Construction* is not China Railway *Group*): unmatched, it weighs
/// [`UNMATCHED_SECTOR`].
const SECTOR_WORDS: &[&str] = &[
    "BANK",
    "BANKING",
    "COMMUNICATIONS",
    "COMMUNICATION",
    "TELECOMMUNICATIONS",
    "CONSTRUCTION",
    "DEVELOPMENT",
    "ELECTRONICS",
    "ELECTRIC",
    "INFORMATION",
    "ENGINEERING",
    "CAPITAL",
    "RESOURCES",
    "ENERGY",
    "POWER",
    "SERVICES",
    "MANUFACTURING",
    "EQUIPMENT",
    "MACHINERY",
    "TRADING",
    "FINANCIAL",
    "FINANCE",
    "SECURITIES",
    "INSURANCE",
    "PROPERTIES",
    "PROPERTY",
    "LAND",
    "MATERIALS",
    "CHEMICAL",
    "SOFTWARE",
    "ACADEMY",
    "INSTITUTE",
    "RESEARCH",
];

/// Everyday words for an industry (generic words such as ENERGY or MOBILE are not listed:
/// they never count as a distinctive match in the first place). They tell companies apart (CHINA TELECOM is not CHINA
/// MOBILE), but a name that shares only such a word with a list name and differs from it in
/// other words on both sides is another company (Telecom Italia, United Aviation): such
/// a comparison scores at most [`INDUSTRY_WORD_ONLY`], below review.
const INDUSTRY_WORDS: &[&str] = &[
    "TELECOM",
    "TELEKOM",
    "TELECOMMUNICATION",
    "TELEGRAPH",
    "TELEVISION",
    "AVIATION",
    "AIRLINES",
    "AIRLINE",
    "AIRWAYS",
    "AEROSPACE",
    "AERONAUTICS",
    "AIRCRAFT",
    "SPACE",
    "SHIPPING",
    "SHIPBUILDING",
    "MARINE",
    "RAILWAY",
    "RAILWAYS",
    "STEEL",
    "IRON",
    "METALS",
    "MINING",
    "MINERALS",
    "OIL",
    "PETROLEUM",
    "PETROCHEMICAL",
    "GAS",
    "COAL",
    "NUCLEAR",
    "SOLAR",
    "WATER",
    "CEMENT",
    "PAPER",
    "TEXTILES",
    "TEXTILE",
    "FOODS",
    "FOOD",
    "MOTORS",
    "MOTOR",
    "AUTOMOTIVE",
    "AUTO",
    "ROBOTICS",
    "SEMICONDUCTOR",
    "SEMICONDUCTORS",
    "MICROELECTRONICS",
    "MEDIA",
    "GAMING",
    "HOTELS",
    "PHARMA",
    "PHARMACEUTICAL",
    "PHARMACEUTICALS",
    "BIOTECH",
    "MEDICAL",
    "HEALTHCARE",
    "LOGISTICS",
    "TRANSPORT",
    "TRANSPORTATION",
    "INSTRUMENTS",
    "OPTICAL",
    "OPTICS",
    "ELECTRONIC",
    "DEFENSE",
    "DEFENCE",
    "SHIPYARD",
    "HEAVY",
    "CHEMICALS",
    "UNICOM",
    "SATELLITE",
    "RADAR",
    "ROCKET",
    "MISSILE",
    "SHIPS",
    "AVIONICS",
];

/// Highest score of a name that shares only an industry word with a list name and
/// differs from it on both sides (see `INDUSTRY_WORDS`): under the default review
/// threshold.
pub const INDUSTRY_WORD_ONLY: f64 = 0.7;

/// Weight of a business word that only one of the two names has.
const UNMATCHED_SECTOR: f64 = 0.5;

/// Cities, provinces and regions that commonly prefix Chinese company names.
const PLACES: &[&str] = &[
    "BEIJING",
    "SHANGHAI",
    "SHENZHEN",
    "SZ",
    "GUANGZHOU",
    "HANGZHOU",
    "NANJING",
    "XIAMEN",
    "FUJIAN",
    "GUIZHOU",
    "JIANGXI",
    "JIANGSU",
    "ZHEJIANG",
    "ANHUI",
    "SHAANXI",
    "SHANXI",
    "SICHUAN",
    "CHENGDU",
    "CHANGSHA",
    "HUNAN",
    "HUBEI",
    "WUHAN",
    "XIAN",
    "SHENYANG",
    "LIAONING",
    "TIANJIN",
    "CHONGQING",
    "INNER",
    "MONGOLIA",
    "GUANGDONG",
    "SHANDONG",
    "QINGDAO",
    "HENAN",
    "HEBEI",
    "YUNNAN",
    "HAINAN",
    "HARBIN",
    "HEILONGJIANG",
    "JILIN",
    "GANSU",
    "NINGXIA",
    "XINJIANG",
    "TIBET",
    "GUANGXI",
    "HONG",
    "KONG",
    "HK",
    "MACAU",
    "USA",
    "AMERICA",
    "EUROPE",
];

/// Abbreviations vendors use, and the word they stand for.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("INTL", "INTERNATIONAL"),
    ("INT", "INTERNATIONAL"),
    ("INTERNAT", "INTERNATIONAL"),
    ("TECH", "TECHNOLOGY"),
    ("TECHN", "TECHNOLOGY"),
    ("TECHNOL", "TECHNOLOGY"),
    ("TECHNOLOGIES", "TECHNOLOGY"),
    ("ELEC", "ELECTRONICS"),
    ("ELECTR", "ELECTRONICS"),
    ("ELECTRON", "ELECTRONICS"),
    ("ELECTRONIC", "ELECTRONICS"),
    ("GRP", "GROUP"),
    ("GP", "GROUP"),
    ("HLDGS", "HOLDINGS"),
    ("HLDG", "HOLDINGS"),
    ("HLDS", "HOLDINGS"),
    ("HOLDING", "HOLDINGS"),
    ("HOLD", "HOLDINGS"),
    ("HLD", "HOLDINGS"),
    ("INDS", "INDUSTRIES"),
    ("IND", "INDUSTRIES"),
    ("INDUS", "INDUSTRIES"),
    ("INDUSTRY", "INDUSTRIES"),
    ("INDL", "INDUSTRIAL"),
    ("COMMS", "COMMUNICATIONS"),
    ("COMMUN", "COMMUNICATIONS"),
    ("COMMUNICATION", "COMMUNICATIONS"),
    ("COMM", "COMMUNICATIONS"),
    ("TELECOMMUNICATION", "TELECOMMUNICATIONS"),
    ("NATL", "NATIONAL"),
    ("NAT", "NATIONAL"),
    ("DEV", "DEVELOPMENT"),
    ("DEVT", "DEVELOPMENT"),
    ("ENG", "ENGINEERING"),
    ("ENGR", "ENGINEERING"),
    ("ENGG", "ENGINEERING"),
    ("MFG", "MANUFACTURING"),
    ("SEMICOND", "SEMICONDUCTOR"),
    ("SEMICON", "SEMICONDUCTOR"),
    ("AERO", "AEROSPACE"),
    ("AEROSP", "AEROSPACE"),
    ("AVN", "AVIATION"),
    ("AVIAT", "AVIATION"),
    ("EQUIP", "EQUIPMENT"),
    ("INFO", "INFORMATION"),
    ("SYS", "SYSTEMS"),
    ("SYSTEM", "SYSTEMS"),
    ("MACH", "MACHINERY"),
    ("SCI", "SCIENCE"),
    ("SCIENCES", "SCIENCE"),
    ("INV", "INVESTMENT"),
    ("INVT", "INVESTMENT"),
    ("INVEST", "INVESTMENT"),
    ("INVESTMENTS", "INVESTMENT"),
    ("CONSTR", "CONSTRUCTION"),
    ("CONST", "CONSTRUCTION"),
    ("CONSTRN", "CONSTRUCTION"),
    ("MGMT", "MANAGEMENT"),
    ("SVCS", "SERVICES"),
    ("SERV", "SERVICES"),
    ("FINL", "FINANCIAL"),
    ("PWR", "POWER"),
    ("NUC", "NUCLEAR"),
    ("NUCL", "NUCLEAR"),
    ("SHIPBLDG", "SHIPBUILDING"),
    ("SHIPBUILD", "SHIPBUILDING"),
    ("OPTOELECTRONIC", "OPTRONIC"),
    ("MICROELECTR", "MICROELECTRONICS"),
    ("MICROELECTRONIC", "MICROELECTRONICS"),
    ("DIG", "DIGITAL"),
    ("DGTL", "DIGITAL"),
    ("NETWK", "NETWORK"),
    ("MOBL", "MOBILE"),
    ("TELE", "TELECOM"),
    ("TEL", "TELECOM"),
    ("UNITED", "UNITED"),
    ("MARINE", "MARINE"),
    ("CAP", "CAPITAL"),
    ("RES", "RESOURCES"),
    ("PROP", "PROPERTIES"),
    ("PPTY", "PROPERTIES"),
];

/// Words that mark a share class or instrument in a security description; dropped with what
/// follows them when they close the name.
const INSTRUMENT_WORDS: &[&str] = &[
    "PRE",
    "IPO",
    "PREIPO",
    "UNLISTED",
    "WARRANT",
    "WARRANTS",
    "WTS",
    "RIGHTS",
    "PFD",
    "PREF",
    "ADR",
    "ADRS",
    "ADS",
    "GDR",
    "GDRS",
    "SPONSORED",
    "SPON",
    "UNSPONSORED",
    "UNSP",
    "ORD",
    "ORDINARY",
    "SHS",
    "SHARES",
    "SH",
    "COMMON",
    "COM",
    "STK",
    "UNIT",
    "UNITS",
    "REG",
    "REGS",
    "144A",
    "CL",
    "CLASS",
    "NPV",
    "PAR",
    "BOND",
    "BONDS",
    "NOTE",
    "NOTES",
    "NT",
    "NTS",
    "SR",
    "SNR",
    "SENIOR",
    "UNSEC",
    "UNSECURED",
    "SECURED",
    "SUB",
    "SUBORD",
    "MTN",
    "EMTN",
    "PERP",
    "FRN",
    "CALLABLE",
    "CALL",
    "GTD",
    "GUARANTEED",
    "DEB",
    "DEBENTURE",
    "CV",
    "CONV",
    "PFD",
    "PREF",
    "WTS",
    "WARRANT",
    "WARRANTS",
    "RIGHTS",
    "RTS",
    "DR",
    "EQUITY",
    "FGN",
    "FOREIGN",
    "HSHS",
    "ASHS",
];

/// Tokens of a normalised name with their weights.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NormName {
    /// Normalised tokens, in their original order (duplicates removed).
    pub tokens: Vec<String>,
    /// `tokens` joined by spaces: the key for exact comparison and de-duplication.
    pub key: String,
}

impl NormName {
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Sum of token weights.
    pub fn weight(&self) -> f64 {
        self.tokens.iter().map(|t| token_weight(t)).sum()
    }

    /// True when every token is generic or a place name.
    pub fn all_generic(&self) -> bool {
        self.tokens.iter().all(|t| token_weight(t) < DISTINCTIVE)
    }
}

/// How much a token tells companies apart.
pub fn token_weight(token: &str) -> f64 {
    if tables().generic.contains(token) {
        GENERIC
    } else if tables().places.contains(token) {
        PLACE
    } else {
        DISTINCTIVE
    }
}

/// True for a city, province or region word.
pub fn is_place(token: &str) -> bool {
    tables().places.contains(token)
}

/// The word tables as hash sets (a fast hash: every token of every name is looked up),
/// built once.
struct Tables {
    generic: FxHashSet<&'static str>,
    sector: FxHashSet<&'static str>,
    industry: FxHashSet<&'static str>,
    places: FxHashSet<&'static str>,
    legal: FxHashSet<&'static str>,
    instrument: FxHashSet<&'static str>,
    abbreviations: rustc_hash::FxHashMap<&'static str, &'static str>,
}

fn tables() -> &'static Tables {
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| Tables {
        generic: GENERIC_WORDS.iter().copied().collect(),
        sector: SECTOR_WORDS.iter().copied().collect(),
        industry: INDUSTRY_WORDS.iter().copied().collect(),
        places: PLACES.iter().copied().collect(),
        legal: LEGAL_FORMS.iter().copied().collect(),
        instrument: INSTRUMENT_WORDS.iter().copied().collect(),
        abbreviations: ABBREVIATIONS.iter().copied().collect(),
    })
}

/// Weight of a token that only one of two compared names has.
fn unmatched_weight(token: &str) -> f64 {
    if tables().sector.contains(token) {
        UNMATCHED_SECTOR
    } else {
        token_weight(token)
    }
}

/// True for a token that is generic (or a place name).
pub fn is_generic(token: &str) -> bool {
    token_weight(token) < DISTINCTIVE
}

fn fold_char(c: char) -> char {
    match c {
        'À'..='Å' | 'à'..='å' => 'A',
        'Ç' | 'ç' => 'C',
        'È'..='Ë' | 'è'..='ë' => 'E',
        'Ì'..='Ï' | 'ì'..='ï' => 'I',
        'Ñ' | 'ñ' => 'N',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' => 'O',
        'Ù'..='Ü' | 'ù'..='ü' => 'U',
        'Ý' | 'ý' | 'ÿ' => 'Y',
        _ => c.to_ascii_uppercase(),
    }
}

/// Split raw text into upper-case ASCII-ish words, keeping `%` and `/` inside words for the
/// instrument-tail logic.
fn raw_words(raw: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(raw.len() + 8);
    let mut prev = ' ';
    for c in raw.chars() {
        let c = fold_char(c);
        match c {
            '&' | '+' => cleaned.push_str(" AND "),
            '\'' | '\u{2019}' | '`' => {}
            // A dash that glues a class letter (`TECH-A`, `LTD-H`) separates it.
            '-' | '_' | ',' | '(' | ')' | '[' | ']' | '"' | ';' | ':' | '*' | '#' | '!' | '?' => {
                cleaned.push(' ')
            }
            '.' => {
                // Keep decimal points of coupons (3.25%), drop abbreviation dots (CO.).
                if prev.is_ascii_digit() {
                    cleaned.push('.')
                } else {
                    cleaned.push(' ')
                }
            }
            c if c.is_alphanumeric() || c == '%' || c == '/' => cleaned.push(c),
            _ => cleaned.push(' '),
        }
        prev = c;
    }
    cleaned
        .split_whitespace()
        .map(|w| w.trim_end_matches('.').to_string())
        .collect()
}

fn looks_like_coupon_or_date(w: &str) -> bool {
    let has_digit = w.bytes().any(|b| b.is_ascii_digit());
    has_digit
        && (w.contains('%')
            || w.contains('/')
            || w.contains('.')
            || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())))
}

/// Normalise a company or security name.
pub fn normalise(raw: &str) -> NormName {
    let mut words = raw_words(raw);
    // Cut instrument tails: from the first coupon/maturity or instrument word after at least
    // two name words, everything goes ("HUAWEI INV AND HLDG 3.25% 15/03/2027").
    let cut = words.iter().enumerate().position(|(i, w)| {
        i >= 1 && (looks_like_coupon_or_date(w) || tables().instrument.contains(w.as_str()))
    });
    if let Some(cut) = cut {
        words.truncate(cut);
    }
    let mut tokens: Vec<String> = Vec::with_capacity(words.len());
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for w in words {
        if w.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'%' || b == b'/')
        {
            continue;
        }
        let w = tables()
            .abbreviations
            .get(w.as_str())
            .map(|full| (*full).to_string())
            .unwrap_or(w);
        if tables().legal.contains(w.as_str()) || w.len() == 1 {
            continue;
        }
        if seen.insert(w.clone()) {
            tokens.push(w);
        }
    }
    // Vendors cut names at ~30 characters: a last word that is the start of a legal form
    // ("... CONSTRUCTION COR", "... GRP CO LT") is that legal form.
    if tokens.len() > 1
        && let Some(last) = tokens.last()
        && (last.len() >= 3 || last == "LT")
        && LEGAL_FORMS
            .iter()
            .any(|l| l.len() > last.len() && l.starts_with(last.as_str()))
    {
        tokens.pop();
    }
    let key = tokens.join(" ");
    NormName { tokens, key }
}

/// Damerau-Levenshtein distance capped at 2 (enough to accept one typo).
fn small_edit_distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > 1 {
        return 2;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m].min(2)
}

/// True when two tokens are the same word, allowing one typo in distinctive words of
/// six letters or more.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    a.len() >= 6
        && b.len() >= 6
        && !is_generic(a)
        && !is_generic(b)
        && small_edit_distance(a, b) <= 1
}

/// The outcome of comparing two normalised names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameComparison {
    /// Weighted Dice coefficient, 0..1.
    pub score: f64,
    /// Distinctive tokens found in both names.
    pub matched_distinctive: Vec<String>,
    /// Generic or place tokens found in both names (discounted).
    pub matched_generic: Vec<String>,
    /// Tokens of the holding's name not in the list name.
    pub only_in_holding: Vec<String>,
    /// Tokens of the list name not in the holding's name.
    pub only_in_list: Vec<String>,
}

impl NameComparison {
    /// One line for a reviewer: which words matched, what was discounted, what differs.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        if self.only_in_holding.is_empty()
            && self.only_in_list.is_empty()
            && self.score >= IDENTICAL
        {
            s.push_str("same name after normalisation");
        } else {
            let _ = write!(s, "matched {}", join_or_none(&self.matched_distinctive));
        }
        if !self.matched_generic.is_empty() {
            let _ = write!(
                s,
                "; generic words discounted: {}",
                self.matched_generic.join(" ")
            );
        }
        if !self.only_in_holding.is_empty() {
            let _ = write!(s, "; only in holding: {}", self.only_in_holding.join(" "));
        }
        if !self.only_in_list.is_empty() {
            let _ = write!(s, "; only in list name: {}", self.only_in_list.join(" "));
        }
        s
    }
}

fn join_or_none(words: &[String]) -> String {
    if words.is_empty() {
        "no distinctive word".into()
    } else {
        words.join(" ")
    }
}

/// Compare a holding's name with a list name.
///
/// Names that share only generic words score 0 unless they are identical after
/// normalisation.
pub fn compare(holding: &NormName, listed: &NormName) -> NameComparison {
    let mut matched_distinctive = Vec::new();
    let mut matched_generic = Vec::new();
    let mut only_in_holding = Vec::new();
    let mut used = vec![false; listed.tokens.len()];
    let mut matched_weight = 0.0;
    let mut fuzzy = false;
    let last = holding.tokens.len().saturating_sub(1);
    for (ti, t) in holding.tokens.iter().enumerate() {
        let hit = listed
            .tokens
            .iter()
            .enumerate()
            .find(|(i, l)| !used[*i] && *l == t)
            .or_else(|| {
                listed
                    .tokens
                    .iter()
                    .enumerate()
                    .find(|(i, l)| !used[*i] && tokens_equal(t, l))
            })
            .or_else(|| {
                // A name cut short by a vendor: its last word may be the start of one
                // ("HIKVISION DIGITAL TEC" for TECHNOLOGY).
                (ti == last && ti > 0 && t.len() >= 2)
                    .then(|| {
                        listed.tokens.iter().enumerate().find(|(i, l)| {
                            !used[*i] && l.len() > t.len() && l.starts_with(t.as_str())
                        })
                    })
                    .flatten()
            })
            .map(|(i, _)| i);
        match hit {
            Some(i) => {
                used[i] = true;
                fuzzy |= listed.tokens[i] != *t;
                let w = if listed.tokens[i].starts_with(t.as_str()) && listed.tokens[i] != *t {
                    token_weight(&listed.tokens[i])
                } else {
                    token_weight(t).min(token_weight(&listed.tokens[i]))
                };
                matched_weight += w;
                if w >= DISTINCTIVE {
                    matched_distinctive.push(t.clone());
                } else {
                    matched_generic.push(t.clone());
                }
            }
            None => only_in_holding.push(t.clone()),
        }
    }
    let only_in_list: Vec<String> = listed
        .tokens
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(t, _)| t.clone())
        .collect();
    let any_matched = !matched_distinctive.is_empty() || !matched_generic.is_empty();
    // GROUP is what a company gains when it is renamed "... Group Co., Ltd.": a difference
    // of GROUP alone is no difference. Place words are, for distinctive names only.
    let only_group = |ts: &[String]| ts.iter().all(|t| t == "GROUP");
    let only_place_or_group = |ts: &[String]| ts.iter().all(|t| t == "GROUP" || is_place(t));
    let score = if !any_matched {
        0.0
    } else if only_in_holding.is_empty() && only_in_list.is_empty() && !fuzzy {
        IDENTICAL
    } else if matched_distinctive.is_empty() {
        // A name of generic words only (CHINA MOBILE) matches only itself: CHINA MOBILE HONG
        // KONG is another company. Differing by GROUP alone, it may be the group under a
        // former name or its listed subsidiary (China United Network Communications Ltd vs
        // ... Group Co., Ltd.): a person decides.
        if only_group(&only_in_holding) && only_group(&only_in_list) && !fuzzy {
            GENERIC_GROUP_VARIANT
        } else {
            0.0
        }
    } else if only_place_or_group(&only_in_holding) && only_place_or_group(&only_in_list) {
        // Same name but for a place prefix (HANGZHOU HIKVISION ~ HIKVISION), GROUP, or one
        // typo.
        CORE_IDENTICAL
    } else {
        let total = weight_with_unmatched(holding, &only_in_holding)
            + weight_with_unmatched(listed, &only_in_list);
        // Other words on both sides, and in common only industry words: another company.
        let differs = |ts: &[String]| ts.iter().any(|t| t != "GROUP" && !is_place(t));
        let cap = if differs(&only_in_holding)
            && differs(&only_in_list)
            && matched_distinctive
                .iter()
                .all(|t| tables().industry.contains(t.as_str()))
        {
            INDUSTRY_WORD_ONLY
        } else {
            PARTIAL_CAP
        };
        if total > 0.0 {
            (2.0 * matched_weight / total).min(cap)
        } else {
            0.0
        }
    };
    NameComparison {
        score,
        matched_distinctive,
        matched_generic,
        only_in_holding,
        only_in_list,
    }
}

/// A name's weight when `unmatched` of its tokens have no counterpart in the other name.
fn weight_with_unmatched(name: &NormName, unmatched: &[String]) -> f64 {
    name.tokens
        .iter()
        .map(|t| {
            if unmatched.contains(t) {
                unmatched_weight(t)
            } else {
                token_weight(t)
            }
        })
        .sum()
}

/// Score of names identical after normalisation.
pub const IDENTICAL: f64 = 1.0;
/// Score of names identical but for place words or one typo in a distinctive word.
pub const CORE_IDENTICAL: f64 = 0.95;
/// Score of generic-word names that differ only by GROUP: review, never prohibit alone.
pub const GENERIC_GROUP_VARIANT: f64 = 0.85;
/// Highest score of names that differ in a non-place word.
pub const PARTIAL_CAP: f64 = 0.94;

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        normalise(s).key
    }

    #[test]
    fn normalisation_table() {
        for (raw, want) in [
            (
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY",
            ),
            ("Hikvision Digital Tech-A", "HIKVISION DIGITAL TECHNOLOGY"),
            ("CHINA TELECOM CORP LTD-H", "CHINA TELECOM"),
            ("Megvii Technology Ltd (pre-IPO)", "MEGVII TECHNOLOGY"),
            ("SZ DJI Technology Co Ltd unlisted", "SZ DJI TECHNOLOGY"),
            ("China Telecom Corporation Limited", "CHINA TELECOM"),
            ("CHINA MOBILE LTD SPONSORED ADR", "CHINA MOBILE"),
            ("China Mobile Ltd. ADR", "CHINA MOBILE"),
            (
                "AVIC XI'AN AIRCRAFT INDUSTRY GROUP COMPANY LTD.",
                "AVIC XIAN AIRCRAFT INDUSTRIES GROUP",
            ),
            (
                "HUAWEI INV & HLDG 3.25% 15/03/2027",
                "HUAWEI INVESTMENT HOLDINGS",
            ),
            (
                "HUAWEI INVESTMENT & HOLDING CO., LTD.",
                "HUAWEI INVESTMENT HOLDINGS",
            ),
            (
                "Nanjing Panda Electr. Co. Ltd.",
                "NANJING PANDA ELECTRONICS",
            ),
            (
                "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION",
                "SEMICONDUCTOR MANUFACTURING INTERNATIONAL",
            ),
            (
                "Semiconductor Manufacturing Intl Corp",
                "SEMICONDUCTOR MANUFACTURING INTERNATIONAL",
            ),
            ("CNOOC LTD", "CNOOC"),
            ("China Unicom (Hong Kong) Ltd", "CHINA UNICOM HONG KONG"),
            (
                "PROVEN HONOUR CAPITAL LTD 4.125% 05/06/2025 REGS",
                "PROVEN HONOUR CAPITAL",
            ),
            ("Costar Group Co., Ltd. Class A", "COSTAR GROUP"),
        ] {
            assert_eq!(key(raw), want, "{raw}");
        }
    }

    fn score(a: &str, b: &str) -> f64 {
        compare(&normalise(a), &normalise(b)).score
    }

    #[test]
    fn industry_words_are_distinctive_words() {
        for w in INDUSTRY_WORDS {
            assert!(
                !is_generic(w),
                "{w} is generic: it can never be the only match"
            );
        }
    }

    #[test]
    fn sharing_only_an_industry_word_is_another_company() {
        let telecom = "CHINA TELECOM CORPORATION LIMITED";
        for other in [
            "Telecom Italia SpA",
            "United Telecom AG",
            "National Telecom Holdings",
        ] {
            assert!(score(other, telecom) <= INDUSTRY_WORD_ONLY, "{other}");
        }
        let avic = "AVIATION INDUSTRY CORPORATION OF CHINA, LTD.";
        assert!(score("National Aviation Co Ltd", avic) <= INDUSTRY_WORD_ONLY);
        // An industry word with nothing else different on the list's side is worth a look
        // (a subsidiary of the listed group).
        assert!(score("China Telecom Global Ltd", telecom) >= 0.8);
        assert_eq!(score("China Telecom Corp Ltd-H", telecom), 1.0);
    }

    #[test]
    fn same_issuer_scores_high() {
        assert_eq!(score("China Mobile Ltd", "CHINA MOBILE LIMITED"), 1.0);
        assert_eq!(
            score(
                "CHINA TELECOM CORP LTD-H",
                "CHINA TELECOM CORPORATION LIMITED"
            ),
            1.0
        );
        assert!(
            score(
                "Hikvision Digital Tech-A",
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."
            ) > 0.9
        );
        // One typo in a distinctive word.
        assert!(
            score(
                "Hangzhou Hikvison Digital Technology",
                "HANGZHOU HIKVISION DIGITAL TECHNOLOGY"
            ) > 0.9
        );
    }

    #[test]
    fn generic_only_overlap_is_not_a_match() {
        assert_eq!(
            score(
                "China Construction Bank Corp-H",
                "CHINA RAILWAY CONSTRUCTION CORPORATION LIMITED"
            ),
            0.0
        );
        assert_eq!(
            score(
                "China Communications Services",
                "CHINA COMMUNICATIONS CONSTRUCTION COMPANY LIMITED"
            ),
            0.0
        );
        assert_eq!(score("CORP", "CHINA ELECTRONICS CORPORATION"), 0.0);
        assert_eq!(
            score(
                "China Electronics Holdings",
                "CHINA ELECTRONICS CORPORATION"
            ),
            0.0
        );
    }

    #[test]
    fn explanation_names_words() {
        let c = compare(
            &normalise("Hikvision Digital Tech-A"),
            &normalise("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO"),
        );
        let e = c.explain();
        assert!(e.contains("HIKVISION"), "{e}");
        assert!(e.contains("only in list name: HANGZHOU"), "{e}");
    }

    #[test]
    fn edit_distance() {
        assert_eq!(small_edit_distance("HIKVISION", "HIKVISON"), 1);
        assert_eq!(small_edit_distance("HIKVISION", "HIKVIISON"), 1);
        assert_eq!(small_edit_distance("ABCDEF", "ABDCEF"), 1);
        assert_eq!(small_edit_distance("ABCDEF", "ABXYEF"), 2);
    }

    #[test]
    fn a_business_word_only_one_name_has_is_a_difference() {
        let crcc = normalise("CHINA RAILWAY CONSTRUCTION CORPORATION LIMITED");
        let crec = compare(&normalise("CHINA RAILWAY GROUP LTD-H"), &crcc);
        assert!(crec.score < 0.80, "CREC is not CRCC: {}", crec.score);
        let same = compare(&normalise("China Railway Construction Corp Ltd-H"), &crcc);
        assert_eq!(same.score, IDENTICAL);
    }

    #[test]
    fn names_cut_short_by_vendors() {
        let hik = normalise("HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.");
        let cut = compare(&normalise("HANGZHOU HIKVISION DIGITAL TEC-A"), &hik);
        assert_eq!(cut.score, CORE_IDENTICAL, "last word is a prefix");
        assert_eq!(
            key("CHINA RAILWAY CONSTRUCTION COR-A"),
            "CHINA RAILWAY CONSTRUCTION"
        );
        assert_eq!(
            key("AEROSPACE COMM HLDGS GRP CO LT-A"),
            "AEROSPACE COMMUNICATIONS HOLDINGS GROUP"
        );
        // Only the last word may be a prefix.
        let other = compare(&normalise("HIK DIGITAL"), &hik);
        assert!(other.score < 0.8);
    }
}
