//! Delimited text read in chunks of whole records, for several threads to parse.
//!
//! Past a table's header, a CSV file's reading thread no longer parses: it reads (and
//! hashes) the bytes, cuts them after a record's end into [`TextChunk`]s of pieces of whole
//! records, and the workers parse the pieces in parallel with the csv crate's own engine
//! (csv-core). A record's end is found without parsing: a line feed outside quotes, quotes
//! being told apart as csv-core does (a quote opens a quoted field only at the start of a
//! field; inside one, two quotes are a quote and one quote closes it). Every record keeps
//! the line it starts on, as the sequential reader gives it.

use super::read::{PackedRows, TextEncoding};

/// A run of whole records of a delimited-text file, as read, cut into pieces of whole
/// records that can be parsed independently (and in any order).
#[derive(Debug)]
pub struct TextChunk {
    pub(super) bytes: Vec<u8>,
    /// Each piece: where it starts in `bytes`, and the line number of its first byte. A
    /// piece ends where the next starts (the last at the end of `bytes`).
    pub(super) pieces: Vec<(usize, u32)>,
    pub(super) delimiter: u8,
    pub(super) encoding: TextEncoding,
}

thread_local! {
    /// A csv-core reader per thread, for the delimiter it was built for: building one
    /// costs more than parsing a hundred records (and a copy of one does not parse).
    static PARSER: std::cell::RefCell<Option<(u8, csv_core::Reader)>> =
        const { std::cell::RefCell::new(None) };
}

/// Bytes of text a chunk holds (about; it ends at a record's end).
pub(super) const CHUNK_BYTES: usize = 1 << 20;

/// Bytes of text a piece holds (about): a few hundred records, enough for a worker's task.
const PIECE_BYTES: usize = 64 << 10;

impl TextChunk {
    /// An empty chunk.
    pub(super) fn new(delimiter: u8, encoding: TextEncoding) -> Self {
        TextChunk {
            bytes: Vec::new(),
            pieces: Vec::new(),
            delimiter,
            encoding,
        }
    }

    /// Bytes of memory the chunk takes (its buffer's room).
    pub fn bytes(&self) -> usize {
        self.bytes.capacity() + self.pieces.capacity() * std::mem::size_of::<(usize, u32)>()
    }

    /// Number of pieces.
    pub fn pieces(&self) -> usize {
        self.pieces.len()
    }

    /// Take the chunk's contents, leaving it empty with `buffer` (emptied) to fill: how a
    /// receiver keeps the text and gives the reader a buffer back.
    pub fn take(&mut self, mut buffer: Vec<u8>) -> TextChunk {
        buffer.clear();
        TextChunk {
            bytes: std::mem::replace(&mut self.bytes, buffer),
            pieces: std::mem::take(&mut self.pieces),
            delimiter: self.delimiter,
            encoding: self.encoding,
        }
    }

    /// The chunk's text buffer, for a reader to fill again.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Cut `bytes[..end]` (whole records; `first_line` the line of its first byte) into
    /// pieces; returns the line number of the byte at `end`.
    pub(super) fn cut(&mut self, end: usize, first_line: u32) -> u32 {
        self.pieces.clear();
        let mut start = 0;
        let mut line = first_line;
        while start < end {
            let stop = if end - start <= PIECE_BYTES + PIECE_BYTES / 2 {
                end
            } else {
                record_end(&self.bytes[start..start + PIECE_BYTES], self.delimiter)
                    .map_or(end, |e| start + e)
            };
            self.pieces.push((start, line));
            line = line.saturating_add(count_lines(&self.bytes[start..stop]));
            start = stop;
        }
        line
    }

