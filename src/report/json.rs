//! The `--json` document.

use std::io::Write;

use super::ScreenReport;

/// Write the report as pretty JSON, streamed to `out` (a large book's document is never
/// held in memory whole).
pub fn write_json(report: &ScreenReport, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The report as pretty JSON bytes.
pub fn render_json(report: &ScreenReport) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    write_json(report, &mut out).map_err(serde_json::Error::io)?;
    Ok(out)
}
