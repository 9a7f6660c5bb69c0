//! Writes the bundled sample holdings under `samples/`: a multi-sheet workbook laid out
//! like a fund administrator's export and a custodian's CSV statement.
//!
//! `cargo run --example make_samples` (the files are committed; run it again only to
//! change them). The positions mix NS-CMIC issuers in several notations (ISIN, Bloomberg,
//! RIC and Yahoo tickers, CUSIPs of ADRs, bare codes with an exchange column, names
//! only), look-alikes that are not on the list, a mistyped ISIN, a CUSIP whose leading
//! zero Excel dropped, a row with nothing to screen, totals and footnotes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

enum V {
    S(&'static str),
    N(f64),
    E,
}
use V::{E, N, S};

fn put(ws: &mut Worksheet, row: u32, cells: &[V], bold: &Format) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        let c = c as u16;
        match v {
            S(s) if row == u32::MAX => {
                ws.write_string_with_format(row, c, *s, bold)?;
            }
            S(s) => {
                ws.write_string(row, c, *s)?;
            }
            N(n) => {
                ws.write_number(row, c, *n)?;
            }
            E => {}
        }
    }
    Ok(())
}

fn header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *n, bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    Ok(())
}

fn workbook() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 10, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();

    let readme = wb.add_worksheet().set_name("Read me")?;
    readme.write_string(
        0,
        0,
        "Example Asia Opportunities Fund: quarterly holdings pack",
    )?;
    readme.write_string(
        1,
        0,
        "Prepared by the fund administrator for the Q3 2025 portfolio review.",
    )?;
    readme.write_string(
        2,
        0,
        "Sheets: Asia Equity (local listings), US Listings (ADRs and USD bonds), Notes.",
    )?;

    let asia = wb.add_worksheet().set_name("Asia Equity")?;
    asia.write_string(0, 0, "Example Asia Opportunities Fund")?;
    asia.write_string(1, 0, "Holdings as of 30 September 2025 (unaudited)")?;
    header(
        asia,
        3,
        &[
            "Portfolio",
            "Security Description",
            "ISIN",
            "Bloomberg Ticker",
            "Exchange",
            "Country",
            "Shares",
            "Price",
            "Market Value",
            "Currency",
        ],
        &bold,
    )?;
    let rows: &[&[V]] = &[
        &[
            S("ASIA-01"),
            S("CHINA MOBILE LTD"),
            S("HK0941009539"),
            S("941 HK Equity"),
            S("HKEX"),
            S("HK"),
            N(120000.0),
            N(84.15),
            N(10098000.0),
            S("HKD"),
        ],
        &[
            S("ASIA-01"),
            S("China Telecom Corp Ltd-H"),
            S("CNE1000002V2"),
            S("728 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(2400000.0),
            N(4.71),
            N(11304000.0),
            S("HKD"),
        ],
        // Excel turned the Shenzhen code 002415 into the number 2415.
        &[
            S("ASIA-01"),
            S("HANGZHOU HIKVISION DIGITAL-A"),
            E,
            N(2415.0),
            S("Shenzhen Stock Exchange"),
            S("CN"),
            N(300000.0),
            N(29.9),
            N(8970000.0),
            S("CNY"),
        ],
        &[
            S("ASIA-01"),
            S("SEMICONDUCTOR MANUFACTURING"),
            E,
            S("981 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(500000.0),
            N(61.2),
            N(30600000.0),
            S("HKD"),
        ],
        &[
            S("ASIA-01"),
            S("Dawning Information Industry Co Ltd-A"),
            S("CNE100001TW7"),
            S("603019 CH Equity"),
            S("XSHG"),
            S("CN"),
            N(80000.0),
            N(71.3),
            N(5704000.0),
            S("CNY"),
        ],
        // Mistyped ISIN (check digit); the ticker still identifies Meiya Pico.
        &[
            S("ASIA-01"),
            S("XIAMEN MEIYA PICO INFORMATION-A"),
            S("CNE100001121"),
            S("300188 CH Equity"),
            S("XSHE"),
            S("CN"),
            N(150000.0),
            N(17.05),
            N(2557500.0),
            S("CNY"),
        ],
        &[
            S("ASIA-01"),
            S("TENCENT HOLDINGS LTD"),
            S("KYG875721634"),
            S("700 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(40000.0),
            N(462.0),
            N(18480000.0),
            S("HKD"),
        ],
        &[
            S("ASIA-01"),
            S("ALIBABA GROUP HOLDING LTD"),
            S("KYG017191142"),
            S("9988 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(90000.0),
            N(138.5),
            N(12465000.0),
            S("HKD"),
        ],
        // Look-alikes of listed issuers that are not on the list.
        &[
            S("ASIA-01"),
            S("CHINA RAILWAY GROUP LTD-H"),
            S("CNE1000007Z2"),
            S("390 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(700000.0),
            N(3.95),
            N(2765000.0),
            S("HKD"),
        ],
        &[
            S("ASIA-01"),
            S("CHINA CONSTRUCTION BANK-H"),
            S("CNE1000002H1"),
            S("939 HK Equity"),
            S("HKEX"),
            S("CN"),
            N(1500000.0),
            N(7.2),
            N(10800000.0),
            S("HKD"),
        ],
        &[
            S("ASIA-01"),
            S("TAIWAN SEMICONDUCTOR MANUFAC"),
            S("TW0002330008"),
            S("2330 TT Equity"),
            S("XTAI"),
            S("TW"),
            N(60000.0),
            N(1295.0),
            N(77700000.0),
            S("TWD"),
        ],
        // A subsidiary of a listed group: not listed itself, a reviewer decides.
        &[
            S("ASIA-01"),
            S("OFFSHORE OIL ENGINEERING-A"),
            E,
            S("600583 CH Equity"),
            S("XSHG"),
            S("CN"),
            N(900000.0),
            N(5.1),
            N(4590000.0),
            S("CNY"),
        ],
        // A line the administrator left half-filled: nothing to screen.
        &[
            S("ASIA-01"),
            E,
            E,
            E,
            E,
            E,
            N(5000.0),
            E,
            N(25000.0),
            S("HKD"),
        ],
        &[S("Total"), E, E, E, E, E, E, E, N(190548500.0), E],
    ];
    for (i, r) in rows.iter().enumerate() {
        put(asia, 4 + i as u32, r, &bold)?;
    }
    asia.write_string(
        4 + rows.len() as u32 + 1,
        0,
        "Source: Example Fund Services. Holdings are subject to change and are not a recommendation.",
    )?;

    let us = wb.add_worksheet().set_name("US Listings")?;
    header(
        us,
        0,
        &[
            "Account",
            "CUSIP",
            "Symbol",
            "Description",
            "Quantity",
            "Market Value (USD)",
        ],
        &bold,
    )?;
    let rows: &[&[V]] = &[
        &[
            S("US-02"),
            S("16941M109"),
            S("CHL"),
            S("China Mobile Ltd Sponsored ADR"),
            N(25000.0),
            N(1250000.0),
        ],
        &[
            S("US-02"),
            S("169426103"),
            S("CHA"),
            S("China Telecom Corp Ltd ADR"),
            N(12000.0),
            N(540000.0),
        ],
        // Apple's CUSIP 037833100 stored as a number: the leading zero is gone.
        &[
            S("US-02"),
            N(37833100.0),
            S("AAPL"),
            S("Apple Inc"),
            N(4000.0),
            N(1016000.0),
        ],
        &[
            S("US-02"),
            S("594918104"),
            S("MSFT"),
            S("Microsoft Corp"),
            N(2500.0),
            N(1295000.0),
        ],
        &[
            S("US-02"),
            E,
            E,
            S("PROVEN HONOUR CAPITAL LTD 4.125% 05/06/2026"),
            N(2000000.0),
            N(1984000.0),
        ],
        &[S("US-02"), E, E, S("CNOOC Ltd"), N(10000.0), N(23000.0)],
        &[
            S("US-02"),
            S("01609W102"),
            S("BABA"),
            S("Alibaba Group Holding Ltd ADR"),
            N(8000.0),
            N(1430000.0),
        ],
    ];
    for (i, r) in rows.iter().enumerate() {
        put(us, 1 + i as u32, r, &bold)?;
    }

    // The bulk of the book: developed and emerging large caps held across several accounts.
    let global = wb.add_worksheet().set_name("Global Equity")?;
    header(
        global,
        0,
        &[
            "Account",
            "Security Name",
            "ISIN",
            "Ticker",
            "Currency",
            "Quantity",
            "Price",
            "Market Value",
        ],
        &bold,
    )?;
    let mut row = 1u32;
    for (a, account) in ["GLB-01", "GLB-02", "GLB-03", "GLB-04", "GLB-05", "GLB-06"]
        .iter()
        .enumerate()
    {
        for (i, (name, isin, ticker, ccy, price)) in GLOBAL.iter().enumerate() {
            assert!(
                holdscreen::ident::check_isin(isin).is_valid(),
                "sample ISIN {isin} must check"
            );
            // Not every account holds everything.
            if (i + a) % 7 == 3 {
                continue;
            }
            let qty = (((i * 37 + a * 101) % 90) + 10) as f64 * 100.0;
            global.write_string(row, 0, *account)?;
            global.write_string(row, 1, *name)?;
            global.write_string(row, 2, *isin)?;
            global.write_string(row, 3, *ticker)?;
            global.write_string(row, 4, *ccy)?;
            global.write_number(row, 5, qty)?;
            global.write_number(row, 6, *price)?;
            global.write_number(row, 7, (qty * price * 100.0).round() / 100.0)?;
            row += 1;
        }
    }

    let notes = wb.add_worksheet().set_name("Notes")?;
    notes.write_string(0, 0, "Notes")?;
    notes.write_string(
        1,
        0,
        "1. Prices are closing prices on 30 September 2025 in the trading currency.",
    )?;
    notes.write_string(
        2,
        0,
        "2. The unnamed line in Asia Equity is a pending corporate action being researched.",
    )?;

    wb.save_to_buffer()
}

/// Name, ISIN, Bloomberg ticker, currency, price: none of them on the NS-CMIC list.
const GLOBAL: &[(&str, &str, &str, &str, f64)] = &[
    ("APPLE INC", "US0378331005", "AAPL US Equity", "USD", 254.6),
    (
        "MICROSOFT CORP",
        "US5949181045",
        "MSFT US Equity",
        "USD",
        517.9,
    ),
    (
        "AMAZON.COM INC",
        "US0231351067",
        "AMZN US Equity",
        "USD",
        219.6,
    ),
    (
        "NVIDIA CORP",
        "US67066G1040",
        "NVDA US Equity",
        "USD",
        186.6,
    ),
    (
        "ALPHABET INC-CL A",
        "US02079K3059",
        "GOOGL US Equity",
        "USD",
        243.1,
    ),
    (
        "META PLATFORMS INC-CLASS A",
        "US30303M1027",
        "META US Equity",
        "USD",
        734.4,
    ),
    ("TESLA INC", "US88160R1014", "TSLA US Equity", "USD", 444.7),
    (
        "JPMORGAN CHASE & CO",
        "US46625H1005",
        "JPM US Equity",
        "USD",
        315.4,
    ),
    (
        "JOHNSON & JOHNSON",
        "US4781601046",
        "JNJ US Equity",
        "USD",
        185.4,
    ),
    (
        "VISA INC-CLASS A SHARES",
        "US92826C8394",
        "V US Equity",
        "USD",
        341.4,
    ),
    (
        "PROCTER & GAMBLE CO/THE",
        "US7427181091",
        "PG US Equity",
        "USD",
        153.7,
    ),
    (
        "EXXON MOBIL CORP",
        "US30231G1022",
        "XOM US Equity",
        "USD",
        112.8,
    ),
    (
        "BOEING CO/THE",
        "US0970231058",
        "BA US Equity",
        "USD",
        215.8,
    ),
    (
        "NESTLE SA-REG",
        "CH0038863350",
        "NESN SW Equity",
        "CHF",
        73.1,
    ),
    (
        "NOVARTIS AG-REG",
        "CH0012005267",
        "NOVN SW Equity",
        "CHF",
        99.8,
    ),
    (
        "ROCHE HOLDING AG-GENUSSCHEIN",
        "CH0012032048",
        "ROG SW Equity",
        "CHF",
        259.7,
    ),
    (
        "ASML HOLDING NV",
        "NL0010273215",
        "ASML NA Equity",
        "EUR",
        826.3,
    ),
    ("AIRBUS SE", "NL0000235190", "AIR FP Equity", "EUR", 197.2),
    (
        "LVMH MOET HENNESSY LOUIS VUI",
        "FR0000121014",
        "MC FP Equity",
        "EUR",
        521.4,
    ),
    (
        "TOTALENERGIES SE",
        "FR0000120271",
        "TTE FP Equity",
        "EUR",
        51.9,
    ),
    ("SAP SE", "DE0007164600", "SAP GY Equity", "EUR", 227.6),
    (
        "SIEMENS AG-REG",
        "DE0007236101",
        "SIE GY Equity",
        "EUR",
        229.5,
    ),
    (
        "HSBC HOLDINGS PLC",
        "GB0005405286",
        "HSBA LN Equity",
        "GBP",
        10.5,
    ),
    (
        "ASTRAZENECA PLC",
        "GB0009895292",
        "AZN LN Equity",
        "GBP",
        112.1,
    ),
    ("SHELL PLC", "GB00BP6MXD84", "SHEL LN Equity", "GBP", 26.4),
    (
        "TOYOTA MOTOR CORP",
        "JP3633400001",
        "7203 JP Equity",
        "JPY",
        2840.0,
    ),
    (
        "SONY GROUP CORP",
        "JP3435000009",
        "6758 JP Equity",
        "JPY",
        4270.0,
    ),
    (
        "SAMSUNG ELECTRONICS CO LTD",
        "KR7005930003",
        "005930 KS Equity",
        "KRW",
        83900.0,
    ),
    (
        "TAIWAN SEMICONDUCTOR MANUFAC",
        "TW0002330008",
        "2330 TT Equity",
        "TWD",
        1295.0,
    ),
    (
        "TENCENT HOLDINGS LTD",
        "KYG875721634",
        "700 HK Equity",
        "HKD",
        662.0,
    ),
    (
        "ALIBABA GROUP HOLDING LTD",
        "KYG017191142",
        "9988 HK Equity",
        "HKD",
        174.6,
    ),
    (
        "PING AN INSURANCE GROUP CO-H",
        "CNE1000003X6",
        "2318 HK Equity",
        "HKD",
        52.8,
    ),
    (
        "CHINA CONSTRUCTION BANK-H",
        "CNE1000002H1",
        "939 HK Equity",
        "HKD",
        7.6,
    ),
    (
        "IND & COMM BK OF CHINA-H",
        "CNE1000003G1",
        "1398 HK Equity",
        "HKD",
        5.9,
    ),
    (
        "PETROCHINA CO LTD-H",
        "CNE1000003W8",
        "857 HK Equity",
        "HKD",
        7.0,
    ),
    (
        "KWEICHOW MOUTAI CO LTD-A",
        "CNE0000018R8",
        "600519 CH Equity",
        "CNY",
        1440.0,
    ),
    (
        "CHINA MERCHANTS BANK-H",
        "CNE1000002M1",
        "3968 HK Equity",
        "HKD",
        48.8,
    ),
    (
        "HDFC BANK LIMITED",
        "INE040A01034",
        "HDFCB IN Equity",
        "INR",
        951.0,
    ),
    (
        "RELIANCE INDUSTRIES LTD",
        "INE002A01018",
        "RELIANCE IN Equity",
        "INR",
        1368.0,
    ),
    ("VALE SA", "BRVALEACNOR0", "VALE3 BZ Equity", "BRL", 57.3),
];

const CSV: &str = "\
Custodian position statement,,,,,,,
Account EM-07 - Emerging Markets Mandate,,,,,,,
Statement date: 2025-09-30,,,,,,,
Account,Security Name,Ticker (RIC),ISIN,SEDOL,Quantity,Market Value,Currency
EM-07,China Spacesat Co Ltd-A,600118.SS,CNE000000SM3,,\"10,000\",\"150,000.00\",CNY
EM-07,NetPosa Technologies Ltd-A,300367.SZ,,,\"250,000\",\"1,087,500.00\",CNY
EM-07,Leon Technology Co Ltd-A,300603.SZ,CNE100002Q17,,\"40,000\",\"412,000.00\",CNY
EM-07,China Shipbuilding Industry Co Ltd-A,601989.SS,,,\"1,200,000\",\"5,400,000.00\",CNY
EM-07,Sugon Information Industry Co Ltd,,,,\"5,000\",\"356,500.00\",CNY
EM-07,Megvii Technology Ltd (pre-IPO),,,,\"30,000\",\"600,000.00\",USD
EM-07,Kweichow Moutai Co Ltd-A,600519.SS,CNE0000018R8,,\"1,500\",\"2,160,000.00\",CNY
EM-07,Ping An Insurance Group Co-H,2318.HK,CNE1000003X6,,\"200,000\",\"10,660,000.00\",HKD
EM-07,HSBC Holdings PLC,0005.HK,GB0005405286,0540528,\"50,000\",\"4,900,000.00\",HKD
EM-07,China Merchants Bank Co Ltd-H,3968.HK,CNE1000002M1,,\"100,000\",\"4,300,000.00\",HKD
EM-07,Unknown security,,,,lots,,USD
Total,,,,,,\"29,926,000.00\",
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/holdings");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("holdings-2025q3.xlsx"), workbook()?)?;
    std::fs::write(dir.join("custodian-em07-2025-09-30.csv"), CSV)?;
    println!("wrote {}", dir.display());
    Ok(())
}