    /// Parse piece `j` into `rows` (appended), each record numbered with the line it
    /// starts on. A line without quotes is split at the delimiter as it is (what csv-core
    /// makes of it); a record with quotes is parsed by csv-core.
    pub fn pack_piece(&self, j: usize, rows: &mut PackedRows) {
        let Some(text) = self.piece_bytes(j) else {
            return;
        };
        // Room for the piece at once (grown a row at a time, the rows' buffers would be
        // copied over and over): its text, a row a line, the first line's fields a row.
        let first_line = self.pieces[j].1;
        let lines = self
            .pieces
            .get(j + 1)
            .map_or_else(|| count_lines(text), |p| p.1.saturating_sub(first_line))
            as usize
            + 1;
        let first = &text[..memchr::memchr(b'\n', text).unwrap_or(text.len())];
        let fields = memchr::memchr_iter(self.delimiter, first).count() + 1;
        rows.reserve(text.len(), lines * fields, lines);
        self.each_record(j, false, |line, record| {
            self.pack_record(line, record, rows)
        });
    }

    /// Add a record of this chunk ([`Self::each_record`]) to `rows` as row `line`.
    pub fn pack_record(&self, line: u32, record: Record<'_, '_>, rows: &mut PackedRows) {
        match record {
            Record::Line {
                text: Some(text),
                ends,
                ..
            } => rows.push_separated_text(line, text, ends),
            Record::Line { bytes, ends, .. } => {
                rows.push_separated(line, bytes, ends, self.encoding)
            }
            Record::Fields { bytes, ends, .. } => {
                rows.push_fields(line, bytes, ends, self.encoding)
            }
        }
    }

    /// The bytes of piece `j`.
    fn piece_bytes(&self, j: usize) -> Option<&[u8]> {
        let &(start, _) = self.pieces.get(j)?;
        let end = self.pieces.get(j + 1).map_or(self.bytes.len(), |p| p.0);
        self.bytes.get(start..end)
    }

    /// Give each record of piece `j` to `f`, with the line it starts on. A line without
    /// quotes is split at the delimiter as it is (what csv-core makes of it); a record
    /// with quotes is parsed by csv-core. With `text_only`, nothing is given of a piece
    /// that is not text as it is (UTF-8, or ASCII in a single-byte encoding): false.
    /// A line's texts (`bytes`, `text`) are the chunk's, and outlive the call; its field
    /// ends, and all of a record csv-core read, are only lent for the call.
    pub fn each_record<'t>(
        &'t self,
        j: usize,
        text_only: bool,
        f: impl FnMut(u32, Record<'t, '_>),
    ) -> bool {
        PARSER.with(|cell| {
            let mut cell = cell.borrow_mut();
            let parser = match &mut *cell {
                Some((d, parser)) if *d == self.delimiter => parser,
                slot => {
                    let parser = csv_core::ReaderBuilder::new()
                        .delimiter(self.delimiter)
                        .build();
                    &mut slot.insert((self.delimiter, parser)).1
                }
            };
            parser.reset();
            self.each_record_with(j, text_only, parser, f)
        })
    }

    fn each_record_with<'t>(
        &'t self,
        j: usize,
        text_only: bool,
        parser: &mut csv_core::Reader,
        mut f: impl FnMut(u32, Record<'t, '_>),
    ) -> bool {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let (Some(text), Some(&(_, first_line))) = (self.piece_bytes(j), self.pieces.get(j)) else {
            return true;
        };
        // Usually the whole piece is text as it is: checked once, its lines are then
        // taken as text without checking each.
        let whole = self.encoding.whole_text(text);
        if text_only && whole.is_none() {
            return false;
        }
        let mut parser_used = false;
        let mut out: Vec<u8> = Vec::new();
        let mut ends: Vec<usize> = Vec::new();
        let mut field_ends: Vec<usize> = Vec::with_capacity(32);
        // The line of the byte at `pos`.
        let mut pos = 0;
        let mut line = first_line;
        loop {
            // Line ends before a record are blank lines, which csv-core skips.
            while pos < text.len() && matches!(text[pos], b'\r' | b'\n') {
                if text[pos] == b'\n' {
                    line = line.saturating_add(1);
                }
                pos += 1;
            }
            if pos == text.len() {
                return true;
            }
            let rest = &text[pos..];
            field_ends.clear();
            if let Some(eol) = scan_line(rest, self.delimiter, &mut field_ends) {
                let body = &rest[..eol];
                field_ends.push(body.len());
                f(
                    line,
                    Record::Line {
                        bytes: body,
                        // Line ends and delimiters are ASCII: the line is whole characters.
                        text: whole.map(|whole| &whole[pos..pos + eol]),
                        ends: &field_ends,
                    },
                );
                pos += eol;
                continue;
            }
            // A record with quotes: csv-core reads it (and the lines it spans). It drops a
            // byte order mark at the start of the first input it is given (the file's
            // start only): given less than the mark first, it keeps it as text.
            let record_start = pos;
            let mut short = !parser_used && rest.starts_with(BOM);
            parser_used = true;
            if out.is_empty() {
                out.resize(1024, 0);
                ends.resize(64, 0);
            }
            let (mut nout_total, mut nend_total) = (0usize, 0usize);
            loop {
                let input = if short {
                    &text[pos..pos + 2]
                } else {
                    &text[pos..]
                };
                short = false;
                let (res, nin, nout, nend) =
                    parser.read_record(input, &mut out[nout_total..], &mut ends[nend_total..]);
                pos += nin;
                nout_total += nout;
                nend_total += nend;
                match res {
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::OutputFull => {
                        let len = out.len();
                        out.resize(len * 2, 0);
                    }
                    csv_core::ReadRecordResult::OutputEndsFull => {
                        let len = ends.len();
                        ends.resize(len * 2, 0);
                    }
                    csv_core::ReadRecordResult::Record => {
                        let bytes = &out[..nout_total];
                        f(
                            line,
                            Record::Fields {
                                bytes,
                                // Quotes taken out of text leave text.
                                text: whole.and_then(|_| std::str::from_utf8(bytes).ok()),
                                ends: &ends[..nend_total],
                            },
                        );
                        line = line.saturating_add(count_lines(&text[record_start..pos]));
                        break;
                    }
                    // Nothing was left to read (not after a record's first byte).
                    csv_core::ReadRecordResult::End => return true,
                }
            }
        }
    }
}

