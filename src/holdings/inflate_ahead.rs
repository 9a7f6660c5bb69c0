//! A large workbook's parts inflated on a thread of their own while calamine parses them.
//!
//! Reading an xlsx sheet is two jobs on one thread: inflating the zip entry (about a sixth
//! of the time) and parsing its XML. calamine takes any `Read + Seek` as the archive, so
//! [`InflatedArchive`] gives it one in which every part is *stored* (not compressed): the
//! same names, sizes and CRC-32s, laid out anew, whose bytes an [`Inflater`] running on
//! another thread inflates from the real file a few chunks ahead of the parser. calamine
//! and the zip crate under it read every part as before; the inflater checks each part's
//! CRC-32 as it inflates it to its end.
//!
//! Used for zip workbooks whose parts are stored or deflated, unencrypted, under 4 GB,
//! without zip64; any other is read as it is.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use zip::{CompressionMethod, ZipArchive};

/// Bytes of a part inflated at a time.
const CHUNK: usize = 256 * 1024;

/// Chunks of a part inflated ahead of the parser.
const AHEAD: usize = 4;

/// Emptied chunks on their way back to the inflater.
type Spent = Arc<Mutex<Vec<Vec<u8>>>>;

/// A part's bytes, chunk by chunk, as the inflater sends them.
type Chunks = Receiver<io::Result<Vec<u8>>>;

/// A part asked of the inflater: its number in the archive, and where its chunks go.
struct Request {
    part: usize,
    chunks: SyncSender<io::Result<Vec<u8>>>,
}

/// What a stretch of the archive calamine reads holds.
#[derive(Debug, Clone, Copy)]
enum Holds {
    /// Headers (local, central, end of directory): bytes of `InflatedArchive::headers`
    /// from this offset.
    Headers(usize),
    /// The bytes of part `n`, inflated.
    Part(usize),
}

#[derive(Debug, Clone, Copy)]
struct Stretch {
    start: u64,
    len: u64,
    holds: Holds,
}

/// The part being read: its chunks, the chunk at hand and how far into the part it is.
struct Reading {
    part: usize,
    chunks: Chunks,
    chunk: Vec<u8>,
    in_chunk: usize,
    /// Offset in the part of the chunk's first byte... plus `in_chunk`: the next byte.
    at: u64,
}

/// The archive as calamine reads it: every part stored, inflated by an [`Inflater`].
pub(super) struct InflatedArchive {
    headers: Vec<u8>,
    stretches: Vec<Stretch>,
    len: u64,
    pos: u64,
    requests: Sender<Request>,
    spent: Spent,
    reading: Option<Reading>,
}

/// Inflates the parts an [`InflatedArchive`] asks for, until it is dropped.
pub(super) struct Inflater<R: Read + Seek> {
    archive: ZipArchive<R>,
    requests: Receiver<Request>,
    spent: Spent,
}

