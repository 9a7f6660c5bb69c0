//! The dated NS-CMIC rules (EO 13959 as amended by EO 14032; 31 CFR part 586).
//!
//! For an entity listed on date L: purchases or sales are prohibited from the effective date
//! (L + 60 days; 2 Aug 2021 for the June-2021 annex), except sales solely to divest, which
//! are allowed until OFAC's "Purchase/Sales For Divestment Date" (L + 365 days; the window
//! closes at 12:01 a.m. ET that day, so the last day to divest is the day before). Holding
//! stays lawful (FAQ 1046). An entity listed after the as-of date did not exist yet.
//!
//! Every function takes the as-of date as an argument: nothing here reads the clock.

use chrono::{Days, NaiveDate};

use crate::list::CmicData;
use crate::report::{Status, Window};
use crate::resolve::Strength;

/// The dates of a listing, with OFAC's values or, where OFAC left one out, the statutory
/// offsets from the listing date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingDates {
    pub listing: Option<NaiveDate>,
    pub effective: Option<NaiveDate>,
    pub divestment: Option<NaiveDate>,
    /// True when a date had to be computed from the listing date.
    pub computed: bool,
}

impl ListingDates {
    pub fn of(cmic: Option<&CmicData>) -> ListingDates {
        let (listing, mut effective, mut divestment) = cmic
            .map(|c| (c.listing_date, c.effective_date, c.divestment_date))
            .unwrap_or((None, None, None));
        let mut computed = false;
        if let Some(l) = listing {
            if effective.is_none() {
                effective = l.checked_add_days(Days::new(60));
                computed = true;
            }
            if divestment.is_none() {
                divestment = l.checked_add_days(Days::new(365));
                computed = true;
            }
        }
        ListingDates {
            listing,
            effective,
            divestment,
            computed,
        }
    }
}

/// The verdict for one matched row on the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub window: Option<Window>,
    pub last_day_to_divest: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub action: String,
    /// Set when the entity was listed after the as-of date (so the row is clear).
    pub not_yet_listed: bool,
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Apply the rules to a row matched to a listed entity with some strength.
pub fn judge(dates: &ListingDates, strength: Strength, as_of: NaiveDate) -> Verdict {
    if let Some(l) = dates.listing
        && as_of < l
    {
        return Verdict {
            status: Status::Clear,
            window: None,
            last_day_to_divest: None,
            days_left: None,
            action: format!(
                "Not listed on the as-of date (listed {}): no restriction then.",
                ymd(l)
            ),
            not_yet_listed: true,
        };
    }
    let last_day = dates.divestment.and_then(|d| d.pred_opt());
    let window_open = dates.divestment.is_none_or(|d| as_of < d);
    let days_left = dates
        .divestment
        .filter(|_| window_open)
        .map(|d| (d - as_of).num_days());
    if strength == Strength::Weak {
        return Verdict {
            status: Status::Review,
            window: None,
            last_day_to_divest: last_day,
            days_left: None,
            action: "Possible match: confirm or dismiss it with the identifiers (ISIN, exchange ticker), and record the decision.".into(),
            not_yet_listed: false,
        };
    }
    let window = Some(if window_open {
        Window::Open
    } else {
        Window::Closed
    });
    let in_effect = dates.effective.is_none_or(|e| as_of >= e);
    let divest_text = match (last_day, dates.divestment) {
        (Some(last), Some(d)) => format!(
            "sales solely to divest allowed until {} (the window closes 12:01 a.m. ET on {})",
            ymd(last),
            ymd(d)
        ),
        _ => "sales solely to divest allowed until the divestment date".into(),
    };
    let days_text = days_left
        .map(|n| format!("; {n} days left"))
        .unwrap_or_default();
    let (status, action) = if !in_effect {
        let eff = dates.effective.map(ymd).unwrap_or_default();
        (
            Status::Pending,
            format!(
                "Listed; prohibition takes effect on {eff}: no purchases from that date; {divest_text}{days_text}."
            ),
        )
    } else if window_open {
        (
            Status::Prohibited,
            format!("Do not buy. Holding is lawful; {divest_text}{days_text}."),
        )
    } else {
        (
            Status::Prohibited,
            format!(
                "Do not buy or sell: the divestment window closed on {}. Holding is lawful (FAQ 1046); any purchase or sale needs an OFAC licence.",
                dates.divestment.map(ymd).unwrap_or_default()
            ),
        )
    };
    Verdict {
        status,
        window,
        last_day_to_divest: last_day,
        days_left,
        action,
        not_yet_listed: false,
    }
}

/// The side of an order, as far as the NS-CMIC rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A purchase that opens or adds to a long position.
    Buy,
    /// A sale of a long position.
    Sell,
    /// A short sale: opens a position, so never a divestment.
    Short,
    /// A purchase that closes a short position.
    Cover,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
            Side::Short => "short",
            Side::Cover => "cover",
        }
    }
}