/// A record of a piece, as [`TextChunk::each_record`] gives it.
/// `'t` is the chunk's text, `'s` what is lent for one record.
pub enum Record<'t, 's> {
    /// A line without quotes: its bytes (the same as `text` when the piece is text as it
    /// is), and where each field ends (the delimiters' offsets, then the line's length).
    Line {
        bytes: &'t [u8],
        text: Option<&'t str>,
        ends: &'s [usize],
    },
    /// A record csv-core read: its fields' bytes one after the other (the same as `text`
    /// when the piece is text as it is), and where each field ends.
    Fields {
        bytes: &'s [u8],
        text: Option<&'s str>,
        ends: &'s [usize],
    },
}

/// Scan a line without quotes for its fields, in one pass sixteen bytes at a time on
/// x86_64 ([`scan_blocks`]), eight at a time elsewhere and for the last bytes (a call
/// per delimiter costs more than the short fields of a holdings line): the offsets of the
/// delimiters in `field_ends`, and the offset of the line's end (its CR or LF, or the
/// end of `text`); `None` when a quote comes first (the record is csv-core's to read).
fn scan_line(text: &[u8], delimiter: u8, field_ends: &mut Vec<usize>) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The bytes that may stop or cut a line: control bytes up to CR (LF and CR among them,
    // told apart one by one), the quote and the delimiter. Spaces, common in names, are
    // not marked.
    const BELOW: u64 = LOW * (b'\r' as u64 + 1);
    const QUOTES: u64 = LOW * b'"' as u64;
    let delimiters = LOW * u64::from(delimiter);
    // High bit of each byte of `x` that is zero, found exactly.
    let zeros = |x: u64| !(((x & !HIGH) + !HIGH) | x) & HIGH;
    // Sixteen bytes at a time where the processor compares them at once; the rest eight
    // at a time, then one by one.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2, the only feature `scan_blocks` asks for, is part of every x86_64
    // processor.
    let mut at = match unsafe { scan_blocks(text, delimiter, field_ends) } {
        Ok(end) => return end,
        Err(at) => at,
    };
    #[cfg(not(target_arch = "x86_64"))]
    let mut at = 0;
    // What the byte at `at` is: a delimiter (noted), a line's end, a quote, or neither.
    let mut look = |at: usize| -> Option<Option<usize>> {
        match text[at] {
            b'\n' | b'\r' => Some(Some(at)),
            b'"' => Some(None),
            b if b == delimiter => {
                field_ends.push(at);
                None
            }
            _ => None,
        }
    };
    let mut words = text[at..].chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w);
        // High bit of a byte set when the byte is below CR + 1: no borrow crosses
        // bytes, as each byte is at least 0x80 before the subtraction.
        let below = !((x | HIGH) - BELOW) & !x & HIGH;
        // ... or when it is the quote or the delimiter.
        let mut marks = below | zeros(x ^ QUOTES) | zeros(x ^ delimiters);
        while marks != 0 {
            let i = at + (marks.trailing_zeros() / 8) as usize;
            if let Some(end) = look(i) {
                return end;
            }
            marks &= marks - 1;
        }
        at += 8;
    }
    for i in at..text.len() {
        if let Some(end) = look(i) {
            return end;
        }
    }
    Some(text.len())
}