/// The archive of `file` laid out stored, and its inflater (to run on a thread of its own);
/// `None` when the archive is not one this reads (see the module), or not a zip at all.
pub(super) fn inflate_ahead(file: &File) -> Option<(InflatedArchive, Inflater<BufReader<&File>>)> {
    let mut source = BufReader::new(file);
    source.seek(SeekFrom::Start(0)).ok()?;
    let archive = ZipArchive::new(source).ok()?;
    let n = archive.len();
    if n == 0 || n > usize::from(u16::MAX) {
        return None;
    }
    let mut headers: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    let mut stretches: Vec<Stretch> = Vec::with_capacity(2 * n + 1);
    let mut at: u64 = 0;
    for part in 0..n {
        let entry = archive.by_index_data(part).ok()?;
        let name = entry.name().ok()?.into_owned();
        let size = entry.size();
        if entry.encrypted()
            || !matches!(
                entry.compression(),
                CompressionMethod::Stored | CompressionMethod::Deflated
            )
            || name.len() > usize::from(u16::MAX)
        {
            return None;
        }
        let size32 = u32::try_from(size).ok()?;
        let offset = u32::try_from(at).ok()?;
        let crc = entry.crc32();
        let name_len = name.len() as u16;
        // Local header: stored, the name in UTF-8 (flag bit 11), sizes and CRC known.
        let local_start = headers.len();
        put_u32(&mut headers, 0x0403_4b50);
        put_u16(&mut headers, 20); // version needed: 2.0
        put_u16(&mut headers, 1 << 11);
        put_u16(&mut headers, 0); // stored
        put_u16(&mut headers, 0); // time
        put_u16(&mut headers, 0x21); // date: 1980-01-01
        put_u32(&mut headers, crc);
        put_u32(&mut headers, size32);
        put_u32(&mut headers, size32);
        put_u16(&mut headers, name_len);
        put_u16(&mut headers, 0); // extra field
        headers.extend_from_slice(name.as_bytes());
        let local_len = (headers.len() - local_start) as u64;
        stretches.push(Stretch {
            start: at,
            len: local_len,
            holds: Holds::Headers(local_start),
        });
        at += local_len;
        if size > 0 {
            stretches.push(Stretch {
                start: at,
                len: size,
                holds: Holds::Part(part),
            });
        }
        at += size;
        // Its central directory header.
        put_u32(&mut central, 0x0201_4b50);
        put_u16(&mut central, 20); // made by: 2.0, MS-DOS
        put_u16(&mut central, 20);
        put_u16(&mut central, 1 << 11);
        put_u16(&mut central, 0);
        put_u16(&mut central, 0);
        put_u16(&mut central, 0x21);
        put_u32(&mut central, crc);
        put_u32(&mut central, size32);
        put_u32(&mut central, size32);
        put_u16(&mut central, name_len);
        put_u16(&mut central, 0); // extra field
        put_u16(&mut central, 0); // comment
        put_u16(&mut central, 0); // disk
        put_u16(&mut central, 0); // internal attributes
        put_u32(&mut central, 0); // external attributes
        put_u32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(at).ok()?;
    let central_len = u32::try_from(central.len()).ok()?;
    let tail_start = headers.len();
    headers.extend_from_slice(&central);
    put_u32(&mut headers, 0x0605_4b50);
    put_u16(&mut headers, 0);
    put_u16(&mut headers, 0);
    put_u16(&mut headers, n as u16);
    put_u16(&mut headers, n as u16);
    put_u32(&mut headers, central_len);
    put_u32(&mut headers, central_offset);
    put_u16(&mut headers, 0); // comment
    let tail_len = (headers.len() - tail_start) as u64;
    stretches.push(Stretch {
        start: at,
        len: tail_len,
        holds: Holds::Headers(tail_start),
    });
    let len = at
        .checked_add(tail_len)
        .filter(|&l| l < u64::from(u32::MAX))?;
    let (requests, asked) = channel();
    let spent = Spent::default();
    Some((
        InflatedArchive {
            headers,
            stretches,
            len,
            pos: 0,
            requests,
            spent: Arc::clone(&spent),
            reading: None,
        },
        Inflater {
            archive,
            requests: asked,
            spent,
        },
    ))
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

impl<R: Read + Seek> Inflater<R> {
    /// Inflate each part asked for into its channel, until the archive is dropped. A part
    /// whose reader stops reading (drops its channel) is left where it is.
    pub(super) fn run(mut self) {
        while let Ok(Request { part, chunks }) = self.requests.recv() {
            let mut entry = match self.archive.by_index(part) {
                Ok(entry) => entry,
                Err(e) => {
                    let _ = chunks.send(Err(io::Error::other(e)));
                    continue;
                }
            };
            loop {
                let mut chunk = self
                    .spent
                    .lock()
                    .ok()
                    .and_then(|mut spent| spent.pop())
                    .unwrap_or_default();
                chunk.resize(CHUNK, 0);
                let mut filled = 0;
                let result = loop {
                    match entry.read(&mut chunk[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(k) => {
                            filled += k;
                            if filled == CHUNK {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                chunk.truncate(filled);
                let last = filled < CHUNK || result.is_err();
                let sent = match result {
                    Ok(()) if filled == 0 => break,
                    Ok(()) => chunks.send(Ok(chunk)),
                    // The bytes inflated before the error (a CRC-32 found wrong at the
                    // part's end comes after all of them) go first: a reader that stops
                    // before the end, as calamine does, reads what it would read from the
                    // archive itself.
                    Err(e) if filled > 0 => match chunks.send(Ok(chunk)) {
                        Ok(()) => chunks.send(Err(e)),
                        Err(gone) => Err(gone),
                    },
                    Err(e) => chunks.send(Err(e)),
                };
                if sent.is_err() || last {
                    break;
                }
            }
        }
    }
}

impl InflatedArchive {
    /// The stretch holding byte `pos` (which is before the end).
    fn stretch_at(&self, pos: u64) -> Stretch {
        let i = self.stretches.partition_point(|s| s.start <= pos) - 1;
        self.stretches[i]
    }

    /// The next chunk of the part being read: `Ok(false)` at its end.
    fn next_chunk(&mut self) -> io::Result<bool> {
        let Some(reading) = &mut self.reading else {
            return Ok(false);
        };
        match reading.chunks.recv() {
            Ok(Ok(chunk)) => {
                let spent = std::mem::replace(&mut reading.chunk, chunk);
                reading.in_chunk = 0;
                if spent.capacity() > 0
                    && let Ok(mut pile) = self.spent.lock()
                    && pile.len() < AHEAD + 2
                {
                    pile.push(spent);
                }
                Ok(true)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Ok(false),
        }
    }

    /// Make `part` the part being read, from byte `offset` of it.
    fn read_part_from(&mut self, part: usize, offset: u64) -> io::Result<()> {
        if let Some(r) = &self.reading
            && r.part == part
            && r.at == offset
        {
            return Ok(());
        }
        let (chunks, from_inflater) = sync_channel(AHEAD);
        self.requests
            .send(Request { part, chunks })
            .map_err(|_| io::Error::other("the workbook's inflating thread stopped"))?;
        self.reading = Some(Reading {
            part,
            chunks: from_inflater,
            chunk: Vec::new(),
            in_chunk: 0,
            at: 0,
        });
        // Forward to `offset` (the zip crate reads a part from its start: not reached).
        let mut skip = offset;
        while skip > 0 {
            let r = self.reading.as_mut().expect("set above");
            let left = (r.chunk.len() - r.in_chunk) as u64;
            if left == 0 {
                if !self.next_chunk()? {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                continue;
            }
            let k = left.min(skip);
            r.in_chunk += k as usize;
            r.at += k;
            skip -= k;
        }
        Ok(())
    }
}

impl Read for InflatedArchive {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        let stretch = self.stretch_at(self.pos);
        let into = self.pos - stretch.start;
        let room = (stretch.len - into).min(buf.len() as u64) as usize;
        let n = match stretch.holds {
            Holds::Headers(from) => {
                let from = from + into as usize;
                buf[..room].copy_from_slice(&self.headers[from..from + room]);
                room
            }
            Holds::Part(part) => {
                self.read_part_from(part, into)?;
                loop {
                    let r = self.reading.as_mut().expect("set by read_part_from");
                    let left = r.chunk.len() - r.in_chunk;
                    if left > 0 {
                        let k = left.min(room);
                        buf[..k].copy_from_slice(&r.chunk[r.in_chunk..r.in_chunk + k]);
                        r.in_chunk += k;
                        r.at += k as u64;
                        break k;
                    }
                    if !self.next_chunk()? {
                        // The part inflated to fewer bytes than its size says.
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "a part of the workbook is shorter than its size says: is it corrupt or truncated?",
                        ));
                    }
                }
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for InflatedArchive {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let to = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = to.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the archive's start",
            )
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// Text that compresses, over several chunks.
    fn text(bytes: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes);
        let mut i = 0u64;
        while out.len() < bytes {
            out.extend_from_slice(
                format!(
                    "<row r=\"{i}\"><c t=\"s\"><v>{}</v></c></row>",
                    i * 7919 % 100_003
                )
                .as_bytes(),
            );
            i += 1;
        }
        out.truncate(bytes);
        out
    }

    /// Bytes that do not compress.
    fn noise(bytes: usize) -> Vec<u8> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..bytes)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// A zip file of `parts` (name, bytes, deflated?) in a temporary folder.
    fn zip_file(dir: &tempfile::TempDir, parts: &[(&str, &[u8], bool)]) -> std::path::PathBuf {
        let path = dir.path().join("book.zip");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        for (name, bytes, deflated) in parts {
            let method = if *deflated {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            };
            zip.start_file(
                *name,
                SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.add_directory("folder/", SimpleFileOptions::default())
            .unwrap();
        zip.finish().unwrap();
        path
    }

    /// Read every part of `file` through an inflated archive (`read` given the archive),
    /// its inflater running beside.
    fn through_archive<T>(file: &File, read: impl FnOnce(InflatedArchive) -> T) -> T {
        let (archive, inflater) = inflate_ahead(file).expect("a zip this reads");
        std::thread::scope(|s| {
            s.spawn(move || inflater.run());
            read(archive)
        })
    }

    fn part(zip: &mut ZipArchive<InflatedArchive>, name: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        zip.by_name(name)
            .map_err(io::Error::other)?
            .read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn parts_read_as_they_were_written() {
        let dir = tempfile::tempdir().unwrap();
        let sheet = text(CHUNK * 3 + 1234);
        let blob = noise(CHUNK + 17);
        let path = zip_file(
            &dir,
            &[
                ("xl/worksheets/sheet1.xml", &sheet, true),
                ("empty.txt", b"", false),
                ("xl/média/é.bin", &blob, false),
                ("small.xml", b"<a/>", true),
            ],
        );
        let file = File::open(&path).unwrap();
        through_archive(&file, |archive| {
            let mut zip = ZipArchive::new(archive).unwrap();
            assert_eq!(zip.len(), 5);
            // A part left part-way, another read, then the first again from its start.
            let mut first = [0u8; 10];
            zip.by_name("xl/worksheets/sheet1.xml")
                .unwrap()
                .read_exact(&mut first)
                .unwrap();
            assert_eq!(&first, &sheet[..10]);
            assert_eq!(part(&mut zip, "xl/média/é.bin").unwrap(), blob);
            assert_eq!(part(&mut zip, "xl/worksheets/sheet1.xml").unwrap(), sheet);
            assert_eq!(part(&mut zip, "empty.txt").unwrap(), b"");
            assert_eq!(part(&mut zip, "small.xml").unwrap(), b"<a/>");
            assert!(zip.by_name("folder/").unwrap().is_dir());
            assert!(zip.by_name("missing.xml").is_err());
        });
    }

    #[test]
    fn a_damaged_part_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        // Its last chunk part-full: the error comes with the last bytes.
        let blob = noise(CHUNK * 2 + 100);
        let path = zip_file(&dir, &[("a.bin", &blob, false), ("b.xml", b"<b/>", true)]);
        // One byte of the stored part changed: its CRC-32 no longer agrees.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes
            .windows(64)
            .position(|w| w == &blob[CHUNK..CHUNK + 64])
            .unwrap();
        bytes[at] ^= 0xFF;
        std::fs::write(&path, &bytes).unwrap();
        let file = File::open(&path).unwrap();
        through_archive(&file, |archive| {
            let mut zip = ZipArchive::new(archive).unwrap();
            assert!(part(&mut zip, "a.bin").is_err());
            // Every byte of the part comes before the error, as from the file itself: a
            // reader that stops before the part's end (calamine does) reads it all.
            let mut damaged = blob.clone();
            damaged[CHUNK] ^= 0xFF;
            let mut whole = vec![0; blob.len()];
            zip.by_name("a.bin")
                .unwrap()
                .read_exact(&mut whole)
                .unwrap();
            assert!(whole == damaged, "the part's last chunk was lost");
            // The other parts still read.
            assert_eq!(part(&mut zip, "b.xml").unwrap(), b"<b/>");
        });
    }

    #[test]
    fn what_is_not_a_zip_is_read_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        std::fs::write(&path, b"Ticker,Name\n941 HK,China Mobile\n").unwrap();
        assert!(inflate_ahead(&File::open(&path).unwrap()).is_none());
    }

    #[test]
    fn calamine_reads_a_workbook_through_it_as_from_the_file() {
        use calamine::{Reader, Xlsx};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "ISIN").unwrap();
        sheet.write(0, 1, "Name").unwrap();
        sheet.write(0, 2, "Market Value").unwrap();
        for r in 1..3000u32 {
            sheet.write(r, 0, format!("CNE1000{r:05}")).unwrap();
            sheet
                .write(r, 1, format!("Company {} Co., Ltd.", r % 97))
                .unwrap();
            sheet.write(r, 2, f64::from(r) * 1.25).unwrap();
        }
        book.add_worksheet()
            .set_name("Notes")
            .unwrap()
            .write(0, 0, "é ü 中")
            .unwrap();
        book.save(&path).unwrap();

        let plain: Vec<_> = {
            let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
            wb.sheet_names()
                .into_iter()
                .map(|s| wb.worksheet_range(&s).unwrap())
                .collect()
        };
        let file = File::open(&path).unwrap();
        let ahead: Vec<_> = through_archive(&file, |archive| {
            let mut wb = Xlsx::new(archive).unwrap();
            wb.sheet_names()
                .into_iter()
                .map(|s| wb.worksheet_range(&s).unwrap())
                .collect()
        });
        assert_eq!(plain.len(), 2);
        assert_eq!(plain, ahead);
    }
}