/// Read a side as order-management systems and brokers write it: BUY/SELL, B/S, SS, BC,
/// "Sell Short", "Buy to Cover", FIX tag 54 codes (1 buy, 2 sell, 5/6 sell short)...
pub fn parse_side(raw: &str) -> Option<Side> {
    let s: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    Some(match s.as_str() {
        "B" | "BY" | "BUY" | "BOT" | "BOUGHT" | "PURCHASE" | "P" | "BUYTOOPEN" | "BTO" | "BL"
        | "BUYLONG" | "LONG" | "1" => Side::Buy,
        "S" | "SL" | "SELL" | "SLD" | "SOLD" | "SALE" | "SELLTOCLOSE" | "STC" | "SELLLONG"
        | "2" => Side::Sell,
        "SS" | "SHORT" | "SELLSHORT" | "SHORTSELL" | "SHORTSALE" | "SELLTOOPEN" | "STO" | "SSE"
        | "SELLSHORTEXEMPT" | "5" | "6" => Side::Short,
        "BC" | "COVER" | "BUYTOCOVER" | "BUYCOVER" | "BTC" | "BUYTOCLOSE" | "CV" | "CVR"
        | "COVERSHORT" => Side::Cover,
        _ => return None,
    })
}

/// The verdict for one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeVerdict {
    pub status: Status,
    /// The rule that decided, in words.
    pub rule: String,
    pub window: Option<Window>,
    pub last_day_to_divest: Option<NaiveDate>,
    pub days_left: Option<i64>,
}