/// [`scan_line`] over the whole blocks of sixteen bytes of `text`, each compared at once
/// (SSE2): `Ok` with what `scan_line` answers when a line end or a quote is in them, else
/// `Err` with where the bytes left start (the delimiters before them noted).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn scan_blocks(
    text: &[u8],
    delimiter: u8,
    field_ends: &mut Vec<usize>,
) -> Result<Option<usize>, usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let line_feed = _mm_set1_epi8(b'\n' as i8);
    let carriage_return = _mm_set1_epi8(b'\r' as i8);
    let quote = _mm_set1_epi8(b'"' as i8);
    let delimiters = _mm_set1_epi8(delimiter as i8);
    let mut at = 0;
    while at + 16 <= text.len() {
        // SAFETY: the 16 bytes from `at` are within `text` (checked above); an unaligned
        // load reads from any address.
        let block = unsafe { _mm_loadu_si128(text.as_ptr().add(at).cast::<__m128i>()) };
        let stops = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(block, line_feed),
                _mm_cmpeq_epi8(block, carriage_return),
            ),
            _mm_cmpeq_epi8(block, quote),
        );
        // One bit per byte, the first byte's lowest.
        let stops = _mm_movemask_epi8(stops) as u32;
        let mut ends = _mm_movemask_epi8(_mm_cmpeq_epi8(block, delimiters)) as u32;
        if stops != 0 {
            // The delimiters before the first line end or quote, then that byte.
            let first = stops.trailing_zeros();
            ends &= (1u32 << first) - 1;
            while ends != 0 {
                field_ends.push(at + ends.trailing_zeros() as usize);
                ends &= ends - 1;
            }
            let stop = at + first as usize;
            return Ok((text[stop] != b'"').then_some(stop));
        }
        while ends != 0 {
            field_ends.push(at + ends.trailing_zeros() as usize);
            ends &= ends - 1;
        }
        at += 16;
    }
    Err(at)
}

/// The number of line feeds in `bytes`.
pub(super) fn count_lines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

