//! `list update`: fetch the current consolidated (non-SDN) list from OFAC's Sanctions List
//! Service into a local folder, safely.
//!
//! Layout of the folder `DIR`:
//!
//! * `DIR/current/`: the last good copy (`CONS_PRIM.CSV`, `CONS_ALT.CSV`, `CONS_ADD.CSV`,
//!   `CONS_COMMENTS.CSV`, optionally `CONSOLIDATED.XML`) and `FETCHED.json`, the manifest
//!   (fetch time, URL, SHA-256 and size of each file). `--list DIR/current` reads it.
//! * `DIR/.incoming-*`: a download in progress (removed when it fails).
//! * `DIR/previous/`: the copy the last update that changed anything replaced, for
//!   `list diff DIR/previous DIR/current`;
//! * `DIR/.previous`: the copy being replaced, for the instant of the swap.
//!
//! Every file is downloaded into a fresh folder inside `DIR`; each must arrive whole
//! (HTTP 200, the full `Content-Length`, ending in a complete line), the set must parse with
//! the same reader as `--list` and hold NS-CMIC entries. Only then does the new folder
//! replace `DIR/current` (two renames; a failed second rename puts the old copy back, and a
//! later run restores `.previous` if a crash came between them). Anything less leaves the
//! current copy untouched, byte for byte.
//!
//! Each file's modification time is set to the server's `Last-Modified`, when sent, so the
//! CSV set (which carries no date of its own) is dated by its publication rather than by
//! the download.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::load::{load_csv_dir, load_xml};
use super::{CMIC_PROGRAM, ListKind};
use crate::util::sha256_hex;

/// OFAC's Sanctions List Service exports (the official download location).
pub const DEFAULT_BASE_URL: &str =
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";

/// The consolidated CSV set, as the service names it.
pub const CSV_FILES: [&str; 4] = [
    "CONS_PRIM.CSV",
    "CONS_ALT.CSV",
    "CONS_ADD.CSV",
    "CONS_COMMENTS.CSV",
];

/// The classic XML of the consolidated list (carries a Publish_Date).
pub const XML_FILE: &str = "CONSOLIDATED.XML";

/// The folder inside `DIR` that holds the good copy.
pub const CURRENT: &str = "current";

/// The manifest written beside the files.
pub const MANIFEST: &str = "FETCHED.json";

/// The folder inside `DIR` that keeps the copy replaced by the last changing update.
pub const PREVIOUS: &str = "previous";

/// The copy being replaced, during the swap.
const SWAP: &str = ".previous";

/// Largest file accepted (the consolidated XML is about 1 MB today).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What to fetch, from where, into where.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub dir: PathBuf,
    /// Base URL; the file names are appended (a `/` is added when missing).
    pub base_url: String,
    /// Also fetch CONSOLIDATED.XML.
    pub include_xml: bool,
    /// Time allowed for each file, connection included.
    pub timeout: Duration,
}

impl UpdateOptions {
    pub fn new(dir: impl Into<PathBuf>) -> UpdateOptions {
        UpdateOptions {
            dir: dir.into(),
            base_url: DEFAULT_BASE_URL.to_string(),
            include_xml: false,
            timeout: Duration::from_secs(300),
        }
    }
}

/// One fetched file, as recorded in `FETCHED.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedFile {
    pub name: String,
    pub url: String,
    pub sha256: String,
    pub bytes: u64,
    /// The server's `Last-Modified` header, as sent.
    pub last_modified: Option<String>,
}

/// `FETCHED.json`: what was fetched, when and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// When the download finished (UTC).
    pub fetched_at: DateTime<Utc>,
    pub base_url: String,
    pub files: Vec<FetchedFile>,
    /// Entries in the CSV set.
    pub entries: usize,
    /// CMIC-EO13959 entries in the CSV set.
    pub cmic_entries: usize,
    /// The program that fetched it.
    pub fetched_by: String,
}

/// The result of a successful update.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateOutcome {
    /// `DIR/current`.
    pub current: PathBuf,
    pub manifest: Manifest,
    /// The manifest of the copy that was replaced, if there was one.
    pub previous: Option<Manifest>,
    /// False when every file has the same SHA-256 as the copy it replaced.
    pub changed: bool,
    /// Warnings of the list reader about the new files.
    pub warnings: Vec<String>,
}

/// Why an update failed. The current copy is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{url}: {message}")]
    Download { url: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{message}")]
    Invalid { message: String },
}

fn io_err(path: &Path, what: &str, e: &std::io::Error) -> UpdateError {
    UpdateError::Io {
        path: path.display().to_string(),
        message: format!("{what}: {e}"),
    }
}

