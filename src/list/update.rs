//! `holdscreen list update --dir DIR`: fetch the current consolidated list from OFAC's
//! Sanctions List Service and keep it as `DIR/current`, never replacing a good copy with a
//! bad one.
//!
//! The files are downloaded into a temporary folder inside DIR, checked (they must parse as
//! an OFAC CSV set holding NS-CMIC entries), dated (`LIST_DATE`: the fetch date) and
//! recorded (`FETCHED.json`: fetch time, URLs, SHA-256 and sizes). Only then is the old
//! `current` moved to `previous` and the new folder renamed to `current`. A failed or partial
//! download leaves DIR as it was.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::load::load_csv_dir;
use super::{ListError, ListKind};
use crate::util::sha256_hex;

/// OFAC's Sanctions List Service exports.
pub const DEFAULT_BASE_URL: &str =
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";

/// The consolidated (non-SDN) CSV set, where NS-CMIC lives.
pub const CONSOLIDATED_FILES: [&str; 4] = [
    "CONS_PRIM.CSV",
    "CONS_ALT.CSV",
    "CONS_ADD.CSV",
    "CONS_COMMENTS.CSV",
];

/// Largest file accepted (OFAC's files are a few MB).
const MAX_BYTES: u64 = 200 * 1024 * 1024;

/// One fetched file, as recorded in `FETCHED.json`.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedFile {
    pub name: String,
    pub url: String,
    pub sha256: String,
    pub bytes: u64,
}

/// What an update did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    pub dir: String,
    pub fetched_at: DateTime<Utc>,
    pub files: Vec<FetchedFile>,
    pub entries: usize,
    pub cmic_entries: usize,
    /// Where the copy it replaced was kept, if there was one.
    pub previous: Option<String>,
}

/// Why an update failed. The local copy is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{url}: {message}; the local copy was not changed")]
    Fetch { url: String, message: String },
    #[error("the downloaded files are not a usable list ({0}); the local copy was not changed")]
    Invalid(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

fn io(path: &Path, e: std::io::Error) -> UpdateError {
    UpdateError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Fetch the consolidated list into `dir/current`.
pub fn update(dir: &Path, base_url: &str, now: DateTime<Utc>) -> Result<UpdateReport, UpdateError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let incoming = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempdir_in(dir)
        .map_err(|e| io(dir, e))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let base = if base_url.ends_with('/') {
        base_url.to_string()
    } else {
        format!("{base_url}/")
    };
    let mut files = Vec::new();
    for name in CONSOLIDATED_FILES {
        let url = format!("{base}{name}");
        let fail = |message: String| UpdateError::Fetch {
            url: url.clone(),
            message,
        };
        let mut resp = agent.get(&url).call().map_err(|e| fail(e.to_string()))?;
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(MAX_BYTES)
            .read_to_vec()
            .map_err(|e| fail(format!("download broke off: {e}")))?;
        if bytes.is_empty() {
            return Err(fail("the file is empty".into()));
        }
        let path = incoming.path().join(name);
        std::fs::write(&path, &bytes).map_err(|e| io(&path, e))?;
        files.push(FetchedFile {
            name: name.to_string(),
            url,
            sha256: sha256_hex(&bytes),
            bytes: bytes.len() as u64,
        });
    }
    let date_path = incoming.path().join("LIST_DATE");
    std::fs::write(&date_path, format!("{}\n", now.date_naive())).map_err(|e| io(&date_path, e))?;

    // The set must parse, and hold NS-CMIC entries.
    let snapshot = load_csv_dir(incoming.path(), ListKind::Consolidated)
        .map_err(|e: ListError| UpdateError::Invalid(e.to_string()))?;
    let cmic_entries = snapshot.cmic_entries().count();
    if cmic_entries == 0 {
        return Err(UpdateError::Invalid(format!(
            "{} entries but none in the CMIC-EO13959 program",
            snapshot.entries.len()
        )));
    }
    let manifest = serde_json::json!({
        "fetched_at": now,
        "base_url": base,
        "files": files,
        "entries": snapshot.entries.len(),
        "cmic_entries": cmic_entries,
    });
    let manifest_path = incoming.path().join("FETCHED.json");
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    )
    .map_err(|e| io(&manifest_path, e))?;

    // Swap: current -> previous, incoming -> current.
    let current = dir.join("current");
    let previous = dir.join("previous");
    let mut kept = None;
    if current.exists() {
        if previous.exists() {
            std::fs::remove_dir_all(&previous).map_err(|e| io(&previous, e))?;
        }
        std::fs::rename(&current, &previous).map_err(|e| io(&current, e))?;
        kept = Some(previous.display().to_string());
    }
    let incoming_path: PathBuf = incoming.keep();
    if let Err(e) = std::fs::rename(&incoming_path, &current) {
        // Put the old copy back.
        if kept.is_some() {
            let _ = std::fs::rename(&previous, &current);
        }
        let _ = std::fs::remove_dir_all(&incoming_path);
        return Err(io(&current, e));
    }
    Ok(UpdateReport {
        dir: current.display().to_string(),
        fetched_at: now,
        files,
        entries: snapshot.entries.len(),
        cmic_entries,
        previous: kept,
    })
}
