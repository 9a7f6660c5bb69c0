//! The `--json` document.

use super::ScreenReport;

/// Serialise the report as pretty JSON.
pub fn render_json(report: &ScreenReport) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = serde_json::to_vec_pretty(report)?;
    out.push(b'\n');
    Ok(out)
}
