//! Expanding the HOLDINGS arguments (files or folders) into input files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::HoldingsError;

/// One input file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    pub path: PathBuf,
    /// The path as the user gave it (or as found under a folder they gave).
    pub display: String,
    /// True when the user named the file itself (not found under a folder).
    pub explicit: bool,
}

/// File extensions read when a folder is given.
pub const HOLDINGS_EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv"];

/// Expand files and folders into input files, in a stable order (folders are walked
/// recursively, entries sorted by name). A file named explicitly is always read, whatever
/// its extension. Warnings are for files under folders that were passed over (unsupported
/// extension) and for files given twice. Office lock files (`~$book.xlsx`) and hidden
/// files are passed over silently.
pub fn discover_inputs(paths: &[PathBuf]) -> Result<(Vec<InputSpec>, Vec<String>), HoldingsError> {
    let mut specs = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| HoldingsError::File {
            path: display.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "no such file or folder: check the path (holdings are given as files or folders)"
                        .to_string()
                }
                _ => format!("cannot access: {e}"),
            },
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut warnings).map_err(|e| HoldingsError::File {
                path: display.clone(),
                message: format!("cannot list the folder: {e}"),
            })?;
            for file in found {
                push_unique(&mut specs, &mut seen, &mut warnings, file, false);
            }
        } else {
            push_unique(&mut specs, &mut seen, &mut warnings, path.clone(), true);
        }
    }
    Ok((specs, warnings))
}

fn push_unique(
    specs: &mut Vec<InputSpec>,
    seen: &mut BTreeSet<PathBuf>,
    warnings: &mut Vec<String>,
    path: PathBuf,
    explicit: bool,
) {
    let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let display = path.display().to_string();
    if !seen.insert(key) {
        warnings.push(format!("{display}: given more than once; read once"));
        return;
    }
    specs.push(InputSpec {
        path,
        display,
        explicit,
    });
}

fn is_hidden_or_lock(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>, warnings: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_hidden_or_lock(&name) {
            continue;
        }
        if path.is_dir() {
            walk(&path, found, warnings)?;
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if HOLDINGS_EXTENSIONS.contains(&ext.as_str()) {
            found.push(path);
        } else {
            warnings.push(format!(
                "{}: passed over (not a holdings file type: {})",
                path.display(),
                HOLDINGS_EXTENSIONS.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_order_and_lock_files_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        for f in [
            "b.csv",
            "a.xlsx",
            "~$a.xlsx",
            ".hidden.csv",
            "readme.pdf",
            "sub/c.ods",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let (specs, warnings) = discover_inputs(&[d.to_path_buf()]).unwrap();
        let names: Vec<String> = specs
            .iter()
            .map(|s| s.path.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.xlsx", "b.csv", "sub/c.ods"]);
        assert!(specs.iter().all(|s| !s.explicit));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("readme.pdf"));
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let err = discover_inputs(&[PathBuf::from("no/such/book.xlsx")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no/such/book.xlsx: no such file")
        );
    }

    #[test]
    fn a_file_given_twice_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, b"x").unwrap();
        let (specs, warnings) = discover_inputs(&[f.clone(), f]).unwrap();
        assert_eq!(specs.len(), 1);
        assert!(specs[0].explicit);
        assert_eq!(warnings.len(), 1);
    }
}
