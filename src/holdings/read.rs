//! Reading one holdings file.

use super::{HoldingsFile, InputSpec, Role};

/// A holdings file that could not be read at all. Names the file (and sheet/row where it applies).
#[derive(Debug, thiserror::Error)]
pub enum HoldingsError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// How to read holdings files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--column ROLE=HEADER` overrides: the header text that holds a role.
    pub column_overrides: Vec<(Role, String)>,
}

/// Read one holdings file: every sheet that holds a holdings table.
pub fn read_holdings_file(
    spec: &InputSpec,
    _opts: &ReadOptions,
) -> Result<HoldingsFile, HoldingsError> {
    Err(HoldingsError::File {
        path: spec.display.clone(),
        message: "not implemented yet".into(),
    })
}