fn file_url(base: &str, name: &str) -> String {
    if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// A file that arrived: its bytes and the server's `Last-Modified`.
struct Download {
    bytes: Vec<u8>,
    last_modified: Option<String>,
}

fn fetch(agent: &ureq::Agent, url: &str) -> Result<Download, UpdateError> {
    let err = |message: String| UpdateError::Download {
        url: url.to_string(),
        message,
    };
    let mut resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(code) => err(format!("the server answered HTTP {code}")),
        other => err(format!("download failed: {other}")),
    })?;
    let last_modified = resp
        .headers()
        .get("last-modified")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let declared: Option<u64> = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| err(format!("the download broke off: {e}")))?;
    if let Some(n) = declared
        && n != bytes.len() as u64
    {
        return Err(err(format!(
            "incomplete download: {} of {n} bytes arrived",
            bytes.len()
        )));
    }
    Ok(Download {
        bytes,
        last_modified,
    })
}

/// A whole OFAC CSV file ends with a line end, or the DOS EOF byte after one; a cut
/// download almost always ends mid-line.
fn ends_whole(bytes: &[u8]) -> bool {
    let b = bytes.strip_suffix(&[0x1A]).unwrap_or(bytes);
    b.is_empty() || b.ends_with(b"\n")
}

fn ends_whole_xml(bytes: &[u8]) -> bool {
    let end = bytes.trim_ascii_end();
    let end = &end[end.len().saturating_sub(64)..];
    end.windows(b"</sdnList>".len()).any(|w| w == b"</sdnList>")
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn set_mtime(path: &Path, last_modified: Option<&str>) {
    let Some(t) = last_modified.and_then(|s| DateTime::parse_from_rfc2822(s.trim()).ok()) else {
        return;
    };
    let t: std::time::SystemTime = t.with_timezone(&Utc).into();
    if let Ok(f) = std::fs::File::options().write(true).open(path) {
        // Best effort: the date is informational, the SHA-256 is the proof.
        let _ = f.set_modified(t);
    }
}

/// Put back `DIR/.previous` if a crash came between the two renames of an earlier run.
fn recover(dir: &Path) -> Result<(), UpdateError> {
    let current = dir.join(CURRENT);
    let previous = dir.join(SWAP);
    if !current.exists() && previous.is_dir() {
        std::fs::rename(&previous, &current)
            .map_err(|e| io_err(&previous, "could not restore the previous copy", &e))?;
    }
    Ok(())
}

/// Fetch the list into `opts.dir` and, when it is whole and readable, make it the current
/// copy. `now` is the fetch time recorded in the manifest.
pub fn update(
    opts: &UpdateOptions,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<UpdateOutcome, UpdateError> {
    let dir = &opts.dir;
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "could not create the folder", &e))?;
    recover(dir)?;
    let incoming = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempdir_in(dir)
        .map_err(|e| io_err(dir, "could not create a download folder in it", &e))?;

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .timeout_connect(Some(Duration::from_secs(30)))
        .user_agent(concat!("holdscreen/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();

    let mut names: Vec<&str> = CSV_FILES.to_vec();
    if opts.include_xml {
        names.push(XML_FILE);
    }
    let mut files = Vec::new();
    for name in &names {
        let url = file_url(&opts.base_url, name);
        let d = fetch(&agent, &url)?;
        let whole = if *name == XML_FILE {
            ends_whole_xml(&d.bytes)
        } else {
            ends_whole(&d.bytes)
        };
        if !whole {
            return Err(UpdateError::Download {
                url,
                message: format!(
                    "the file is cut short ({} bytes ending mid-line): not a whole OFAC file",
                    d.bytes.len()
                ),
            });
        }
        let path = incoming.path().join(name);
        let mut f =
            std::fs::File::create(&path).map_err(|e| io_err(&path, "could not write", &e))?;
        f.write_all(&d.bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err(&path, "could not write", &e))?;
        drop(f);
        set_mtime(&path, d.last_modified.as_deref());
        files.push(FetchedFile {
            name: (*name).to_string(),
            url,
            sha256: sha256_hex(&d.bytes),
            bytes: d.bytes.len() as u64,
            last_modified: d.last_modified,
        });
    }

    // The set must read as a list and hold NS-CMIC entries.
    let refuse = |what: String| UpdateError::Invalid {
        message: format!(
            "the downloaded files from {} were refused: {what}; the current copy was kept",
            opts.base_url
        ),
    };
    // The loader names files by their path in the download folder, which is deleted:
    // name them by URL instead.
    let by_url = |msg: String| {
        let mut m = msg;
        for f in &files {
            let p = incoming.path().join(&f.name).display().to_string();
            m = m.replace(&p, &f.url);
        }
        m
    };
    let snap = load_csv_dir(incoming.path(), ListKind::Consolidated)
        .map_err(|e| refuse(by_url(e.to_string())))?;
    let cmic = snap.cmic_entries().count();
    if snap.entries.is_empty() || cmic == 0 {
        return Err(refuse(format!(
            "the CSV set holds {} entries, {cmic} of them in {CMIC_PROGRAM}; the consolidated list always has NS-CMIC entries",
            snap.entries.len()
        )));
    }
    let mut warnings: Vec<String> = snap.warnings.iter().map(|w| by_url(w.clone())).collect();
    if opts.include_xml {
        let xml =
            load_xml(&incoming.path().join(XML_FILE)).map_err(|e| refuse(by_url(e.to_string())))?;
        if xml.cmic_entries().count() == 0 {
            return Err(refuse(format!(
                "{XML_FILE} holds no {CMIC_PROGRAM} entries"
            )));
        }
        warnings.extend(xml.warnings.iter().map(|w| by_url(w.clone())));
    }
    let manifest = Manifest {
        fetched_at: now(),
        base_url: opts.base_url.clone(),
        files,
        entries: snap.entries.len(),
        cmic_entries: cmic,
        fetched_by: concat!("holdscreen ", env!("CARGO_PKG_VERSION")).to_string(),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| UpdateError::Invalid {
        message: format!("could not write the manifest: {e}"),
    })?;
    let mpath = incoming.path().join(MANIFEST);
    std::fs::write(&mpath, &json).map_err(|e| io_err(&mpath, "could not write", &e))?;

    // Swap: current -> .previous, incoming -> current, drop .previous.
    let current = dir.join(CURRENT);
    let previous_dir = dir.join(SWAP);
    let previous = read_manifest(&current);
    if previous_dir.exists() {
        std::fs::remove_dir_all(&previous_dir)
            .map_err(|e| io_err(&previous_dir, "could not remove a stale copy", &e))?;
    }
    let had_current = current.exists();
    if had_current {
        std::fs::rename(&current, &previous_dir)
            .map_err(|e| io_err(&current, "could not move the current copy aside", &e))?;
    }
    let incoming_path = incoming.keep();
    if let Err(e) = std::fs::rename(&incoming_path, &current) {
        if had_current {
            let _ = std::fs::rename(&previous_dir, &current);
        }
        let _ = std::fs::remove_dir_all(&incoming_path);
        return Err(io_err(&current, "could not put the new copy in place", &e));
    }
    let changed = previous.as_ref().is_none_or(|p| {
        p.files.len() != manifest.files.len()
            || p.files
                .iter()
                .zip(&manifest.files)
                .any(|(a, b)| a.name != b.name || a.sha256 != b.sha256)
    });
    if had_current {
        // The new copy is in place. Keep the replaced one as DIR/previous when it differs
        // (best effort: a leftover .previous is removed by the next run).
        let kept = dir.join(PREVIOUS);
        let kept_ok = changed
            && (!kept.exists() || std::fs::remove_dir_all(&kept).is_ok())
            && std::fs::rename(&previous_dir, &kept).is_ok();
        if !kept_ok {
            let _ = std::fs::remove_dir_all(&previous_dir);
        }
    }
    Ok(UpdateOutcome {
        current,
        manifest,
        previous,
        changed,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join() {
        assert_eq!(file_url("http://h/x/", "A.CSV"), "http://h/x/A.CSV");
        assert_eq!(file_url("http://h/x", "A.CSV"), "http://h/x/A.CSV");
    }

    #[test]
    fn whole_files() {
        assert!(ends_whole(b"1,\"A\"\r\n\x1a"));
        assert!(ends_whole(b"1,\"A\"\n"));
        assert!(ends_whole(b""));
        assert!(!ends_whole(b"1,\"A\"\r\n2,\"B"));
        assert!(ends_whole_xml(b"<sdnList>\n</sdnList>\n"));
        assert!(!ends_whole_xml(b"<sdnList>\n<sdnEntry>"));
    }

    #[test]
    fn recover_puts_previous_back() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join(SWAP)).unwrap();
        std::fs::write(d.path().join(SWAP).join("X"), b"x").unwrap();
        recover(d.path()).unwrap();
        assert_eq!(
            std::fs::read(d.path().join(CURRENT).join("X")).unwrap(),
            b"x"
        );
    }

    #[test]
    fn unreachable_server_is_a_download_error() {
        let d = tempfile::tempdir().unwrap();
        // A port that nothing listens on: bind, note it, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut o = UpdateOptions::new(d.path().join("lists"));
        o.base_url = format!("http://127.0.0.1:{port}/exports/");
        o.timeout = Duration::from_secs(5);
        let e = update(&o, Utc::now).unwrap_err();
        assert!(matches!(e, UpdateError::Download { .. }), "{e}");
        assert!(e.to_string().contains("CONS_PRIM.CSV"), "{e}");
        assert!(!d.path().join("lists").join(CURRENT).exists());
        // The failed download folder is gone.
        assert_eq!(
            std::fs::read_dir(d.path().join("lists")).unwrap().count(),
            0
        );
    }
}
