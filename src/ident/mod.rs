//! Security identifiers: ISIN, CUSIP, SEDOL check digits and ticker normalisation.

pub mod check;
pub mod ticker;

pub use check::{
    IdCheck, check_cusip, check_isin, check_sedol, cusip_from_isin, normalise_id, normalise_id_cow,
};
pub use ticker::{Market, MarketSource, TickerKey, market_from_country, market_from_exchange};
