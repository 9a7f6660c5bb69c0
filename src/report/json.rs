//! The `--json` document.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use rayon::prelude::*;

use super::{Position, ScreenReport};

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

/// How a [`PositionSpill`] writes each position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpillFormat {
    /// Pretty JSON indented and separated as the elements of the document's `positions`
    /// array, for [`write_json_spliced`]: the document is then byte for byte what
    /// [`write_json`] writes.
    DocumentArray,
    /// One compact JSON line each, read back one at a time by [`read_position_lines`].
    Lines,
}

/// The positions of a run, written to a temporary file as they are screened, so that a
/// large book's positions are never all held in memory.
pub struct PositionSpill {
    out: BufWriter<File>,
    format: SpillFormat,
    count: usize,
    error: Option<std::io::Error>,
}

impl PositionSpill {
    pub fn new(file: File, format: SpillFormat) -> Self {
        PositionSpill {
            out: BufWriter::new(file),
            format,
            count: 0,
            error: None,
        }
    }

    pub fn push(&mut self, p: &Position) {
        self.push_all(std::slice::from_ref(p));
    }

    /// Add positions in order; their JSON is made on every core.
    pub fn push_all(&mut self, positions: &[Position]) {
        if self.error.is_some() {
            return;
        }
        let format = self.format;
        let texts: Vec<serde_json::Result<Vec<u8>>> = positions
            .par_iter()
            .with_min_len(64)
            .map(|p| encode(p, format))
            .collect();
        for text in texts {
            let result = (|| -> std::io::Result<()> {
                let text = text.map_err(std::io::Error::other)?;
                if format == SpillFormat::DocumentArray && self.count > 0 {
                    self.out.write_all(b",\n")?;
                }
                self.out.write_all(&text)
            })();
            match result {
                Ok(()) => self.count += 1,
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    /// The spill, rewound for reading, and the number of positions in it; or the first
    /// write error.
    pub fn finish(self) -> std::io::Result<(BufReader<File>, usize)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok((BufReader::new(file), self.count))
    }
}

/// One position as a [`PositionSpill`] of `format` writes it.
fn encode(p: &Position, format: SpillFormat) -> serde_json::Result<Vec<u8>> {
    match format {
        SpillFormat::Lines => {
            let mut line = serde_json::to_vec(p)?;
            line.push(b'\n');
            Ok(line)
        }
        SpillFormat::DocumentArray => {
            let text = serde_json::to_string_pretty(p)?;
            let mut out = Vec::with_capacity(text.len() + 256);
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                out.extend_from_slice(b"    ");
                out.extend_from_slice(line.as_bytes());
            }
            Ok(out)
        }
    }
}

/// Write the report with the positions spilled by a [`SpillFormat::DocumentArray`]
/// [`PositionSpill`] (`count` of them, read from `positions`) in place of
/// `report.positions`: the same document as [`write_json`] on a report holding every
/// position.
pub fn write_json_spliced(
    report: &ScreenReport,
    positions: &mut dyn Read,
    count: usize,
    mut out: impl Write,
) -> std::io::Result<()> {
    let empty = report.clone_without_positions();
    let head = serde_json::to_string_pretty(&empty).map_err(std::io::Error::other)?;
    // `positions` is the last field: its empty array closes the document.
    const TAIL: &str = "\"positions\": []\n}";
    let Some(body) = head.strip_suffix(TAIL) else {
        return Err(std::io::Error::other(
            "the report document does not end with its positions",
        ));
    };
    out.write_all(body.as_bytes())?;
    if count == 0 {
        out.write_all(b"\"positions\": []")?;
    } else {
        out.write_all(b"\"positions\": [\n")?;
        std::io::copy(positions, &mut out)?;
        out.write_all(b"\n  ]")?;
    }
    out.write_all(b"\n}\n")?;
    out.flush()
}

/// The positions written by a [`SpillFormat::Lines`] [`PositionSpill`], one at a time.
pub fn read_position_lines(
    input: impl std::io::BufRead,
) -> impl Iterator<Item = Result<Position, String>> {
    input.lines().map(|line| {
        let line = line.map_err(|e| format!("could not read back a position: {e}"))?;
        serde_json::from_str(&line).map_err(|e| format!("could not read back a position: {e}"))
    })
}
