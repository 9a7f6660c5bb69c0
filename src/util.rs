//! Small helpers shared by several modules.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of some bytes (a digest).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A sum of floating-point numbers with its rounding error carried along (Neumaier):
/// a million market values add up to the cent, and in whatever grouping they are added
/// (a plain sum of them drifts by cents, and differently for each grouping).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompensatedSum {
    sum: f64,
    error: f64,
}

impl CompensatedSum {
    pub fn add(&mut self, v: f64) {
        let t = self.sum + v;
        self.error += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    /// Add another sum (its error too).
    pub fn merge(&mut self, other: &CompensatedSum) {
        self.add(other.sum);
        self.error += other.error;
    }

    pub fn value(&self) -> f64 {
        self.sum + self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder, renamed into place
/// when complete, so a failed run never leaves half a file. With `overwrite == false` an
/// existing file is an error.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8], overwrite: bool) -> std::io::Result<()> {
    write_atomic_with(path, overwrite, |w| w.write_all(bytes))
}

/// [`write_atomic`] for content produced by a writer function, streamed to the temporary
/// file through a buffer instead of being built in memory first.
pub fn write_atomic_with(
    path: &std::path::Path,
    overwrite: bool,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".holdscreen-").suffix(".tmp");
    // A temporary file is made readable by its owner only; the report it becomes is made
    // as any file is (what the umask allows), so that colleagues can open it where they
    // could open any other file of the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    if overwrite {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn atomic_write_respects_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        write_atomic(&p, b"one", false).unwrap();
        assert!(write_atomic(&p, b"two", false).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // No temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_get_the_permissions_of_any_new_file() {
        // A report is made as a plain file would be (the umask applies), not with the
        // owner-only mode of a temporary file.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"x").unwrap();
        let report = dir.path().join("report.xlsx");
        write_atomic(&report, b"x", false).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&report), mode(&plain));
    }
}

/// Asks the processor to start loading the memory where `text` starts, so that reading
/// it a little later does not wait on memory. A hint only: nothing is read into the
/// program and nothing happens on processors other than x86_64.
///
/// The reading thread copies each shared string of an xlsx sheet out of calamine's table,
/// whose millions of strings are scattered over the heap: nearly every copy missed the
/// cache, 9% of a shared-strings book's run. Asked for when its cell is read and copied
/// two shared strings later, the text has arrived.
#[inline(always)]
pub fn prefetch(text: &str) {
    prefetch_at(text.as_ptr());
}

/// Asks the processor to start loading the memory at `place` (see [`prefetch`]).
#[inline(always)]
pub fn prefetch_at<T>(place: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint: it never faults, whatever the address, and changes no
    // state the program can see. SSE, which it belongs to, is part of every x86_64
    // processor.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(place.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = place;
}

/// `s.trim()`, answering at once for the usual text that starts and ends with a visible
/// ASCII character (this runs for every cell of every row).
#[inline]
pub fn trim_ws(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod trim_tests {
    use super::trim_ws;

    #[test]
    fn trims_like_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "ab",
            "a b",
            "\u{a0}x\u{a0}",
            "x\u{a0}",
            "\tx\n",
            "é",
            " é ",
            "x y ",
            "  ",
        ] {
            assert_eq!(trim_ws(s), s.trim(), "{s:?}");
        }
    }
}

/// A xorshift generator for the randomised tests: the same numbers on every run.
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[cfg(test)]
mod sum_tests {
    use super::CompensatedSum;

    #[test]
    fn compensated_sums_add_up_to_the_cent_in_any_grouping() {
        // A million amounts with cents: exact in integer cents.
        let mut rng = super::TestRng(0x9e37_79b9_7f4a_7c15);
        let cents: Vec<i64> = (0..1_000_000)
            .map(|_| (rng.next_u64() % 100_000_000_000) as i64)
            .collect();
        let exact = cents.iter().sum::<i64>() as f64 / 100.0;
        let mut whole = CompensatedSum::default();
        let mut plain = 0.0;
        for &c in &cents {
            whole.add(c as f64 / 100.0);
            plain += c as f64 / 100.0;
        }
        let mut grouped = CompensatedSum::default();
        for part in cents.chunks(777) {
            let mut s = CompensatedSum::default();
            for &c in part {
                s.add(c as f64 / 100.0);
            }
            grouped.merge(&s);
        }
        assert!(
            (whole.value() - exact).abs() < 0.001,
            "{} {exact}",
            whole.value()
        );
        assert_eq!(whole.value(), grouped.value());
        // What it corrects: the plain sum is off.
        assert!((plain - exact).abs() > 0.001, "{plain} {exact}");
    }
}
