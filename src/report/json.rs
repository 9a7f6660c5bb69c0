//! The `--json` document.

use std::io::{Read, Write};

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

/// The positions of a run written as they are screened (to a spill file), for
/// [`write_json_spliced`]: a large book's positions are never all held in memory.
pub struct PositionsJson<W: Write> {
    out: W,
    count: usize,
    error: Option<std::io::Error>,
}

impl<W: Write> PositionsJson<W> {
    pub fn new(out: W) -> Self {
        PositionsJson {
            out,
            count: 0,
            error: None,
        }
    }

    /// Add a position: pretty JSON indented as an element of the document's `positions`
    /// array, so that the document is byte for byte what [`write_json`] writes.
    pub fn push(&mut self, p: &Position) {
        self.push_all(std::slice::from_ref(p));
    }

    /// Add positions in order; their JSON is made on every core.
    pub fn push_all(&mut self, positions: &[Position]) {
        if self.error.is_some() {
            return;
        }
        let texts: Vec<Result<Vec<u8>, serde_json::Error>> = positions
            .par_iter()
            .with_min_len(64)
            .map(|p| {
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
            })
            .collect();
        for text in texts {
            let result = (|| -> std::io::Result<()> {
                let text = text.map_err(std::io::Error::other)?;
                if self.count > 0 {
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

    /// The spill and the number of positions in it, or the first write error.
    pub fn finish(mut self) -> std::io::Result<(W, usize)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.out.flush()?;
        Ok((self.out, self.count))
    }
}

/// Write the report with the positions spilled by [`PositionsJson`] (`count` of them, read
/// from `positions`) in place of `report.positions`: the same document as [`write_json`]
/// on a report holding every position.
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

/// Positions written one JSON line each as they are screened, to be read back one at a
/// time ([`read_position_lines`]): how the All positions sheet gets every row without
/// holding them all.
pub struct PositionLines<W: Write> {
    out: W,
    count: usize,
    error: Option<std::io::Error>,
}

impl<W: Write> PositionLines<W> {
    pub fn new(out: W) -> Self {
        PositionLines {
            out,
            count: 0,
            error: None,
        }
    }

    /// Add positions in order; their JSON is made on every core.
    pub fn push_all(&mut self, positions: &[Position]) {
        if self.error.is_some() {
            return;
        }
        let lines: Vec<Result<Vec<u8>, serde_json::Error>> = positions
            .par_iter()
            .with_min_len(64)
            .map(|p| {
                let mut line = serde_json::to_vec(p)?;
                line.push(b'\n');
                Ok(line)
            })
            .collect();
        for line in lines {
            match line
                .map_err(std::io::Error::other)
                .and_then(|l| self.out.write_all(&l))
            {
                Ok(()) => self.count += 1,
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    /// The file and the number of positions in it, or the first write error.
    pub fn finish(mut self) -> std::io::Result<(W, usize)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.out.flush()?;
        Ok((self.out, self.count))
    }
}

/// The positions written by [`PositionLines`], one at a time.
pub fn read_position_lines(
    input: impl std::io::BufRead,
) -> impl Iterator<Item = Result<Position, String>> {
    input.lines().map(|line| {
        let line = line.map_err(|e| format!("could not read back a position: {e}"))?;
        serde_json::from_str(&line).map_err(|e| format!("could not read back a position: {e}"))
    })
}