/// Where the last whole record of `bytes` ends (just past its line feed), `bytes` starting
/// at a record's start; None when no record ends in them. A line feed ends a record when it
/// is outside quotes.
pub(super) fn record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    loop {
        // Outside quotes from `i`.
        let Some(q) = memchr::memchr(b'"', &bytes[i..]).map(|k| i + k) else {
            if let Some(k) = memchr::memrchr(b'\n', &bytes[i..]) {
                last = Some(i + k + 1);
            }
            return last;
        };
        if let Some(k) = memchr::memrchr(b'\n', &bytes[i..q]) {
            last = Some(i + k + 1);
        }
        // A quote opens a quoted field only at a field's start; elsewhere it is text.
        let opens = q == 0 || matches!(bytes[q - 1], b'\n' | b'\r') || bytes[q - 1] == delimiter;
        i = q + 1;
        if !opens {
            continue;
        }
        // Inside quotes: two quotes are a quote, one closes the field.
        loop {
            let Some(q) = memchr::memchr(b'"', &bytes[i..]).map(|k| i + k) else {
                return last;
            };
            match bytes.get(q + 1) {
                Some(b'"') => i = q + 2,
                Some(_) => {
                    i = q + 1;
                    break;
                }
                // The text ends at the quote: whether it closes is not known yet.
                None => return last,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_scanned_as_byte_by_byte() {
        // Byte by byte: the delimiters before the first CR, LF or quote, and that end.
        fn bytewise(text: &[u8], delimiter: u8) -> Option<(Vec<usize>, usize)> {
            let mut ends = Vec::new();
            for (i, &b) in text.iter().enumerate() {
                match b {
                    b'\n' | b'\r' => return Some((ends, i)),
                    b'"' => return None,
                    b if b == delimiter => ends.push(i),
                    _ => {}
                }
            }
            Some((ends, text.len()))
        }
        // Bytes around the ones that matter: spaces, controls (those beside CR too), '!' and
        // '#' beside the quote, high bytes (UTF-8, Windows-1252), and the delimiters themselves.
        let alphabet = b"ab, ;|\t\n\r\"!#\x00\x0b\x0c\x0e\x1f\x7f\x80\xa0\xe9\xff,,";
        let mut rng = crate::util::TestRng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            // Beyond two blocks of sixteen bytes, and every length below.
            let len = rng.below(72);
            let text: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            for delimiter in [b',', b';', b'\t', b'|'] {
                let mut ends = Vec::new();
                let got = scan_line(&text, delimiter, &mut ends).map(|eol| (ends, eol));
                assert_eq!(got, bytewise(&text, delimiter), "{text:?} {delimiter}");
            }
        }
        // Any delimiter byte (a `sep=` line may name any), lines of up to 139 bytes of
        // letters, delimiters and any byte, at an odd place in memory.
        for _ in 0..20_000 {
            let delimiter = rng.below(256) as u8;
            let len = rng.below(140);
            let mut buf = vec![b'x'; 3];
            buf.extend((0..len).map(|_| match rng.below(12) {
                0 => delimiter,
                1 => rng.below(256) as u8,
                2 if rng.below(8) == 0 => b"\n\r\""[rng.below(3)],
                _ => b'a' + rng.below(26) as u8,
            }));
            let text = &buf[3..];
            let mut ends = Vec::new();
            let got = scan_line(text, delimiter, &mut ends).map(|eol| (ends, eol));
            assert_eq!(got, bytewise(text, delimiter), "{text:?} {delimiter}");
        }
    }

    /// Records and their lines as the sequential reader gives them (csv::Reader, each
    /// record numbered with the line it starts on, past line ends).
    fn sequential(text: &[u8], delimiter: u8) -> Vec<(u32, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        let mut out = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let mut at = record.position().unwrap().byte() as usize;
            while at < text.len() && matches!(text[at], b'\r' | b'\n') {
                at += 1;
            }
            let line = 1 + count_lines(&text[..at.min(text.len())]);
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The same text cut into chunks of at most `chunk` bytes at record ends, each cut
    /// into pieces, every piece parsed on its own.
    fn chunked(text: &[u8], delimiter: u8, chunk: usize) -> Vec<(u32, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut line = 1;
        while start < text.len() {
            let limit = (start + chunk).min(text.len());
            let end = if limit == text.len() {
                limit
            } else {
                // No record end within `chunk` bytes: the chunk grows to the next one.
                record_end(&text[start..limit], delimiter)
                    .or_else(|| record_end(&text[start..], delimiter))
                    .map_or(text.len(), |e| start + e)
            };
            let mut c = TextChunk::new(delimiter, TextEncoding::Utf8);
            c.bytes = text[start..end].to_vec();
            let len = c.bytes.len();
            line = {
                let next = c.cut(len, line);
                let mut rows = PackedRows::default();
                for j in 0..c.pieces() {
                    c.pack_piece(j, &mut rows);
                }
                for i in 0..rows.len() {
                    let (n, cells) = rows.row(i);
                    out.push((
                        n,
                        cells
                            .iter()
                            .map(|c| match c {
                                crate::holdings::cells::Cell::Text(t) => t.clone().into_bytes(),
                                _ => Vec::new(),
                            })
                            .collect(),
                    ));
                }
                next
            };
            start = end;
        }
        out
    }

    /// Fields as packed rows give them: trailing empty fields are not kept.
    fn trimmed(records: Vec<(u32, Vec<Vec<u8>>)>) -> Vec<(u32, Vec<Vec<u8>>)> {
        records
            .into_iter()
            .map(|(n, mut f)| {
                while f.last().is_some_and(Vec::is_empty) {
                    f.pop();
                }
                (n, f)
            })
            .collect()
    }

    #[test]
    fn record_ends_are_line_feeds_outside_quotes() {
        assert_eq!(record_end(b"a,b\nc,d", b','), Some(4));
        assert_eq!(record_end(b"a,\"b\nc\",d\ne", b','), Some(10));
        assert_eq!(record_end(b"a,\"b\nc", b','), None);
        // A quote inside an unquoted field is text: the line feed after it ends the record.
        assert_eq!(record_end(b"5\" disk,x\ny", b','), Some(10));
        // Two quotes inside quotes are a quote.
        assert_eq!(record_end(b"\"a\"\"\nb\"\nc", b','), Some(8));
        // A quote at the very end: not known whether it closes the field.
        assert_eq!(record_end(b"x\n\"a\nb\"", b','), Some(2));
        assert_eq!(record_end(b"", b','), None);
    }

    #[test]
    fn chunks_parse_as_the_whole_text_does() {
        // Random texts of the bytes that matter (delimiters, quotes, line ends, a byte
        // order mark), cut at every size: the same records on the same lines.
        let alphabet: &[&[u8]] = &[
            b"a",
            b"b",
            b",",
            b";",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r\n",
            b"\r",
            b" ",
            b"\xEF\xBB\xBF",
            b"x\"y",
        ];
        let mut rng = crate::util::TestRng(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        for round in 0..3000 {
            let len = 1 + (next() % 60) as usize;
            let mut text = Vec::new();
            for _ in 0..len {
                text.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            // A mark at the very start is the file's, which the reader takes off first.
            if text.starts_with(b"\xEF\xBB\xBF") {
                text.insert(0, b'a');
            }
            let delimiter = if round % 3 == 0 { b';' } else { b',' };
            let want = trimmed(sequential(&text, delimiter));
            for chunk in [1, 2, 3, 5, 8, 13, 40, 1000] {
                assert_eq!(
                    trimmed(chunked(&text, delimiter, chunk)),
                    want,
                    "text {:?} cut at {chunk}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn pieces_start_at_record_ends_with_their_lines() {
        let mut text = String::new();
        for i in 0..20_000 {
            if i % 9 == 4 {
                text.push_str(&format!("{i},\"two\nlines\"\r\n"));
            } else {
                text.push_str(&format!("{i},one line\r\n"));
            }
        }
        let mut c = TextChunk::new(b',', TextEncoding::Utf8);
        c.bytes = text.clone().into_bytes();
        let end = c.bytes.len();
        let last = c.cut(end, 7);
        assert!(c.pieces() > 3, "{} pieces", c.pieces());
        assert_eq!(last, 7 + count_lines(text.as_bytes()));
        for &(start, line) in &c.pieces {
            assert!(start == 0 || text.as_bytes()[start - 1] == b'\n');
            assert_eq!(line, 7 + count_lines(&text.as_bytes()[..start]));
        }
    }
}
