//! Writes a generated holdings book of N rows, as xlsx and csv, for the benchmarks
//! (bench/run.sh, docs/performance.md).
//!
//! ```text
//! cargo run --release --example gen_book -- OUT_STEM ROWS [CMIC_SHARE]
//! ```
//!
//! writes `OUT_STEM.xlsx` and `OUT_STEM.csv` with the same 12 columns and rows: account,
//! security name, ISIN, CUSIP, SEDOL, ticker, exchange, country, quantity, price, market
//! value, currency. Deterministic: the same arguments give the same files. The xlsx holds
//! its texts inline (rust_xlsxwriter's constant-memory mode); with `GEN_BOOK_SHARED_STRINGS=1`
//! it holds them in a shared-strings table, as Excel saves them.
//!
//! * a universe of 40,000 made-up securities (valid ISIN, CUSIP and SEDOL check digits)
//!   over 25 markets, each written in one vendor's notation: Bloomberg (`700 HK Equity`),
//!   Reuters (`0700.HK`), Yahoo, bare codes with an exchange column;
//! * identifier columns partly filled, as real exports are (ISIN on 70% of rows, CUSIP
//!   on US rows, SEDOL on 30%);
//! * `CMIC_SHARE` (default 0.004) of the rows are real NS-CMIC securities of the embedded
//!   list, in varied notations (ISIN only, ticker only, CUSIP of a US listing, name only
//!   in vendor style);
//! * 1% of the rows carry near-miss names: a listed company's distinctive word with other
//!   words (`Hikvision Robotics Inc`), which must not be prohibited.

use std::fs::File;
use std::io::{BufWriter, Write};

use holdscreen::list::embedded::embedded_list_ref;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

const COLUMNS: [&str; 12] = [
    "Account",
    "Security Name",
    "ISIN",
    "CUSIP",
    "SEDOL",
    "Ticker",
    "Exchange",
    "Country",
    "Quantity",
    "Price",
    "Market Value",
    "Currency",
];

const UNIVERSE: usize = 40_000;

/// (country, exchange name, Bloomberg code, Reuters suffix, currency, ISIN prefix)
const MARKETS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("United States", "NASDAQ", "US", "O", "USD", "US"),
    ("United States", "NYSE", "US", "N", "USD", "US"),
    ("Hong Kong", "HKEX", "HK", "HK", "HKD", "HK"),
    ("China", "Shanghai", "CH", "SS", "CNY", "CN"),
    ("China", "Shenzhen", "CH", "SZ", "CNY", "CN"),
    ("Japan", "Tokyo", "JP", "T", "JPY", "JP"),
    ("United Kingdom", "London", "LN", "L", "GBP", "GB"),
    ("Germany", "Xetra", "GR", "DE", "EUR", "DE"),
    ("France", "Euronext Paris", "FP", "PA", "EUR", "FR"),
    ("Switzerland", "SIX", "SW", "S", "CHF", "CH"),
    ("Korea", "KRX", "KS", "KS", "KRW", "KR"),
    ("Taiwan", "TWSE", "TT", "TW", "TWD", "TW"),
    ("India", "NSE", "IN", "NS", "INR", "IN"),
    ("Australia", "ASX", "AU", "AX", "AUD", "AU"),
    ("Canada", "TSX", "CN", "TO", "CAD", "CA"),
    ("Singapore", "SGX", "SP", "SI", "SGD", "SG"),
    ("Brazil", "B3", "BZ", "SA", "BRL", "BR"),
    ("Netherlands", "Euronext Amsterdam", "NA", "AS", "EUR", "NL"),
    ("Sweden", "Stockholm", "SS", "ST", "SEK", "SE"),
    ("Italy", "Milan", "IM", "MI", "EUR", "IT"),
    ("Spain", "Madrid", "SM", "MC", "EUR", "ES"),
    ("South Africa", "JSE", "SJ", "J", "ZAR", "ZA"),
    ("Mexico", "BMV", "MM", "MX", "MXN", "MX"),
    ("Indonesia", "IDX", "IJ", "JK", "IDR", "ID"),
    ("Thailand", "SET", "TB", "BK", "THB", "TH"),
];

