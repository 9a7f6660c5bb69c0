//! holdscreen: screen investment holdings against OFAC's NS-CMIC list.
//!
//! Data flows one way:
//! read inputs ([`holdings`]) and the list ([`list`]; parsed lists and indexes are kept
//! between runs in [`cache`]) -> build an immutable [`index::ListIndex`] once -> resolve every row in parallel ([`resolve`]) ->
//! apply the dated rules ([`rules`]) -> a [`report::ScreenReport`] -> render it
//! ([`report::json`], [`report::xlsx`], [`report::terminal`]).
//!
//! The library never prints; the `holdscreen` binary does.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cache;
pub mod exceptions;
pub mod holdings;
pub mod ident;
pub mod index;
mod input_queues;
pub mod list;
pub mod lookthrough;
pub mod names;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod screen;
pub mod util;