/// Judge an order in a security of a listed entity on its trade date (compliance is judged
/// on the trade date, not the settlement date).
pub fn judge_trade(
    dates: &ListingDates,
    strength: Strength,
    side: Side,
    trade_date: NaiveDate,
) -> TradeVerdict {
    let held = judge(dates, strength, trade_date);
    let mut v = TradeVerdict {
        status: Status::Allowed,
        rule: String::new(),
        window: held.window,
        last_day_to_divest: held.last_day_to_divest,
        days_left: held.days_left,
    };
    let eff = dates.effective.map(ymd).unwrap_or_else(|| "?".into());
    let div = dates.divestment.map(ymd).unwrap_or_else(|| "?".into());
    match held.status {
        Status::Review => {
            v.status = Status::Review;
            v.rule = "possible match: confirm or dismiss it before the order goes out".into();
        }
        Status::Clear => {
            v.status = Status::Allowed;
            v.rule = format!(
                "trade date {} is before the listing date {}",
                ymd(trade_date),
                dates.listing.map(ymd).unwrap_or_default()
            );
        }
        Status::Pending => {
            v.status = Status::Allowed;
            v.rule = format!(
                "trade date {} is before the prohibition's effective date {eff}",
                ymd(trade_date)
            );
        }
        _ => {
            let open = held.window == Some(Window::Open);
            let (status, rule) = match (side, open) {
                (Side::Buy, _) => (
                    Status::Blocked,
                    format!("purchase on or after the effective date {eff}"),
                ),
                (Side::Short, _) => (
                    Status::Blocked,
                    format!(
                        "short sale on or after the effective date {eff}: it opens a position, it does not divest"
                    ),
                ),
                (Side::Sell | Side::Cover, true) => (
                    Status::DivestOnly,
                    format!(
                        "{} inside the divestment window (until {}, closes {div}): lawful only if made solely to divest",
                        if side == Side::Sell {
                            "sale"
                        } else {
                            "purchase to cover a short"
                        },
                        held.last_day_to_divest.map(ymd).unwrap_or_default()
                    ),
                ),
                (Side::Sell | Side::Cover, false) => (
                    Status::Blocked,
                    format!(
                        "{} on or after the divestment date {div}: needs an OFAC licence",
                        if side == Side::Sell {
                            "sale"
                        } else {
                            "purchase to cover"
                        }
                    ),
                ),
            };
            v.status = status;
            v.rule = rule;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dates(l: &str, e: &str, v: &str) -> ListingDates {
        ListingDates {
            listing: Some(d(l)),
            effective: Some(d(e)),
            divestment: Some(d(v)),
            computed: false,
        }
    }

    /// June-2021 annex cohort and December-2021 cohort, at every boundary.
    #[test]
    fn cohorts_at_boundaries() {
        let june = dates("2021-06-03", "2021-08-02", "2022-06-03");
        let dec = dates("2021-12-16", "2022-02-14", "2022-12-16");
        let cases = [
            (&june, "2021-06-02", Status::Clear, None),
            (&june, "2021-06-03", Status::Pending, Some(Window::Open)),
            (&june, "2021-08-01", Status::Pending, Some(Window::Open)),
            (&june, "2021-08-02", Status::Prohibited, Some(Window::Open)),
            (&june, "2022-06-02", Status::Prohibited, Some(Window::Open)),
            (
                &june,
                "2022-06-03",
                Status::Prohibited,
                Some(Window::Closed),
            ),
            (
                &june,
                "2026-11-22",
                Status::Prohibited,
                Some(Window::Closed),
            ),
            (&dec, "2021-12-15", Status::Clear, None),
            (&dec, "2021-12-16", Status::Pending, Some(Window::Open)),
            (&dec, "2022-02-13", Status::Pending, Some(Window::Open)),
            (&dec, "2022-02-14", Status::Prohibited, Some(Window::Open)),
            (&dec, "2022-12-15", Status::Prohibited, Some(Window::Open)),
            (&dec, "2022-12-16", Status::Prohibited, Some(Window::Closed)),
        ];
        for (dates, as_of, status, window) in cases {
            let v = judge(dates, Strength::Strong, d(as_of));
            assert_eq!((v.status, v.window), (status, window), "as of {as_of}");
        }
    }

    #[test]
    fn deadlines_and_days_left() {
        let june = dates("2021-06-03", "2021-08-02", "2022-06-03");
        let v = judge(&june, Strength::Strong, d("2022-06-01"));
        assert_eq!(v.last_day_to_divest, Some(d("2022-06-02")));
        assert_eq!(v.days_left, Some(2));
        assert!(v.action.contains("2022-06-02"), "{}", v.action);
        let closed = judge(&june, Strength::Strong, d("2023-01-01"));
        assert_eq!(closed.days_left, None);
        assert!(closed.action.contains("licence"));
    }

    #[test]
    fn weak_evidence_is_review_and_dates_still_apply() {
        let june = dates("2021-06-03", "2021-08-02", "2022-06-03");
        assert_eq!(
            judge(&june, Strength::Weak, d("2024-01-01")).status,
            Status::Review
        );
        assert_eq!(
            judge(&june, Strength::Weak, d("2021-01-01")).status,
            Status::Clear
        );
    }

    #[test]
    fn missing_dates_are_computed_from_listing() {
        let c = CmicData {
            listing_date: Some(d("2021-12-16")),
            ..CmicData::default()
        };
        let ld = ListingDates::of(Some(&c));
        assert_eq!(ld.effective, Some(d("2022-02-14")));
        assert_eq!(ld.divestment, Some(d("2022-12-16")));
        assert!(ld.computed);
    }

    #[test]
    fn vendor_side_spellings() {
        for (raw, side) in [
            ("BUY", Side::Buy),
            ("b", Side::Buy),
            ("Bought", Side::Buy),
            ("1", Side::Buy),
            ("SELL", Side::Sell),
            ("S", Side::Sell),
            ("Sld", Side::Sell),
            ("2", Side::Sell),
            ("SS", Side::Short),
            ("Sell Short", Side::Short),
            ("short", Side::Short),
            ("5", Side::Short),
            ("BC", Side::Cover),
            ("Buy to Cover", Side::Cover),
            ("COVER", Side::Cover),
        ] {
            assert_eq!(parse_side(raw), Some(side), "{raw}");
        }
        assert_eq!(parse_side("HOLD"), None);
        assert_eq!(parse_side(""), None);
    }

    /// Every trade status at the boundaries of both cohorts: the day before and the day of
    /// the effective date and of the divestment date.
    #[test]
    fn trades_at_boundaries() {
        use Side::*;
        let june = dates("2021-06-03", "2021-08-02", "2022-06-03");
        let dec = dates("2021-12-16", "2022-02-14", "2022-12-16");
        let cases = [
            (&june, "2021-06-02", Buy, Status::Allowed),
            (&june, "2021-08-01", Buy, Status::Allowed),
            (&june, "2021-08-02", Buy, Status::Blocked),
            (&june, "2021-08-01", Sell, Status::Allowed),
            (&june, "2021-08-02", Sell, Status::DivestOnly),
            (&june, "2021-08-02", Short, Status::Blocked),
            (&june, "2021-08-02", Cover, Status::DivestOnly),
            (&june, "2022-06-02", Sell, Status::DivestOnly),
            (&june, "2022-06-03", Sell, Status::Blocked),
            (&june, "2022-06-03", Cover, Status::Blocked),
            (&dec, "2022-02-13", Buy, Status::Allowed),
            (&dec, "2022-02-14", Buy, Status::Blocked),
            (&dec, "2022-02-13", Sell, Status::Allowed),
            (&dec, "2022-02-14", Sell, Status::DivestOnly),
            (&dec, "2022-12-15", Sell, Status::DivestOnly),
            (&dec, "2022-12-16", Sell, Status::Blocked),
        ];
        for (dates, day, side, want) in cases {
            let v = judge_trade(dates, Strength::Strong, side, d(day));
            assert_eq!(v.status, want, "{side:?} on {day}: {}", v.rule);
            assert!(!v.rule.is_empty());
        }
        let weak = judge_trade(&june, Strength::Weak, Buy, d("2023-01-01"));
        assert_eq!(weak.status, Status::Review);
    }
}