const FIRST: &[&str] = &[
    "Apex", "Zenith", "Orion", "Lotus", "Summit", "Vertex", "Harbor", "Crescent", "Northern",
    "Pacific", "Atlantic", "Golden", "Silver", "Blue", "Green", "Red", "Eastern", "Western",
    "United", "National", "Royal", "First", "Grand", "Prime", "Nova", "Stellar", "Aurora",
    "Meridian", "Cobalt", "Granite", "Cedar", "Maple", "Willow", "Falcon", "Eagle", "Lion",
    "Tiger", "Dragon", "Phoenix", "Horizon", "Pinnacle", "Keystone", "Sterling", "Beacon",
    "Vanguard", "Pioneer", "Frontier", "Liberty", "Heritage", "Crown",
];
const SECOND: &[&str] = &[
    "Energy",
    "Bank",
    "Capital",
    "Steel",
    "Shipping",
    "Telecom",
    "Mobile",
    "Electric",
    "Power",
    "Resources",
    "Mining",
    "Pharma",
    "Logistics",
    "Semiconductor",
    "Software",
    "Motors",
    "Aviation",
    "Marine",
    "Trust",
    "Insurance",
    "Realty",
    "Foods",
    "Chemical",
    "Petroleum",
    "Gas",
    "Systems",
    "Networks",
    "Biotech",
    "Retail",
    "Textiles",
    "Cement",
    "Paper",
    "Media",
    "Gaming",
    "Hotels",
    "Airlines",
    "Railways",
    "Water",
    "Solar",
    "Robotics",
];
const TAILS: &[&str] = &[
    "Inc",
    "Corp",
    "Ltd",
    "PLC",
    "AG",
    "SA",
    "Co Ltd",
    "Holdings Ltd",
    "Group",
    "NV",
    "-A",
    "-H",
    "Co Ltd-A",
    "Berhad",
    "Tbk",
    "ASA",
    "SpA",
    "Oyj",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Digit value of an identifier character (0-9, A=10 ... Z=35).
fn value(c: char) -> u32 {
    c.to_digit(36).unwrap_or(0)
}

fn isin_check(body: &str) -> char {
    let digits: String = body.chars().map(|c| value(c).to_string()).collect();
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

fn cusip_check(body: &str) -> char {
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let v = if i % 2 == 1 { value(c) * 2 } else { value(c) };
            v / 10 + v % 10
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

fn sedol_check(body: &str) -> char {
    const W: [u32; 6] = [1, 3, 1, 7, 3, 9];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| value(c) * w).sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

#[derive(Clone)]
struct Security {
    name: String,
    isin: String,
    cusip: String,
    sedol: String,
    ticker: String,
    exchange: String,
    country: String,
    currency: String,
    price: f64,
}

fn universe(rng: &mut Rng) -> Vec<Security> {
    (0..UNIVERSE)
        .map(|i| {
            let m = MARKETS[rng.below(MARKETS.len())];
            let (country, exchange, bbg, ric, ccy, cc) = m;
            let name = format!(
                "{} {} {}",
                FIRST[rng.below(FIRST.len())],
                SECOND[rng.below(SECOND.len())],
                TAILS[rng.below(TAILS.len())]
            );
            let code = match cc {
                "US" | "GB" | "CA" | "DE" | "FR" => {
                    let len = 3 + rng.below(2);
                    (0..len)
                        .map(|_| char::from(b'A' + rng.below(26) as u8))
                        .collect::<String>()
                }
                "CN" => format!("{:06}", 600_000 + i % 99_999),
                "HK" => format!("{}", 1 + i % 9_999),
                _ => format!("{:04}", 1000 + i % 8_999),
            };
            let cusip_body = format!("{:06}{:02}", 100_000 + i, rng.below(100));
            let cusip = format!("{cusip_body}{}", cusip_check(&cusip_body));
            let nsin = if cc == "US" || cc == "CA" {
                cusip.clone()
            } else {
                format!("{:09}", 10_000_000 + i)
            };
            let isin_body = format!("{cc}{nsin}");
            let isin = format!("{isin_body}{}", isin_check(&isin_body));
            let sedol_body = format!("B{:05}", i % 100_000);
            let sedol = format!("{sedol_body}{}", sedol_check(&sedol_body));
            let ticker = match rng.below(4) {
                0 => format!("{code} {bbg} Equity"),
                1 => format!("{code}.{ric}"),
                2 => format!("{code} {bbg}"),
                _ => code.clone(),
            };
            Security {
                name,
                isin,
                cusip: if cc == "US" { cusip } else { String::new() },
                sedol,
                ticker,
                exchange: exchange.to_string(),
                country: country.to_string(),
                currency: ccy.to_string(),
                price: 1.0 + rng.below(50_000) as f64 / 100.0,
            }
        })
        .collect()
}

/// Real NS-CMIC securities of the embedded list in the notations vendors use.
fn listed(rng: &mut Rng) -> Vec<Security> {
    let mut out = Vec::new();
    for e in &embedded_list_ref().snapshots[0].entries {
        let Some(c) = &e.cmic else { continue };
        let vendor_name = e.name.replace(", LTD.", " LTD").replace(',', "");
        for (k, t) in c.tickers.iter().enumerate() {
            let Some(key) = &t.key else { continue };
            let (code, market) = (key.code.clone(), key.market.as_str().to_string());
            let isin = c.isins.get(k).map(|i| i.value.clone()).unwrap_or_default();
            let (exchange, bbg) = match market.as_str() {
                "HK" => ("HKEX", "HK"),
                "CN" => ("Shanghai", "CH"),
                "US" => ("NYSE", "US"),
                _ => ("", ""),
            };
            let notation = rng.below(4);
            out.push(Security {
                name: if notation == 3 || rng.chance(0.5) {
                    vendor_name.clone()
                } else {
                    String::new()
                },
                isin: if notation == 0 { isin } else { String::new() },
                cusip: String::new(),
                sedol: String::new(),
                ticker: match notation {
                    1 if !bbg.is_empty() => format!("{code} {bbg} Equity"),
                    2 => code.clone(),
                    _ => String::new(),
                },
                exchange: if notation == 2 {
                    exchange.to_string()
                } else {
                    String::new()
                },
                country: String::new(),
                currency: "USD".into(),
                price: 10.0,
            });
        }
        if c.tickers.is_empty() {
            out.push(Security {
                name: vendor_name,
                isin: String::new(),
                cusip: String::new(),
                sedol: String::new(),
                ticker: String::new(),
                exchange: String::new(),
                country: "China".into(),
                currency: "CNY".into(),
                price: 10.0,
            });
        }
    }
    out
}

/// Look-alikes: a listed name's most distinctive word among other words.
fn near_misses(rng: &mut Rng) -> Vec<Security> {
    let mut out = Vec::new();
    for e in &embedded_list_ref().snapshots[0].entries {
        let Some(word) = e
            .name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() >= 5 && !matches!(*w, "CHINA" | "LIMITED" | "COMPANY" | "GROUP"))
            .max_by_key(|w| w.len())
        else {
            continue;
        };
        let word = word[..1].to_string() + &word[1..].to_ascii_lowercase();
        out.push(Security {
            name: format!(
                "{word} {} {}",
                SECOND[rng.below(SECOND.len())],
                ["Inc", "Plc", "GmbH", "Pty Ltd"][rng.below(4)]
            ),
            isin: String::new(),
            cusip: String::new(),
            sedol: String::new(),
            ticker: String::new(),
            exchange: String::new(),
            country: "United States".into(),
            currency: "USD".into(),
            price: 25.0,
        });
    }
    out
}

struct Row {
    account: String,
    sec: Security,
    isin: bool,
    sedol: bool,
    quantity: f64,
}

fn rows(n: usize, cmic_share: f64) -> impl Iterator<Item = Row> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let uni = universe(&mut rng);
    let cmic = listed(&mut rng);
    let near = near_misses(&mut rng);
    (0..n).map(move |i| {
        let sec = if !cmic.is_empty() && rng.chance(cmic_share) {
            cmic[rng.below(cmic.len())].clone()
        } else if !near.is_empty() && rng.chance(0.01) {
            near[rng.below(near.len())].clone()
        } else {
            uni[rng.below(uni.len())].clone()
        };
        Row {
            account: format!("ACC-{:04}", i % 997),
            isin: rng.chance(0.7),
            sedol: rng.chance(0.3),
            quantity: (1 + rng.below(100_000)) as f64,
            sec,
        }
    })
}

fn write_csv(path: &str, n: usize, share: f64) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
    w.write_record(COLUMNS)?;
    for r in rows(n, share) {
        let s = &r.sec;
        let mv = r.quantity * s.price;
        w.write_record([
            r.account.as_str(),
            &s.name,
            if r.isin { &s.isin } else { "" },
            &s.cusip,
            if r.sedol { &s.sedol } else { "" },
            &s.ticker,
            &s.exchange,
            &s.country,
            &r.quantity.to_string(),
            &format!("{:.2}", s.price),
            &format!("{mv:.2}"),
            &s.currency,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())?.flush()
}

fn write_xlsx(path: &str, n: usize, share: f64) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = if std::env::var_os("GEN_BOOK_SHARED_STRINGS").is_some() {
        wb.add_worksheet_with_low_memory()?
    } else {
        wb.add_worksheet_with_constant_memory()?
    }
    .set_name("Holdings")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows(n, share).enumerate() {
        let row = i as u32 + 1;
        let s = &r.sec;
        let texts = [
            (0, r.account.as_str()),
            (1, s.name.as_str()),
            (2, if r.isin { s.isin.as_str() } else { "" }),
            (3, s.cusip.as_str()),
            (4, if r.sedol { s.sedol.as_str() } else { "" }),
            (5, s.ticker.as_str()),
            (6, s.exchange.as_str()),
            (7, s.country.as_str()),
            (11, s.currency.as_str()),
        ];
        for (c, t) in texts {
            if !t.is_empty() {
                ws.write_string(row, c, t)?;
            }
        }
        ws.write_number(row, 8, r.quantity)?;
        ws.write_number(row, 9, s.price)?;
        ws.write_number(row, 10, (r.quantity * s.price * 100.0).round() / 100.0)?;
    }
    wb.save(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(stem), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: gen_book OUT_STEM ROWS [CMIC_SHARE]");
        std::process::exit(2);
    };
    let share: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0.004);
    write_csv(&format!("{stem}.csv"), n, share)?;
    write_xlsx(&format!("{stem}.xlsx"), n, share)?;
    Ok(())
}
