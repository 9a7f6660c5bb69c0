//! Reading one holdings file: spreadsheets through calamine, CSV/TSV through the csv crate.
//!
//! The file is read as a stream, never whole into memory: its first bytes tell the format;
//! a text file's SHA-256 is taken from the very bytes as they are parsed, a workbook's from
//! the file on a thread of its own while calamine parses it. Each sheet becomes rows of
//! [`Cell`]s; the same table logic then finds the header row, maps the columns and turns
//! every row below it into a [`HoldingRow`] or an [`IgnoredRow`] (blank, repeated header,
//! total line, footer note).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use calamine::{Data, DataRef, Reader, SheetType, Sheets};

use std::borrow::Cow;

use super::cells::{
    Cell, CellRef, cell_date, cell_number, decode_text, is_placeholder, is_trimmed_placeholder,
    parse_number, repair_cusip, repair_sedol, windows_1252,
};
use super::columns::{
    HEADER_SCAN_ROWS, header_score, map_columns, normalise_header, normalises_to,
};
use super::inflate_ahead::inflate_ahead;
use super::text_chunks::{CHUNK_BYTES, TextChunk, count_lines, record_end};
use super::{
    CellProblem, ColumnMapping, HoldingRow, HoldingRowRef, HoldingsFile, HoldingsTable, IgnoredRow,
    InputSpec, Role, SkippedSheet,
};
use crate::util::{hex, sha256_hex, trim_ws};

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
    /// How many sheets of one large workbook (xlsx, xlsm, xlsb over 4 MB, on disk) are
    /// read at once, each on a thread with the workbook open on a handle of its own; 0 or
    /// 1 reads them one after the other. Rows are given in sheet order either way.
    pub sheet_readers: usize,
}

/// File formats holdscreen reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Delimited,
}

impl Format {
    fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "xlsx" => Format::Xlsx,
            "xlsm" => Format::Xlsm,
            "xlsb" => Format::Xlsb,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "csv" | "tsv" | "txt" | "tab" => Format::Delimited,
            _ => return None,
        })
    }
}

/// Receives the rows below each table's header as a file is read (see
/// [`read_holdings_file_into`]), as cells: [`read_row`] turns each into a [`HoldingRow`] or
/// an [`IgnoredRow`], on whatever thread the receiver likes, so that the reading thread only
/// reads.
pub trait RowSink {
    /// The row numbered `number` below the header of the table on `sheet` (None for
    /// CSV/TSV), in file order. The receiver takes the cells it keeps; the reader reuses
    /// the vector for the next row.
    fn row(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        number: u32,
        cells: &mut Vec<Cell>,
    );

    /// Rows below the header of the table on `sheet`, packed (see [`PackedRows`]); the
    /// receiver may take them (the reader clears `rows` after the call). By default each is
    /// given to [`RowSink::row`].
    fn packed_rows(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        rows: &mut PackedRows,
    ) {
        for i in 0..rows.len() {
            let (number, mut cells) = rows.row(i);
            self.row(sheet, header, number, &mut cells);
        }
    }

    /// Records below the header of a delimited-text table, as text (see [`TextChunk`]),
    /// for the receiver to parse where it likes; it may take the chunk's contents
    /// ([`TextChunk::take`]). By default they are parsed here and given to
    /// [`RowSink::packed_rows`].
    fn text_chunk(
        &mut self,
        sheet: Option<&str>,
        header: &Arc<TableHeader>,
        chunk: &mut TextChunk,
    ) {
        let mut rows = PackedRows::default();
        for j in 0..chunk.pieces() {
            chunk.pack_piece(j, &mut rows);
        }
        self.packed_rows(sheet, header, &mut rows);
    }
}

/// What a streamed row is: a data row, or a row that is not a position (with the reason).
#[derive(Debug)]
pub enum RowRead<R = Box<HoldingRow>> {
    Data(R),
    Ignored(IgnoredRow),
}

/// Turn a row of cells below a table's header into a data row or an ignored row (blank,
/// repeated header, total line, footer note).
pub fn read_row(number: u32, cells: &[Cell], header: &TableHeader) -> RowRead {
    match row_outcome(number, &cells, header, RowFields::All) {
        RowOutcome::Position(row) => RowRead::Data(Box::new(row.into_owned())),
        RowOutcome::Ignored(reason) => RowRead::Ignored(IgnoredRow {
            row: number,
            reason,
        }),
    }
}

/// [`read_row`] for row `i` of packed rows: the data row's texts are borrowed from them.
pub fn read_packed_row<'a>(
    rows: &'a PackedRows,
    i: usize,
    header: &TableHeader,
) -> RowRead<HoldingRowRef<'a>> {
    let (number, cells) = rows.row_cells(i);
    read_row_ref(number, &cells, header, RowFields::All)
}

/// [`read_packed_row`] reading only what screening a holding and counting it need: its
/// identifiers, names, market value and currency (the account, side, trade date,
/// quantity, price and weight are left out, and so are problems with them). What a row
/// is (data, blank, total, note, repeated header) is told as by [`read_packed_row`].
#[inline]
pub fn read_packed_row_for_screening<'a>(
    rows: &'a PackedRows,
    i: usize,
    header: &TableHeader,
) -> RowRead<HoldingRowRef<'a>> {
    let (number, cells) = rows.row_cells(i);
    read_row_ref(number, &cells, header, RowFields::Screening)
}

/// [`read_packed_row_for_screening`] (`screening`) or [`read_packed_row`] for a record
/// of text as a [`super::text_chunks::TextChunk`] gives it, without packing it first.
#[inline]
pub fn read_text_row<'a>(
    number: u32,
    fields: TextFields<'a, '_>,
    header: &TableHeader,
    screening: bool,
) -> RowRead<HoldingRowRef<'a>> {
    let which = if screening {
        RowFields::Screening
    } else {
        RowFields::All
    };
    read_row_ref(number, &fields, header, which)
}

/// What a record of text read for screening is, told before a data row's fields are
/// read ([`look_text_row`]): a data row, with what was made of its identifying cells, or
/// an ignored row.
#[derive(Debug)]
pub enum RowLook<P> {
    Data(P),
    Ignored(IgnoredRow),
}

/// The cells of a data row that tell which security it is, as written (trimmed): for each
/// column whose role identifies the security ([`Role::identifies`]), in column order, its
/// role and cell. A data row's identifiers ([`HoldingRowRef::ids`]) are made of these
/// cells alone, each by its role, in this order: two rows whose identifying cells are the
/// same (in the same roles, in the same order) have the same identifiers.
#[derive(Clone, Copy)]
pub struct IdCells<'c, 'a> {
    columns: &'c [(Role, usize)],
    cells: &'c [CellRef<'a>],
}

impl<'a> IdCells<'_, 'a> {
    /// Each identifying column's role and cell (empty when the row is shorter).
    pub fn iter(&self) -> impl Iterator<Item = (Role, CellRef<'a>)> + '_ {
        self.columns.iter().map(|&(role, i)| {
            let cell = self.cells.get(i).copied().unwrap_or(CellRef::Empty);
            (role, cell)
        })
    }
}

/// A record of text (row `number`) told as [`read_text_row`] tells it, a data row or an
/// ignored row, without reading a data row's fields: `ids` is given the row's identifying
/// cells, and what it makes of them is kept.
#[inline]
pub fn look_text_row<'a, P>(
    number: u32,
    fields: TextFields<'a, '_>,
    header: &TableHeader,
    ids: impl FnOnce(IdCells<'_, 'a>) -> P,
) -> RowLook<P> {
    with_trimmed_cells(&fields, |cells| match ignored_reason(cells, header) {
        Some(reason) => RowLook::Ignored(IgnoredRow {
            row: number,
            reason,
        }),
        None => RowLook::Data(ids(IdCells {
            columns: &header.id_columns,
            cells,
        })),
    })
}

/// The fields screening reads ([`read_text_row`] with `screening`) of a line
/// [`look_text_row`] told is a data row: read without telling it again.
#[inline]
pub fn read_looked_text_row<'a>(
    number: u32,
    fields: TextFields<'a, '_>,
    header: &TableHeader,
) -> HoldingRowRef<'a> {
    with_trimmed_cells(&fields, |cells| {
        data_row(number, cells, header, RowFields::Screening)
    })
}

/// The market value and currency of a data row of text (row `number`), as
/// [`read_text_row`] reads them: what counting a clear holding needs.
#[inline]
pub fn text_row_amounts<'a>(
    number: u32,
    fields: TextFields<'a, '_>,
    header: &TableHeader,
) -> (Option<f64>, Option<Cow<'a, str>>) {
    let cell = |i: usize| {
        if i < fields.len() {
            trimmed_cell(fields.at(i))
        } else {
            CellRef::Empty
        }
    };
    let row = data_row_of(number, cell, header, RowFields::Amounts);
    (row.market_value, row.currency)
}

/// Row `number` (its cells `cells`) as a data row borrowing its texts, or an ignored row.
#[inline]
fn read_row_ref<'a>(
    number: u32,
    cells: &impl RowCells<'a>,
    header: &TableHeader,
    fields: RowFields,
) -> RowRead<HoldingRowRef<'a>> {
    match row_outcome(number, cells, header, fields) {
        RowOutcome::Position(row) => RowRead::Data(row),
        RowOutcome::Ignored(reason) => RowRead::Ignored(IgnoredRow {
            row: number,
            reason,
        }),
    }
}

/// The fields of a record of text: field `i` ends at `ends[i]` in `text` and starts
/// `gap` bytes after the end of the one before (1 for a line split at its delimiters,
/// 0 for fields that follow one another, as csv-core writes them).
#[derive(Debug, Clone, Copy)]
pub struct TextFields<'a, 'e> {
    pub text: &'a str,
    pub ends: &'e [usize],
    pub gap: usize,
}

impl<'a> RowCells<'a> for TextFields<'a, '_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    #[inline]
    fn at(&self, i: usize) -> CellRef<'a> {
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        // The ends are those of ASCII delimiters in text: always on a character's
        // boundary (and an empty field is an empty cell, as packed).
        match self.text.get(start..self.ends[i]) {
            Some(t) if !t.is_empty() => CellRef::Text(t),
            _ => CellRef::Empty,
        }
    }
}

/// Which fields of a data row are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowFields {
    All = 0,
    /// What screening and counting need (see [`read_packed_row_for_screening`]).
    Screening = 1,
    /// What counting a clear holding needs: its market value and currency.
    Amounts = 2,
}

// Each kind of `RowFields` is at its place in `RowFields::ALL`, checked when compiling.
const _: () = {
    let mut i = 0;
    while i < RowFields::ALL.len() {
        assert!(RowFields::ALL[i] as usize == i);
        i += 1;
    }
};

impl RowFields {
    /// Each kind, at its place (`fields as usize`).
    const ALL: [RowFields; 3] = [RowFields::All, RowFields::Screening, RowFields::Amounts];

    /// Whether a column of `role` is read.
    fn reads(self, role: Role) -> bool {
        match self {
            RowFields::All => true,
            RowFields::Screening => !matches!(
                role,
                Role::Account
                    | Role::Side
                    | Role::TradeDate
                    | Role::Quantity
                    | Role::Price
                    | Role::Weight
            ),
            RowFields::Amounts => matches!(role, Role::MarketValue | Role::Currency),
        }
    }
}

/// Drop the blank rows after the last data row of a table: they are layout, not content.
pub fn trim_trailing_blanks(ignored: &mut Vec<IgnoredRow>, last_data_row: Option<u32>) {
    while ignored
        .last()
        .is_some_and(|r| r.reason == BLANK && last_data_row.is_none_or(|last| last < r.row))
    {
        ignored.pop();
    }
}

/// Read one holdings file: every sheet that holds a holdings table, with its rows.
pub fn read_holdings_file(
    spec: &InputSpec,
    opts: &ReadOptions,
) -> Result<HoldingsFile, HoldingsError> {
    read_file(spec, opts, None)
}

/// Read one holdings file, giving each data row to `sink` as soon as it is read instead of
/// keeping it: the tables returned have no `rows`, only their `row_count`. Rows are given
/// only for tables whose header was found (a refused sheet gives none).
pub fn read_holdings_file_into(
    spec: &InputSpec,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<HoldingsFile, HoldingsError> {
    read_file(spec, opts, Some(sink))
}

fn read_file(
    spec: &InputSpec,
    opts: &ReadOptions,
    sink: Option<&mut dyn RowSink>,
) -> Result<HoldingsFile, HoldingsError> {
    let fail = |message: String| HoldingsError::File {
        path: spec.display.clone(),
        message,
    };
    let io_fail = |e: std::io::Error| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied: check the file's access rights".to_string()
            }
            _ if spec.path.is_dir() => "is a folder, not a file".to_string(),
            _ => format!("cannot read: {e}"),
        })
    };
    if spec.path.is_dir() {
        return Err(fail("is a folder, not a file".to_string()));
    }
    // The file is read as a stream, never whole: its head tells the format (and, for text,
    // the encoding and delimiter); its SHA-256 is taken from the bytes as they are read.
    let mut file = File::open(&spec.path).map_err(io_fail)?;
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io_fail)?;
    let ext = spec
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = sniff_format(&head, &ext).map_err(fail)?;
    let (format_name, tables, skipped_sheets, digest) = match format {
        Format::Delimited => {
            let tab_default = ext == "tsv" || ext == "tab";
            let read = read_delimited(head, file, tab_default, opts, sink).map_err(&io_fail)?;
            let name = if ext.is_empty() {
                "csv".to_string()
            } else {
                ext.clone()
            };
            (
                name,
                read.table.into_iter().collect(),
                read.skipped.into_iter().collect(),
                read.digest,
            )
        }
        _ => {
            let meta = file.metadata().map_err(io_fail)?;
            let (read, digest) = if !meta.is_file() || meta.len() <= INLINE_HASH_BYTES {
                // A small workbook, or one that is not a file on disk (a pipe cannot be
                // read twice): read whole, hashed and parsed from the same bytes.
                let mut bytes = head;
                file.read_to_end(&mut bytes).map_err(io_fail)?;
                let digest = FileDigest {
                    sha256: sha256_hex(&bytes),
                    bytes: bytes.len() as u64,
                };
                (
                    read_workbook(std::io::Cursor::new(bytes), format, opts, sink, None),
                    Ok(digest),
                )
            } else {
                // A large workbook is parsed from the file and hashed on a thread of its
                // own at the same time, through a second handle that must be the same
                // file, unchanged until both are done (else the evidence could be of
                // another file).
                file.seek(SeekFrom::Start(0)).map_err(io_fail)?;
                let before = FileIdentity::of(&file).map_err(io_fail)?;
                // Other sheets may be read at once on handles of their own, each of the
                // same file, unchanged: when two sheets or more are large (opening the
                // workbook again costs its shared strings again, more than a small sheet
                // is worth).
                let again = || -> Option<BufReader<File>> {
                    let other = File::open(&spec.path).ok()?;
                    (FileIdentity::of(&other).ok()? == before).then(|| BufReader::new(other))
                };
                let again: Option<&OpenAgain<'_>> =
                    (matches!(format, Format::Xlsx | Format::Xlsm | Format::Xlsb)
                        && opts.sheet_readers > 1
                        && large_sheet_parts(&file) >= 2)
                        .then_some(&again);
                std::thread::scope(|s| {
                    let hashing = s.spawn(|| hash_file(&spec.path, &before));
                    // A zip workbook's parts are inflated on a thread of their own, ahead
                    // of the parser (see `inflate_ahead`).
                    let ahead = match format {
                        Format::Xlsx | Format::Xlsm | Format::Xlsb => inflate_ahead(&file),
                        _ => None,
                    };
                    let read = match ahead {
                        Some((archive, inflater)) => {
                            s.spawn(move || inflater.run());
                            read_workbook(archive, format, opts, sink, again)
                        }
                        None => match (&file).seek(SeekFrom::Start(0)) {
                            Ok(_) => {
                                read_workbook(BufReader::new(&file), format, opts, sink, again)
                            }
                            Err(e) => Err(e.to_string()),
                        },
                    };
                    let digest = hashing
                        .join()
                        .unwrap_or_else(|_| {
                            Err(std::io::Error::other("the file could not be hashed"))
                        })
                        .and_then(|digest| {
                            if FileIdentity::of(&file)? == before {
                                Ok(digest)
                            } else {
                                Err(changed_while_read())
                            }
                        });
                    (read, digest)
                })
            };
            let (tables, skipped) = read.map_err(fail)?;
            let name = match format {
                Format::Xlsx => "xlsx",
                Format::Xlsm => "xlsm",
                Format::Xlsb => "xlsb",
                Format::Xls => "xls",
                Format::Ods => "ods",
                Format::Delimited => "csv",
            };
            (name.to_string(), tables, skipped, digest.map_err(io_fail)?)
        }
    };
    Ok(HoldingsFile {
        path: spec.display.clone(),
        format: format_name,
        sha256: digest.sha256,
        bytes: digest.bytes,
        tables,
        skipped_sheets,
    })
}

/// How many bytes of a file are read first: to tell its format and, for text, its encoding,
/// `sep=` line and delimiter.
const HEAD_BYTES: usize = 64 * 1024;

/// Workbooks up to this size are hashed before they are parsed, larger ones at the same time.
const INLINE_HASH_BYTES: u64 = 4 << 20;

/// The SHA-256 and size of a file's bytes.
struct FileDigest {
    sha256: String,
    bytes: u64,
}

/// What tells that two handles are on the same file, unchanged: its size and modification
/// time, and on Unix its device and inode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileIdentity {
    len: u64,
    modified: Option<std::time::SystemTime>,
    device_inode: Option<(u64, u64)>,
}

impl FileIdentity {
    fn of(file: &File) -> std::io::Result<FileIdentity> {
        let meta = file.metadata()?;
        #[cfg(unix)]
        let device_inode = {
            use std::os::unix::fs::MetadataExt;
            Some((meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let device_inode = None;
        Ok(FileIdentity {
            len: meta.len(),
            modified: meta.modified().ok(),
            device_inode,
        })
    }
}

fn changed_while_read() -> std::io::Error {
    std::io::Error::other(
        "the file changed while it was being read: screen it again once it is no longer being written",
    )
}

/// Hash the file at `path`, which must be the file `expected` describes.
fn hash_file(path: &std::path::Path, expected: &FileIdentity) -> std::io::Result<FileDigest> {
    let mut file = File::open(path)?;
    if FileIdentity::of(&file)? != *expected {
        return Err(changed_while_read());
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(FileDigest {
        sha256: hex(&hasher.finalize()),
        bytes,
    })
}

/// The format from the file's first bytes, the extension breaking ties (a zip is xlsx,
/// xlsm, xlsb or ods; an OLE file is xls). Portals often save tab-separated text or an
/// HTML page under `.xls`: text is read as delimited text, HTML is refused with advice.
fn sniff_format(bytes: &[u8], ext: &str) -> Result<Format, String> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let by_ext = Format::from_extension(ext);
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.starts_with(ZIP) {
        return Ok(match by_ext {
            Some(f @ (Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Ods)) => f,
            _ => Format::Xlsx,
        });
    }
    if bytes.starts_with(OLE) {
        if matches!(by_ext, Some(Format::Xlsx | Format::Xlsm | Format::Xlsb)) {
            return Err(
                "is an encrypted (password-protected) or legacy workbook saved under an .xlsx name: \
                 open it in Excel, remove the password and save it as .xlsx"
                    .into(),
            );
        }
        return Ok(Format::Xls);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<table")
    {
        return Err(
            "is an HTML page, not a spreadsheet (some portals save HTML under .xls): \
             open it in Excel and save it as .xlsx or .csv"
                .into(),
        );
    }
    if head.starts_with("<?xml") {
        return Err(
            "is an XML file (perhaps Excel 2003 XML): open it in Excel and save it as .xlsx".into(),
        );
    }
    match by_ext {
        Some(Format::Delimited) | None => Ok(Format::Delimited),
        Some(_) => {
            // A "spreadsheet" that is really text: read it as delimited text if it is text.
            let binary = bytes.iter().take(4096).filter(|&&b| b == 0).count() > 0
                && !bytes.starts_with(&[0xFF, 0xFE])
                && !bytes.starts_with(&[0xFE, 0xFF]);
            if binary {
                Err(format!(
                    "is not a readable .{ext} file (not a zip or OLE workbook): is it corrupt or \
                     truncated? Re-export it, or save it from Excel as .xlsx"
                ))
            } else {
                Ok(Format::Delimited)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Workbooks

/// Opens a workbook with calamine.
fn open_sheets<RS: Read + Seek>(cursor: RS, format: Format) -> Result<Sheets<RS>, String> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    let opened: Result<Sheets<RS>, String> = match format {
        Format::Xlsx | Format::Xlsm => open_workbook_from_rs::<Xlsx<_>, _>(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Format::Xlsb => open_workbook_from_rs::<Xlsb<_>, _>(cursor)
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        Format::Xls => open_workbook_from_rs::<Xls<_>, _>(cursor)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        Format::Ods => open_workbook_from_rs::<Ods<_>, _>(cursor)
            .map(Sheets::Ods)
            .map_err(|e| e.to_string()),
        Format::Delimited => Err("not a workbook".into()),
    };
    opened.map_err(|e| {
        format!("cannot open as a workbook ({e}): is it corrupt, truncated or password-protected? Re-save it from Excel")
    })
}

/// Uncompressed bytes from which a worksheet is worth a reader of its own (about 40,000
/// rows of a dozen columns).
const LARGE_SHEET_BYTES: u64 = 16 << 20;

/// How many worksheets of a zip workbook hold [`LARGE_SHEET_BYTES`] or more, from its
/// central directory (0 when it cannot be read).
fn large_sheet_parts(file: &File) -> usize {
    let mut source = BufReader::new(file);
    if source.seek(SeekFrom::Start(0)).is_err() {
        return 0;
    }
    let Ok(archive) = zip::ZipArchive::new(source) else {
        return 0;
    };
    (0..archive.len())
        .filter_map(|i| archive.by_index_data(i).ok())
        .filter(|entry| {
            entry.size() >= LARGE_SHEET_BYTES
                && entry.name().is_ok_and(|name| {
                    name.starts_with("xl/worksheets/")
                        && !name.contains("/_rels/")
                        && (name.ends_with(".xml") || name.ends_with(".bin"))
                })
        })
        .count()
}

/// Opens the workbook being read once more, on a handle of its own, for a sheet reader of
/// its own (None when it cannot be: the sheets are then read one after the other).
type OpenAgain<'a> = dyn Fn() -> Option<BufReader<File>> + Sync + 'a;

fn read_workbook<RS: Read + Seek>(
    cursor: RS,
    format: Format,
    opts: &ReadOptions,
    mut sink: Option<&mut dyn RowSink>,
    again: Option<&OpenAgain<'_>>,
) -> Result<(Vec<HoldingsTable>, Vec<SkippedSheet>), String> {
    let mut workbook = open_sheets(cursor, format)?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|m| m.typ != SheetType::ChartSheet && m.typ != SheetType::Vba)
        .map(|m| m.name.clone())
        .collect();
    let readers = opts.sheet_readers.min(sheets.len());
    let reads: Vec<SheetRead> = match (again, &mut sink) {
        // The caller offers other handles only for workbooks worth them (see `read_file`).
        (Some(again), Some(sink)) if readers > 1 => read_sheets_at_once(
            &mut workbook,
            &sheets,
            format,
            opts,
            &mut **sink,
            again,
            readers,
        ),
        _ => sheets
            .iter()
            .map(|sheet| {
                let sheet_sink = sink.as_mut().map(|s| &mut **s as &mut dyn RowSink);
                read_sheet(&mut workbook, sheet, opts, sheet_sink)
            })
            .collect(),
    };
    let mut tables = Vec::new();
    let mut skipped = Vec::new();
    for read in reads {
        skipped.extend(read.skipped);
        tables.extend(read.table);
    }
    Ok((tables, skipped))
}

/// What reading one sheet gave: its table, and why it was skipped or read only in part.
#[derive(Debug, Default)]
struct SheetRead {
    table: Option<HoldingsTable>,
    skipped: Vec<SkippedSheet>,
}

/// Read one sheet of `workbook` into a table, its data rows given to `sink` if any.
fn read_sheet<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    sheet: &str,
    opts: &ReadOptions,
    sink: Option<&mut dyn RowSink>,
) -> SheetRead {
    let mut read = SheetRead::default();
    // xlsx and xlsb sheets are streamed cell by cell (a whole range of a large sheet
    // costs as much memory as the file's text); xls and ods are read as a range.
    let mut builder = TableBuilder::new(opts, Some(sheet), sink);
    let streamed: Result<(), String> = match workbook {
        Sheets::Xlsx(wb) => match wb.worksheet_cells_reader(sheet) {
            Ok(mut cells) => stream_cells(&mut builder, || {
                cells.next_cell().map_err(|e| e.to_string())
            }),
            Err(e) => Err(e.to_string()),
        },
        Sheets::Xlsb(wb) => match wb.worksheet_cells_reader(sheet) {
            Ok(mut cells) => stream_cells(&mut builder, || {
                cells.next_cell().map_err(|e| e.to_string())
            }),
            Err(e) => Err(e.to_string()),
        },
        other => match other.worksheet_range(sheet) {
            Ok(range) => {
                let (row0, col0) = range.start().unwrap_or((0, 0));
                for (i, cells) in range.rows().enumerate() {
                    let mut row: Vec<Cell> = vec![Cell::Empty; col0 as usize];
                    row.extend(cells.iter().map(cell_from_data));
                    builder.push(row0 + i as u32 + 1, row);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
    };
    if let Err(e) = streamed {
        // Rows already read (and, streaming, already screened) are kept: the rest of
        // the sheet is reported as unreadable from that row on.
        if builder.row_count == 0 && builder.rows_sent == 0 {
            read.skipped.push(SkippedSheet {
                sheet: sheet.to_string(),
                reason: format!("unreadable: {e}"),
            });
            return read;
        }
        read.skipped.push(SkippedSheet {
            sheet: sheet.to_string(),
            reason: format!(
                "unreadable after row {}: {e}; the rows above it were read",
                builder.last_row
            ),
        });
    }
    match builder.finish() {
        Ok(mut table) => {
            table.sheet = Some(sheet.to_string());
            read.table = Some(table);
        }
        Err(reason) => read.skipped.push(SkippedSheet {
            sheet: sheet.to_string(),
            reason,
        }),
    }
    read
}

/// Batches of rows a sheet read ahead of its turn may hold (about 2 MB each for a sheet
/// of a dozen columns).
const SHEET_AHEAD_BATCHES: usize = 24;

/// What a sheet read ahead of its turn sends: its rows in batches, then its read.
enum AheadMsg {
    Rows(Arc<TableHeader>, PackedRows),
    Done(SheetRead),
    /// Its reading panicked: the panic goes on where the rows are given.
    Panicked(Box<dyn std::any::Any + Send>),
}

/// The [`RowSink`] of a sheet read ahead of its turn: its rows go down a channel, in
/// batches, for the thread reading the workbook to give to its sink in sheet order.
struct AheadSink {
    tx: std::sync::mpsc::SyncSender<AheadMsg>,
    /// Rows given one at a time (the first ones, held while the header was looked for).
    pending: Option<(Arc<TableHeader>, PackedRows)>,
}

impl AheadSink {
    fn flush(&mut self) {
        if let Some((header, rows)) = self.pending.take()
            && !rows.is_empty()
        {
            let _ = self.tx.send(AheadMsg::Rows(header, rows));
        }
    }
}

impl RowSink for AheadSink {
    fn row(
        &mut self,
        _sheet: Option<&str>,
        header: &Arc<TableHeader>,
        number: u32,
        cells: &mut Vec<Cell>,
    ) {
        if self
            .pending
            .as_ref()
            .is_some_and(|(h, _)| !Arc::ptr_eq(h, header))
        {
            self.flush();
        }
        let (_, rows) = self
            .pending
            .get_or_insert_with(|| (Arc::clone(header), PackedRows::default()));
        rows.push_cells(number, cells);
        if rows.len() >= PACK_ROWS {
            self.flush();
        }
    }

    fn packed_rows(
        &mut self,
        _sheet: Option<&str>,
        header: &Arc<TableHeader>,
        rows: &mut PackedRows,
    ) {
        self.flush();
        let next = PackedRows::with_room_of(rows);
        let rows = std::mem::replace(rows, next);
        let _ = self.tx.send(AheadMsg::Rows(Arc::clone(header), rows));
    }
}

/// Read the sheets of a large zip workbook on `readers` threads at once (this one and
/// others, each with the workbook open on a handle of its own), their rows given to `sink`
/// in sheet order as if read one after the other. The sheets are taken in order by
/// whichever reader is free; a sheet read ahead of its turn waits once it holds
/// [`SHEET_AHEAD_BATCHES`] batches. Before it reads a sheet, this thread gives the sink
/// every sheet before it (read by the others): the sheet being given is always being read
/// or done, so the run cannot stall.
fn read_sheets_at_once<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    sheets: &[String],
    format: Format,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
    again: &OpenAgain<'_>,
    readers: usize,
) -> Vec<SheetRead> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{Receiver, sync_channel};
    let n = sheets.len();
    let next = AtomicUsize::new(0);
    let (senders, receivers): (Vec<_>, Vec<Receiver<AheadMsg>>) = (0..n)
        .map(|_| sync_channel::<AheadMsg>(SHEET_AHEAD_BATCHES))
        .unzip();
    let senders: Vec<std::sync::Mutex<Option<std::sync::mpsc::SyncSender<AheadMsg>>>> = senders
        .into_iter()
        .map(|tx| std::sync::Mutex::new(Some(tx)))
        .collect();
    let mut reads: Vec<SheetRead> = Vec::with_capacity(n);
    std::thread::scope(|scope| {
        // The receivers are owned here, so that should this thread panic (a malformed
        // sheet can make a parser panic) they are dropped before the scope waits for the
        // other readers: a reader waiting to send is then let go instead of waiting for
        // ever.
        let receivers = receivers;
        for _ in 1..readers {
            scope.spawn(|| {
                // A reader that cannot open the workbook takes no sheet.
                let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    again().and_then(|file| open_sheets(file, format).ok())
                }));
                let Ok(Some(mut other)) = opened else {
                    return;
                };
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= n {
                        break;
                    }
                    let Some(tx) = senders[k].lock().ok().and_then(|mut s| s.take()) else {
                        break;
                    };
                    let mut ahead = AheadSink {
                        tx: tx.clone(),
                        pending: None,
                    };
                    // A sheet whose reading panics (a malformed sheet can make a parser
                    // panic) makes the workbook's reading panic where its rows are given,
                    // as when this thread reads it: the file is then unreadable, whatever
                    // the thread that met the fault.
                    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let read = read_sheet(&mut other, &sheets[k], opts, Some(&mut ahead));
                        ahead.flush();
                        read
                    }));
                    let (msg, go_on) = match read {
                        Ok(read) => (AheadMsg::Done(read), true),
                        Err(panic) => (AheadMsg::Panicked(panic), false),
                    };
                    // Nobody to give it to: the workbook's reading stopped.
                    if tx.send(msg).is_err() || !go_on {
                        break;
                    }
                }
            });
        }
        // Gives the sink sheet `k`, read by another thread, as it comes.
        let give = |k: usize, sink: &mut dyn RowSink| -> SheetRead {
            for msg in receivers[k].iter() {
                match msg {
                    AheadMsg::Rows(header, mut rows) => {
                        sink.packed_rows(Some(&sheets[k]), &header, &mut rows);
                    }
                    AheadMsg::Done(read) => return read,
                    AheadMsg::Panicked(panic) => std::panic::resume_unwind(panic),
                }
            }
            // Its reader stopped without a word (it cannot: it sends Done even when the
            // sheet fails); said rather than lost.
            SheetRead {
                table: None,
                skipped: vec![SkippedSheet {
                    sheet: sheets[k].clone(),
                    reason: "unreadable: its reader stopped before the end of the sheet".into(),
                }],
            }
        };
        loop {
            let k = next.fetch_add(1, Ordering::SeqCst).min(n);
            while reads.len() < k {
                let read = give(reads.len(), sink);
                reads.push(read);
            }
            if k >= n {
                break;
            }
            reads.push(read_sheet(workbook, &sheets[k], opts, Some(sink)));
        }
    });
    reads
}

/// Rows of cells with the texts of all their cells in one string: how a sheet's rows are
/// read and sent to the workers without a string per cell. Allocating a string per cell
/// on the reading thread, to be freed by another thread, costs the reading thread (the
/// slowest part of a spreadsheet's run) far more than copying the text twice; cells are
/// 16 bytes each, so that packing a row writes little more than its text.
#[derive(Debug, Default)]
pub struct PackedRows {
    text: String,
    cells: Vec<PackedCell>,
    /// Cells that do not fit a [`PackedCell`] (error values; texts past 4 GB of a batch).
    others: Vec<Cell>,
    /// Per row: its number, and the end of its cells in `cells`.
    rows: Vec<(u32, usize)>,
}

#[derive(Debug, Clone, Copy)]
enum PackedCell {
    Empty,
    /// A text cell: where its text starts and ends in `PackedRows::text`.
    Text(u32, u32),
    Number(f64),
    Bool(bool),
    Date(chrono::NaiveDate),
    /// Any other cell: its place in `PackedRows::others`.
    Other(u32),
}

impl PackedRows {
    /// Empty, with room for as much as `other` holds.
    pub fn with_room_of(other: &PackedRows) -> Self {
        PackedRows {
            text: String::with_capacity(other.text.len()),
            cells: Vec::with_capacity(other.cells.len()),
            others: Vec::new(),
            rows: Vec::with_capacity(other.rows.len()),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Bytes of memory the rows take (their buffers' room).
    pub fn bytes(&self) -> usize {
        self.text.capacity()
            + self.cells.capacity() * std::mem::size_of::<PackedCell>()
            + self.others.capacity() * std::mem::size_of::<Cell>()
            + self.rows.capacity() * std::mem::size_of::<(u32, usize)>()
    }

    /// Make room for about `text` bytes of text, `cells` cells and `rows` rows more.
    pub fn reserve(&mut self, text: usize, cells: usize, rows: usize) {
        self.text.reserve(text);
        self.cells.reserve(cells);
        self.rows.reserve(rows);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Remove every row, keeping the room.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.others.clear();
        self.rows.clear();
    }

    /// Where the open (not yet ended) row's cells start.
    fn open_row_start(&self) -> usize {
        self.rows.last().map_or(0, |r| r.1)
    }

    /// Put a cell in the open row at column `col` (0-based), the columns before it empty.
    fn set(&mut self, col: usize, cell: PackedCell) {
        let at = self.open_row_start() + col;
        if at < self.cells.len() {
            self.cells[at] = cell;
        } else {
            while self.cells.len() < at {
                self.cells.push(PackedCell::Empty);
            }
            self.cells.push(cell);
        }
    }

    fn set_other(&mut self, col: usize, cell: Cell) {
        let cell = self.other_cell(cell);
        self.set(col, cell);
    }

    fn set_text(&mut self, col: usize, text: &str) {
        let cell = self.text_cell(text);
        self.set(col, cell);
    }

    /// A text cell of `text`, its text added to the batch's (past 4 GB of text, among the
    /// other cells).
    fn text_cell(&mut self, text: &str) -> PackedCell {
        let start = self.text.len();
        match (u32::try_from(start), u32::try_from(start + text.len())) {
            (Ok(a), Ok(b)) => {
                self.text.push_str(text);
                PackedCell::Text(a, b)
            }
            _ => self.other_cell(Cell::Text(text.to_string())),
        }
    }

    /// An odd cell, kept among the other cells (past four billion of them, empty: no sheet
    /// gives so many in one batch).
    fn other_cell(&mut self, cell: Cell) -> PackedCell {
        match u32::try_from(self.others.len()) {
            Ok(i) => {
                self.others.push(cell);
                PackedCell::Other(i)
            }
            Err(_) => PackedCell::Empty,
        }
    }

    /// Where the cell at column `col` (0-based) of the open row is kept in `cells`.
    fn slot(&self, col: usize) -> usize {
        self.open_row_start() + col
    }

    /// Hold the place of a text cell at column `col` of the open row, its text to be put
    /// there later by [`Self::put_text`]; returns the place (its [`Self::slot`]).
    fn hold_text(&mut self, col: usize) -> usize {
        self.set(col, PackedCell::Empty);
        self.slot(col)
    }

    /// Put the text of the cell whose place [`Self::hold_text`] holds.
    fn put_text(&mut self, slot: usize, text: &str) {
        self.cells[slot] = self.text_cell(text);
    }

    fn set_value(&mut self, col: usize, cell: Cell) {
        match cell {
            Cell::Empty => self.set(col, PackedCell::Empty),
            Cell::Text(t) => self.set_text(col, &t),
            Cell::Number(n) => self.set(col, PackedCell::Number(n)),
            Cell::Bool(b) => self.set(col, PackedCell::Bool(b)),
            Cell::Date(d) => self.set(col, PackedCell::Date(d)),
            other @ Cell::Error(_) => self.set_other(col, other),
        }
    }

    /// End the open row: it is row `number`.
    fn end_row(&mut self, number: u32) {
        self.rows.push((number, self.cells.len()));
    }

    /// Add a row of cells, taking them (the vector is left empty, its room kept).
    pub fn push_cells(&mut self, number: u32, cells: &mut Vec<Cell>) {
        for (col, cell) in cells.drain(..).enumerate() {
            self.set_value(col, cell);
        }
        self.end_row(number);
    }

    /// Add a record of a text file as row `number`, its fields decoded with `encoding`.
    fn push_record(&mut self, number: u32, record: &csv::ByteRecord, encoding: TextEncoding) {
        self.push_text_fields(number, record.as_slice(), record.iter(), encoding);
    }

    /// Add a record parsed by csv-core as row `number`: its fields' bytes one after the
    /// other in `bytes`, field `i` ending at `ends[i]`.
    pub(super) fn push_fields(
        &mut self,
        number: u32,
        bytes: &[u8],
        ends: &[usize],
        encoding: TextEncoding,
    ) {
        let fields = ends.iter().scan(0, |start, &end| {
            let field = &bytes[*start..end];
            *start = end;
            Some(field)
        });
        self.push_text_fields(number, bytes, fields, encoding);
    }

    /// Add a line of a text file split at its delimiters as row `number`: field `i` ends
    /// at `ends[i]` in `line`, the next starting one byte (the delimiter) after.
    pub(super) fn push_separated(
        &mut self,
        number: u32,
        line: &[u8],
        ends: &[usize],
        encoding: TextEncoding,
    ) {
        match encoding.whole_text(line) {
            Some(text) => self.push_separated_text(number, text, ends),
            None => {
                let fields = separated(line, ends).map(|f| encoding.decode(f));
                self.push_each(number, fields);
            }
        }
    }

    /// [`Self::push_separated`] for a line known to be text.
    pub(super) fn push_separated_text(&mut self, number: u32, line: &str, ends: &[usize]) {
        let base = self.text.len();
        if u32::try_from(base + line.len()).is_err() {
            // Past 4 GB of text in one batch: each field on its own.
            let mut start = 0;
            let fields = ends.iter().map(|&end| {
                let field = &line[start..end];
                start = end + 1;
                Cow::Borrowed(field)
            });
            self.push_each(number, fields);
            return;
        }
        // Each field is text of its own: the delimiter is an ASCII byte.
        self.text.push_str(line);
        let mut start = 0;
        for &end in ends {
            self.cells.push(if end == start {
                PackedCell::Empty
            } else {
                // Both fit in u32: checked above for the line's end.
                PackedCell::Text((base + start) as u32, (base + end) as u32)
            });
            start = end + 1;
        }
        self.end_row(number);
    }

    /// Add a record whose fields (`fields`, in order) are the whole of `bytes`.
    fn push_text_fields<'f>(
        &mut self,
        number: u32,
        bytes: &[u8],
        fields: impl Iterator<Item = &'f [u8]> + Clone,
        encoding: TextEncoding,
    ) {
        // Usually the whole record is text as it is: its bytes are copied at once.
        let whole = encoding.whole_text(bytes).filter(|text| {
            // Each field must be text of its own (a character split across two fields is
            // two invalid fields).
            let mut end = 0;
            fields.clone().all(|f| {
                end += f.len();
                text.is_char_boundary(end)
            })
        });
        let base = self.text.len();
        match whole {
            Some(text) if u32::try_from(base + text.len()).is_ok() => {
                self.text.push_str(text);
                let mut start = base;
                for f in fields {
                    let end = start + f.len();
                    self.cells.push(if f.is_empty() {
                        PackedCell::Empty
                    } else {
                        // Both fit in u32: checked above for the record's end.
                        PackedCell::Text(start as u32, end as u32)
                    });
                    start = end;
                }
                self.end_row(number);
            }
            _ => self.push_each(number, fields.map(|f| encoding.decode(f))),
        }
    }

    /// Add row `number` of the texts of its cells, each on its own (empty texts as empty
    /// cells).
    fn push_each<'t>(&mut self, number: u32, fields: impl Iterator<Item = Cow<'t, str>>) {
        for (col, f) in fields.enumerate() {
            if f.is_empty() {
                self.set(col, PackedCell::Empty);
            } else {
                self.set_text(col, &f);
            }
        }
        self.end_row(number);
    }

    /// Add every row of `other`.
    pub fn append(&mut self, other: &PackedRows) {
        for i in 0..other.len() {
            let start = if i == 0 { 0 } else { other.rows[i - 1].1 };
            let (number, end) = other.rows[i];
            for (col, c) in other.cells[start..end].iter().enumerate() {
                match *c {
                    PackedCell::Text(a, b) => {
                        self.set_text(col, &other.text[a as usize..b as usize])
                    }
                    PackedCell::Other(j) => self.set_other(col, other.others[j as usize].clone()),
                    plain => self.set(col, plain),
                }
            }
            self.end_row(number);
        }
    }

    /// A cell of the rows, borrowed.
    #[inline]
    fn cell_ref(&self, c: PackedCell) -> CellRef<'_> {
        match c {
            PackedCell::Empty => CellRef::Empty,
            PackedCell::Text(a, b) => CellRef::Text(&self.text[a as usize..b as usize]),
            PackedCell::Number(n) => CellRef::Number(n),
            PackedCell::Bool(b) => CellRef::Bool(b),
            PackedCell::Date(d) => CellRef::Date(d),
            PackedCell::Other(i) => self.others[i as usize].as_ref(),
        }
    }

    /// Row `i`: its number and its cells, borrowed.
    fn row_cells(&self, i: usize) -> (u32, PackedRowCells<'_>) {
        let start = if i == 0 { 0 } else { self.rows[i - 1].1 };
        let (number, end) = self.rows[i];
        (
            number,
            PackedRowCells {
                rows: self,
                cells: &self.cells[start..end],
            },
        )
    }

    fn cell(&self, c: PackedCell) -> Cell {
        match c {
            PackedCell::Empty => Cell::Empty,
            PackedCell::Text(a, b) => Cell::Text(self.text[a as usize..b as usize].to_string()),
            PackedCell::Number(n) => Cell::Number(n),
            PackedCell::Bool(b) => Cell::Bool(b),
            PackedCell::Date(d) => Cell::Date(d),
            PackedCell::Other(i) => self.others[i as usize].clone(),
        }
    }

    /// Whether any cell of the rows holds something.
    fn any_filled(&self) -> bool {
        self.cells.iter().any(|c| match *c {
            PackedCell::Empty => false,
            PackedCell::Text(a, b) => !trim_ws(&self.text[a as usize..b as usize]).is_empty(),
            PackedCell::Other(i) => !self.others[i as usize].is_blank(),
            _ => true,
        })
    }

    /// Row `i`: its number and its cells (each text a string of its own).
    pub fn row(&self, i: usize) -> (u32, Vec<Cell>) {
        let start = if i == 0 { 0 } else { self.rows[i - 1].1 };
        let (number, end) = self.rows[i];
        let cells = self.cells[start..end]
            .iter()
            .map(|&c| self.cell(c))
            .collect();
        (number, cells)
    }
}

/// Rows a reader packs before giving them to the table builder.
const PACK_ROWS: usize = 8192;

/// Feeds a sheet's cells, streamed in row order, to a table builder as rows: cells at
/// their absolute columns, the rows between two non-empty ones as blank rows (as a range
/// would give them), empty cells skipped.
fn stream_cells<'a>(
    builder: &mut TableBuilder<'_, '_>,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, String>,
) -> Result<(), String> {
    // The rows being read, packed (texts in one string) a batch at a time: a cell's text is
    // copied from calamine's string into it, never into a string of its own.
    let mut current: Option<u32> = None;
    let mut row = PackedRows::default();
    // Shared strings not yet copied, oldest first: each cell's place and its text in
    // calamine's table. The table's strings lie all over the heap, so a copy made at once
    // waits on memory; the text's first bytes are asked for when the cell is read and
    // copied `COPY_LAG` shared strings later (one cell is several hundred nanoseconds of
    // reading XML, longer than a load from memory). Places only grow along a sheet; a cell
    // at or before a held place (a malformed sheet) first puts every held text, so that the
    // cells are as they would be copied at once.
    const COPY_LAG: usize = 2;
    let mut held: VecDeque<(usize, &'a str)> = VecDeque::with_capacity(COPY_LAG + 1);
    let put_held = |row: &mut PackedRows, held: &mut VecDeque<(usize, &'a str)>| {
        for (slot, text) in held.drain(..) {
            row.put_text(slot, text);
        }
    };
    loop {
        let cell = match next() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                // The whole rows read before the fault are read: the open row is dropped.
                put_held(&mut row, &mut held);
                row.cells.truncate(row.open_row_start());
                builder.push_packed(&mut row);
                return Err(e);
            }
        };
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if *value == DataRef::Empty {
            continue;
        }
        let number = r + 1;
        match current {
            Some(n) if n == number => {}
            Some(n) if n > number => {
                // The row before the fault is whole: it is read.
                put_held(&mut row, &mut held);
                row.end_row(n);
                builder.push_packed(&mut row);
                return Err(format!("cells out of order at row {number}"));
            }
            _ => {
                if let Some(n) = current {
                    row.end_row(n);
                    for blank in n + 1..number {
                        row.end_row(blank);
                    }
                    if row.len() >= PACK_ROWS {
                        put_held(&mut row, &mut held);
                        builder.push_packed(&mut row);
                    }
                }
                current = Some(number);
            }
        }
        let c = c as usize;
        if held.back().is_some_and(|&(last, _)| row.slot(c) <= last) {
            put_held(&mut row, &mut held);
        }
        match value {
            DataRef::SharedString(s) => {
                crate::util::prefetch(s);
                let slot = row.hold_text(c);
                held.push_back((slot, s));
                if held.len() > COPY_LAG
                    && let Some((slot, text)) = held.pop_front()
                {
                    row.put_text(slot, text);
                }
            }
            DataRef::String(s) => row.set_text(c, s),
            other => row.set_value(c, cell_from_data_ref(other)),
        }
    }
    put_held(&mut row, &mut held);
    if let Some(n) = current {
        row.end_row(n);
        builder.push_packed(&mut row);
    }
    Ok(())
}

fn cell_from_data_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::SharedString(s) => Cell::Text((*s).into()),
        DataRef::String(s) => Cell::Text(s.as_str().into()),
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        other => cell_from_data(&Data::from(other.clone())),
    }
}

fn cell_from_data(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.as_str().into()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                match dt.as_datetime() {
                    Some(t) => Cell::Date(t.date()),
                    None => Cell::Number(dt.as_f64()),
                }
            } else {
                Cell::Number(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) => {
            match chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s.as_str().into()),
            }
        }
        Data::DurationIso(s) => Cell::Text(s.as_str().into()),
        Data::Error(e) => Cell::Error(format!("#{e:?}").to_uppercase()),
    }
}

// ---------------------------------------------------------------------------------------
// CSV / TSV

/// What reading a delimited-text file gave.
struct DelimitedRead {
    table: Option<HoldingsTable>,
    skipped: Option<SkippedSheet>,
    digest: FileDigest,
}

/// How the bytes of a text file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextEncoding {
    /// UTF-8 (the file's head is UTF-8); a field that is not is read as Windows-1252.
    Utf8,
    /// Windows-1252 (the file's head is not UTF-8): Excel's "CSV" on Western Windows.
    Windows1252,
}

impl TextEncoding {
    /// `bytes` as text when they are text as they are in this encoding (UTF-8; ASCII for
    /// Windows-1252): then taken without decoding.
    pub(super) fn whole_text(self, bytes: &[u8]) -> Option<&str> {
        match self {
            TextEncoding::Utf8 => std::str::from_utf8(bytes).ok(),
            TextEncoding::Windows1252 => bytes
                .is_ascii()
                .then(|| std::str::from_utf8(bytes).ok())
                .flatten(),
        }
    }

    fn decode<'a>(self, field: &'a [u8]) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        if (self == TextEncoding::Utf8 || field.is_ascii())
            && let Ok(s) = std::str::from_utf8(field)
        {
            return Cow::Borrowed(s);
        }
        Cow::Owned(field.iter().map(|&b| windows_1252(b)).collect())
    }
}

/// The fields of `line` ending at `ends`, each past the one-byte delimiter after the last.
fn separated<'l>(line: &'l [u8], ends: &'l [usize]) -> impl Iterator<Item = &'l [u8]> + 'l {
    let mut start = 0;
    ends.iter().map(move |&end| {
        let field = &line[start..end];
        start = end + 1;
        field
    })
}

/// A delimited-text file given to the csv reader as a stream: the head already read, then
/// the rest of the file. The file's SHA-256 is taken from the bytes as they pass, and the
/// bytes given are kept until the records before them are numbered, so that every record
/// gets the line it starts on (the csv crate's own line numbers lag behind blank lines and
/// CRLF).
struct TextStream<R> {
    head: Vec<u8>,
    /// Where the csv reader's stream starts in `head` (after a BOM and a `sep=` line).
    head_pos: usize,
    rest: R,
    /// None when the bytes given are not the file's own (a UTF-16 file decoded whole).
    hasher: Option<Sha256>,
    file_bytes: u64,
    /// Bytes given to the csv reader from stream offset `seen_base` on.
    seen: Vec<u8>,
    seen_base: u64,
    /// Index in `seen` up to which newlines are counted, and their count.
    counted: usize,
    newlines: u32,
    /// Whether the bytes given are kept in `seen` (until the records are read elsewhere).
    keep_seen: bool,
}

impl<R: Read> Read for TextStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.head_pos < self.head.len() {
            let n = (self.head.len() - self.head_pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            n
        } else {
            let n = self.rest.read(buf)?;
            if let Some(h) = &mut self.hasher {
                h.update(&buf[..n]);
                self.file_bytes += n as u64;
            }
            n
        };
        if self.keep_seen {
            self.seen.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl<R: Read> TextStream<R> {
    /// `head` is the file's first bytes, already read (hashed here); `rest` the remainder.
    fn new(head: Vec<u8>, head_pos: usize, rest: R) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(&head);
        TextStream {
            file_bytes: head.len() as u64,
            head,
            head_pos,
            rest,
            hasher: Some(hasher),
            seen: Vec::new(),
            seen_base: 0,
            counted: 0,
            newlines: 0,
            keep_seen: true,
        }
    }

    /// The bytes given from stream offset `byte` on (a record's start, past the records
    /// numbered so far), with the number of newlines before them; the bytes given from
    /// now on are no longer kept.
    fn take_rest_from(&mut self, byte: u64) -> (Vec<u8>, u32) {
        let at = (byte.saturating_sub(self.seen_base) as usize)
            .min(self.seen.len())
            .max(self.counted.min(self.seen.len()));
        let newlines = self
            .newlines
            .saturating_add(count_lines(&self.seen[self.counted.min(at)..at]));
        let rest = self.seen.split_off(at);
        self.seen = Vec::new();
        self.keep_seen = false;
        (rest, newlines)
    }

    /// The number of newlines before the record the csv reader placed at stream offset
    /// `byte` (which may point at line ends before it). Records are asked in order.
    fn newlines_before(&mut self, byte: u64) -> u32 {
        let seen = &self.seen;
        let mut at = (byte.saturating_sub(self.seen_base) as usize)
            .max(self.counted)
            .min(seen.len());
        while at < seen.len() && matches!(seen[at], b'\r' | b'\n') {
            at += 1;
        }
        // Found with vector instructions (a line is tens of bytes).
        let newlines = memchr::memchr_iter(b'\n', &seen[self.counted..at]).count();
        self.newlines = self
            .newlines
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.counted = at;
        if self.counted >= 1 << 16 {
            self.seen.drain(..self.counted);
            self.seen_base += self.counted as u64;
            self.counted = 0;
        }
        self.newlines
    }

    /// The file's digest, reading (and hashing) what the csv reader left unread.
    fn finish(mut self) -> std::io::Result<Option<FileDigest>> {
        let Some(mut hasher) = self.hasher.take() else {
            return Ok(None);
        };
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = self.rest.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            self.file_bytes += n as u64;
        }
        Ok(Some(FileDigest {
            sha256: hex(&hasher.finalize()),
            bytes: self.file_bytes,
        }))
    }
}

/// Read a delimited-text file from its head (the first bytes, already read) and the rest.
/// `Err` only when the file cannot be read to its end for its digest.
fn read_delimited(
    mut head: Vec<u8>,
    mut rest: impl Read,
    tab_default: bool,
    opts: &ReadOptions,
    sink: Option<&mut dyn RowSink>,
) -> std::io::Result<DelimitedRead> {
    const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
    // UTF-16 (rare: some Excel "Unicode text" exports) is decoded whole, then read as UTF-8.
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let mut whole_digest = None;
    if utf16 {
        rest.read_to_end(&mut head)?;
        whole_digest = Some(FileDigest {
            sha256: sha256_hex(&head),
            bytes: head.len() as u64,
        });
        head = decode_text(&head).into_owned().into_bytes();
    }
    let encoding = match std::str::from_utf8(&head) {
        Ok(_) => TextEncoding::Utf8,
        // A multi-byte character cut at the end of the head is still UTF-8.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Windows1252,
    };
    let mut start = if head.starts_with(UTF8_BOM) { 3 } else { 0 };
    // Excel's "sep=;" hint line.
    let mut hinted = None;
    let mut first_line = 1u32;
    {
        let body = &head[start..];
        let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
        let line = body[..end].strip_suffix(b"\r").unwrap_or(&body[..end]);
        if let Some(sep) = line.trim_ascii().strip_prefix(b"sep=")
            && let Some(&c) = sep.first()
            && c.is_ascii()
        {
            hinted = Some(c);
            start += (end + 1).min(body.len());
            first_line = 2;
        }
    }
    let delimiter = hinted.unwrap_or_else(|| {
        // The head's whole lines.
        let body = &head[start..];
        let whole = match body.iter().rposition(|&b| b == b'\n') {
            Some(i) if body.len() == HEAD_BYTES - start => &body[..i],
            _ => body,
        };
        sniff_delimiter(&encoding.decode(whole), tab_default)
    });
    let stream = if utf16 {
        let mut s = TextStream::new(head, start, rest);
        s.hasher = None;
        s
    } else {
        TextStream::new(head, start, rest)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(stream);
    let mut builder = TableBuilder::new(opts, None, sink);
    let mut record = csv::ByteRecord::new();
    // Records are packed (their texts in one string) a batch at a time.
    let mut packed = PackedRows::default();
    let mut failed = None;
    let mut last_line = first_line.saturating_sub(1);
    // Once the header is known and rows go to a sink, the rest of the file goes to it as
    // text in chunks of whole records, parsed by the sink's workers (a delimiter that is a
    // quote or a line end cannot be cut without parsing).
    let chunks = !matches!(delimiter, b'"' | b'\n' | b'\r');
    let mut chunks_from = None;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let byte = record.position().map(|p| p.byte()).unwrap_or(0);
                let line = reader
                    .get_mut()
                    .newlines_before(byte)
                    .saturating_add(first_line);
                packed.push_record(line, &record, encoding);
                last_line = line;
                // Until the header is known, rows go to the builder a few at a time,
                // so that chunks start soon after it.
                if packed.len() >= PACK_ROWS || (chunks && packed.len() > HEADER_SCAN_ROWS) {
                    builder.push_packed(&mut packed);
                    if chunks && builder.streams() {
                        chunks_from = Some(reader.position().byte());
                        break;
                    }
                }
            }
            Ok(false) => break,
            Err(e) => {
                // Only I/O errors can occur here (flexible reader, bytes): after the last
                // whole record.
                failed = Some((last_line, e));
                break;
            }
        }
    }
    builder.push_packed(&mut packed);
    let mut stream = reader.into_inner();
    if let Some(byte) = chunks_from {
        let (rest, newlines) = stream.take_rest_from(byte);
        let at_line = first_line.saturating_add(newlines);
        let mut chunk = TextChunk::new(delimiter, encoding);
        if let Err((line, e)) = read_chunks(&mut stream, rest, at_line, &mut chunk, &mut builder) {
            failed = Some((line, csv::Error::from(e)));
        }
    }
    let digest = match stream.finish()? {
        Some(d) => d,
        None => whole_digest.unwrap_or(FileDigest {
            sha256: String::new(),
            bytes: 0,
        }),
    };
    let (table, skipped) = match failed {
        Some((line, e)) if builder.row_count == 0 && builder.rows_sent == 0 => (
            None,
            Some(SkippedSheet {
                sheet: String::new(),
                reason: if line == 0 {
                    format!("unreadable: {e}")
                } else {
                    format!("unreadable after line {line}: {e}")
                },
            }),
        ),
        // Rows already read (and, streaming, already screened) are kept.
        Some((line, e)) => (
            builder.finish().ok(),
            Some(SkippedSheet {
                sheet: String::new(),
                reason: format!("unreadable after line {line}: {e}; the lines above it were read"),
            }),
        ),
        None => match builder.finish() {
            Ok(t) => (Some(t), None),
            Err(reason) => (
                None,
                Some(SkippedSheet {
                    sheet: String::new(),
                    reason,
                }),
            ),
        },
    };
    Ok(DelimitedRead {
        table,
        skipped,
        digest,
    })
}

/// The rest of a delimited-text file, from `rest` (the bytes already given, starting at a
/// record on line `line`) on, given to `builder`'s sink in chunks of whole records, as
/// text. Err: the I/O error that stopped the reading, and the last line whose records were
/// given.
fn read_chunks<R: Read>(
    stream: &mut TextStream<R>,
    rest: Vec<u8>,
    mut line: u32,
    chunk: &mut TextChunk,
    builder: &mut TableBuilder,
) -> Result<(), (u32, std::io::Error)> {
    /// Bytes asked of the file at a time.
    const READ_BYTES: usize = 64 << 10;
    chunk.bytes = rest;
    chunk.bytes.reserve(CHUNK_BYTES + READ_BYTES);
    // The bytes past a chunk's last record, for the next one.
    let mut carry: Vec<u8> = Vec::new();
    let mut want = CHUNK_BYTES;
    let mut eof = false;
    let mut failed = None;
    while !eof || !chunk.bytes.is_empty() {
        while !eof && chunk.bytes.len() < want {
            let len = chunk.bytes.len();
            chunk.bytes.resize(len + READ_BYTES, 0);
            match stream.read(&mut chunk.bytes[len..]) {
                Ok(0) => {
                    chunk.bytes.truncate(len);
                    eof = true;
                }
                Ok(n) => chunk.bytes.truncate(len + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => chunk.bytes.truncate(len),
                Err(e) => {
                    chunk.bytes.truncate(len);
                    failed = Some(e);
                    eof = true;
                }
            }
        }
        let end = if eof && failed.is_none() {
            // The last record may end without a line end.
            chunk.bytes.len()
        } else {
            match record_end(&chunk.bytes, chunk.delimiter) {
                Some(end) => end,
                // After an error, the records not whole are not read.
                None if eof => break,
                // A record longer than a chunk: read on.
                None => {
                    want = chunk.bytes.len() + CHUNK_BYTES;
                    continue;
                }
            }
        };
        carry.clear();
        carry.extend_from_slice(&chunk.bytes[end..]);
        chunk.bytes.truncate(end);
        line = chunk.cut(end, line);
        builder.push_text(chunk);
        chunk.bytes.clear();
        chunk.bytes.extend_from_slice(&carry);
        want = CHUNK_BYTES;
        if failed.is_some() {
            break;
        }
    }
    match failed {
        Some(e) => Err((line.saturating_sub(1), e)),
        None => Ok(()),
    }
}

/// The delimiter that splits the most of the first lines into the same number (>1) of
/// fields; preamble lines (one field) do not vote.
fn sniff_delimiter(text: &str, tab_default: bool) -> u8 {
    let candidates: &[u8] = if tab_default { b"\t,;|" } else { b",;\t|" };
    let sample: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
    let mut best = (candidates[0], 0usize, 0usize);
    for &d in candidates {
        let mut counts = std::collections::BTreeMap::<usize, usize>::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(sample.as_bytes());
        for rec in reader.records().flatten() {
            let n = rec.len();
            if n > 1 {
                *counts.entry(n).or_default() += 1;
            }
        }
        if let Some((&fields, &lines)) = counts.iter().max_by_key(|(n, l)| (**l, **n))
            && (lines, fields) > (best.1, best.2)
        {
            best = (d, lines, fields);
        }
    }
    best.0
}

// ---------------------------------------------------------------------------------------
// Tables

/// Find the header in a grid of (1-based row number, cells) and read the rows below it.
/// `Err` says why the grid holds no holdings table.
/// The table of a whole grid.
#[cfg(test)]
fn table_from_grid(grid: &[(u32, Vec<Cell>)], opts: &ReadOptions) -> Result<HoldingsTable, String> {
    let mut builder = TableBuilder::new(opts, None, None);
    for (number, cells) in grid {
        builder.push(*number, cells.clone());
    }
    builder.finish()
}

/// What a mapped column's header looks like, for telling a repeated header row cheaply:
/// the column's index, its header's length (trimmed) and first byte in lower case.
#[derive(Debug, Clone, Copy)]
struct HeaderShape {
    index: usize,
    len: usize,
    first: u8,
}

/// The header chosen for a table: where each role's column is.
#[derive(Debug)]
pub struct TableHeader {
    /// 1-based row number.
    row: u32,
    columns: Vec<ColumnMapping>,
    /// Normalised header texts by column index.
    cells: Vec<String>,
    /// The currency a market value header names ("Market Value (USD)"), for rows with
    /// no currency of their own.
    value_currency: Option<String>,
    /// The column index of each role (the first column holding it), by `Role as usize`.
    role_column: [Option<usize>; Role::ALL.len()],
    /// The columns whose roles identify the security ([`Role::identifies`]), in order:
    /// role and column index.
    id_columns: Vec<(Role, usize)>,
    /// The columns (places in `columns`) each kind of [`RowFields`] reads, in order, by
    /// `fields as usize`.
    read_columns: [Vec<usize>; 3],
    /// Per column mapping: its header trimmed, its length and its first byte in lower
    /// case (what a repeated header row is first told by).
    header_shapes: Vec<HeaderShape>,
}

impl TableHeader {
    fn new(
        row: u32,
        columns: Vec<ColumnMapping>,
        cells: Vec<String>,
        value_currency: Option<String>,
    ) -> Self {
        let mut role_column = [None; Role::ALL.len()];
        for c in columns.iter().rev() {
            role_column[c.role.slot()] = Some(c.index);
        }
        let id_columns = columns
            .iter()
            .filter(|c| c.role.identifies())
            .map(|c| (c.role, c.index))
            .collect();
        let read_columns = RowFields::ALL.map(|fields| {
            (0..columns.len())
                .filter(|&k| fields.reads(columns[k].role))
                .collect()
        });
        let header_shapes = columns
            .iter()
            .map(|c| {
                let h = trim_ws(&c.header);
                HeaderShape {
                    index: c.index,
                    len: h.len(),
                    first: h.bytes().next().unwrap_or(0).to_ascii_lowercase(),
                }
            })
            .collect();
        TableHeader {
            header_shapes,
            row,
            columns,
            cells,
            value_currency,
            role_column,
            id_columns,
            read_columns,
        }
    }
}

/// Builds a table from rows given one at a time, as a reader streams them: the first
/// [`HEADER_SCAN_ROWS`] rows are held until the header is chosen among them; after that
/// every row becomes a [`HoldingRow`] (or an ignored row) at once and its cells are freed.
struct TableBuilder<'o, 's> {
    opts: &'o ReadOptions,
    sheet: Option<&'o str>,
    /// Where data rows go; None keeps them in `rows`.
    sink: Option<&'s mut dyn RowSink>,
    held: Vec<(u32, Vec<Cell>)>,
    header: Option<Arc<TableHeader>>,
    /// Set when no header was found in the first rows: the table is refused.
    refused: Option<String>,
    any_content: bool,
    rows: Vec<HoldingRow>,
    /// Data rows read (without a sink).
    row_count: usize,
    /// Rows given to the sink.
    rows_sent: usize,
    /// Number of the last row pushed.
    last_row: u32,
    /// Number of the last data row.
    last_data_row: Option<u32>,
    ignored: Vec<IgnoredRow>,
}

impl<'o, 's> TableBuilder<'o, 's> {
    fn new(
        opts: &'o ReadOptions,
        sheet: Option<&'o str>,
        sink: Option<&'s mut dyn RowSink>,
    ) -> Self {
        TableBuilder {
            opts,
            sheet,
            sink,
            held: Vec::new(),
            header: None,
            refused: None,
            any_content: false,
            rows: Vec::new(),
            row_count: 0,
            rows_sent: 0,
            last_row: 0,
            last_data_row: None,
            ignored: Vec::new(),
        }
    }

    fn push(&mut self, number: u32, mut cells: Vec<Cell>) {
        self.push_row(number, &mut cells);
    }

    /// [`Self::push`] for rows packed in `rows` (which is left empty): once the header is
    /// known they go to the sink as they are (before, one at a time, the header being
    /// looked for among them).
    fn push_packed(&mut self, rows: &mut PackedRows) {
        if self.header.is_some() && self.sink.is_some() && self.refused.is_none() {
            if let (Some(h), Some(sink)) = (&self.header, &mut self.sink) {
                if let Some(&(last, _)) = rows.rows.last() {
                    self.last_row = last;
                }
                if !self.any_content && rows.any_filled() {
                    self.any_content = true;
                }
                self.rows_sent += rows.len();
                sink.packed_rows(self.sheet, h, rows);
            }
            rows.clear();
            return;
        }
        for i in 0..rows.len() {
            let (number, mut cells) = rows.row(i);
            self.push_row(number, &mut cells);
        }
        rows.clear();
    }

    /// Whether rows now go to the sink as they come (the header is known).
    fn streams(&self) -> bool {
        self.header.is_some() && self.sink.is_some() && self.refused.is_none()
    }

    /// Records of a delimited-text table as text, once it [`streams`](Self::streams).
    fn push_text(&mut self, chunk: &mut TextChunk) {
        if self.refused.is_some() {
            return;
        }
        if let (Some(h), Some(sink)) = (&self.header, &mut self.sink) {
            self.rows_sent += chunk.pieces();
            sink.text_chunk(self.sheet, h, chunk);
        }
    }

    /// [`Self::push`] with the row's cells in a vector the caller reuses: it is left empty.
    fn push_row(&mut self, number: u32, cells: &mut Vec<Cell>) {
        self.last_row = number;
        if self.refused.is_some() {
            cells.clear();
            return;
        }
        if !self.any_content && cells.iter().any(|c| !c.is_blank()) {
            self.any_content = true;
        }
        if self.header.is_some() {
            self.take(number, cells);
            cells.clear();
            return;
        }
        self.held.push((number, std::mem::take(cells)));
        if self.held.len() >= HEADER_SCAN_ROWS {
            self.choose_header();
        }
    }

    fn take(&mut self, number: u32, cells: &mut Vec<Cell>) {
        let Some(h) = &self.header else { return };
        if let Some(sink) = &mut self.sink {
            self.rows_sent += 1;
            sink.row(self.sheet, h, number, cells);
            return;
        }
        match row_outcome(number, &&cells[..], h, RowFields::All) {
            RowOutcome::Position(row) => {
                self.row_count += 1;
                self.last_data_row = Some(number);
                self.rows.push(row.into_owned());
            }
            RowOutcome::Ignored(reason) => self.ignored.push(IgnoredRow {
                row: number,
                reason,
            }),
        }
    }

    /// The best-scoring header among the held rows; the rows below it are read.
    fn choose_header(&mut self) {
        let opts = self.opts;
        let overridden = !opts.column_overrides.is_empty();
        let mut best: Option<(usize, usize, Vec<ColumnMapping>)> = None;
        for (i, (_, cells)) in self.held.iter().enumerate().take(HEADER_SCAN_ROWS) {
            let headers: Vec<(usize, String)> = cells
                .iter()
                .enumerate()
                .filter_map(|(j, c)| match c {
                    Cell::Text(t) if !t.trim().is_empty() => Some((j, t.to_string())),
                    _ => None,
                })
                .collect();
            if headers.is_empty() {
                continue;
            }
            let columns = map_columns(&headers, &opts.column_overrides);
            let forced = overridden
                && opts.column_overrides.iter().any(|(role, h)| {
                    columns.iter().any(|c| {
                        c.role == *role && normalise_header(&c.header) == normalise_header(h)
                    })
                });
            if let Some(score) = header_score(&columns, forced) {
                let score = score + if forced { 100 } else { 0 };
                if best.as_ref().is_none_or(|b| score > b.1) {
                    best = Some((i, score, columns));
                }
            }
        }
        let held = std::mem::take(&mut self.held);
        let Some((header_at, _, columns)) = best else {
            self.refused = Some(format!(
                "no header row naming an ISIN, CUSIP, SEDOL, ticker or security name column in the first {HEADER_SCAN_ROWS} rows"
            ));
            return;
        };
        let cells = held[header_at]
            .1
            .iter()
            .map(|c| c.text().map(|t| normalise_header(&t)).unwrap_or_default())
            .collect();
        // "Market Value (USD)" with no currency column: the header says the currency.
        let value_currency = columns
            .iter()
            .find(|c| c.role == Role::MarketValue)
            .and_then(|c| currency_in_header(&c.header));
        let header_row = held[header_at].0;
        self.header = Some(Arc::new(TableHeader::new(
            header_row,
            columns,
            cells,
            value_currency,
        )));
        for (number, mut cells) in held.into_iter().skip(header_at + 1) {
            self.take(number, &mut cells);
        }
    }

    fn finish(mut self) -> Result<HoldingsTable, String> {
        if !self.any_content {
            return Err("empty".into());
        }
        if self.header.is_none() && self.refused.is_none() {
            self.choose_header();
        }
        if let Some(reason) = self.refused {
            return Err(reason);
        }
        let Some(header) = self.header else {
            return Err("no header row".into());
        };
        let (rows, mut ignored) = (self.rows, self.ignored);
        trim_trailing_blanks(&mut ignored, self.last_data_row);
        Ok(HoldingsTable {
            sheet: None,
            header_row: header.row,
            columns: header.columns.clone(),
            rows,
            row_count: self.row_count,
            ignored,
        })
    }
}

const BLANK: &str = "blank row";

// Returned by value, never stored in bulk: a box would cost an allocation per row.
#[allow(clippy::large_enum_variant)]
enum RowOutcome<'a> {
    Position(HoldingRowRef<'a>),
    Ignored(String),
}

/// Words that start a total line.
fn is_total_text(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    [
        "total",
        "subtotal",
        "sub-total",
        "sub total",
        "grand total",
        "net assets",
        "sum ",
    ]
    .iter()
    .any(|w| t.starts_with(w))
}

/// Words that start a footer or note line.
fn is_note_text(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    let words = t.split_whitespace().count();
    [
        "source",
        "note",
        "notes:",
        "*",
        "©",
        "(c)",
        "disclaimer",
        "holdings are subject",
        "holdings subject",
        "past performance",
        "the content",
        "for institutional",
        "as of ",
    ]
    .iter()
    .any(|w| t.starts_with(w))
        || (t.len() > 50 && words >= 7)
}

/// The cells of one row, borrowed from where they are kept.
trait RowCells<'a> {
    fn len(&self) -> usize;
    /// Cell `i` (0-based); `i < len()`.
    fn at(&self, i: usize) -> CellRef<'a>;
}

impl<'a> RowCells<'a> for &'a [Cell] {
    fn len(&self) -> usize {
        <[Cell]>::len(self)
    }
    fn at(&self, i: usize) -> CellRef<'a> {
        self[i].as_ref()
    }
}

/// The cells of row `i` of a [`PackedRows`].
struct PackedRowCells<'a> {
    rows: &'a PackedRows,
    cells: &'a [PackedCell],
}

impl<'a> RowCells<'a> for PackedRowCells<'a> {
    fn len(&self) -> usize {
        self.cells.len()
    }
    #[inline]
    fn at(&self, i: usize) -> CellRef<'a> {
        self.rows.cell_ref(self.cells[i])
    }
}

/// Up to this many cells of a row are looked at on the stack.
const ROW_CELLS_ON_STACK: usize = 32;

fn row_outcome<'a>(
    number: u32,
    cells: &impl RowCells<'a>,
    header: &TableHeader,
    fields: RowFields,
) -> RowOutcome<'a> {
    with_trimmed_cells(cells, |cells| match ignored_reason(cells, header) {
        Some(reason) => RowOutcome::Ignored(reason),
        None => RowOutcome::Position(data_row(number, cells, header, fields)),
    })
}

/// `f` of a row's cells, each trimmed once, blank texts as empty cells (this runs for
/// every row: on the stack for rows of usual width).
#[inline]
fn with_trimmed_cells<'a, R>(cells: &impl RowCells<'a>, f: impl FnOnce(&[CellRef<'a>]) -> R) -> R {
    let trimmed = trimmed_cell;
    let n = cells.len();
    let mut on_stack = [CellRef::Empty; ROW_CELLS_ON_STACK];
    let on_heap: Vec<CellRef<'a>>;
    let cells: &[CellRef<'a>] = if n <= ROW_CELLS_ON_STACK {
        for (i, slot) in on_stack[..n].iter_mut().enumerate() {
            *slot = trimmed(cells.at(i));
        }
        &on_stack[..n]
    } else {
        on_heap = (0..n).map(|i| trimmed(cells.at(i))).collect();
        &on_heap
    };
    f(cells)
}

/// A cell trimmed: a text without its surrounding white space, a blank text as an empty
/// cell.
#[inline]
fn trimmed_cell(c: CellRef<'_>) -> CellRef<'_> {
    match c {
        CellRef::Text(t) => {
            let t = trim_ws(t);
            if t.is_empty() {
                CellRef::Empty
            } else {
                CellRef::Text(t)
            }
        }
        other => other,
    }
}

/// Why a row of trimmed cells is not a position (blank, a repeated header, a total line,
/// a note), or `None` for a data row.
fn ignored_reason(cells: &[CellRef<'_>], header: &TableHeader) -> Option<String> {
    let columns = &header.columns;
    let header_cells = &header.cells;
    // How many cells hold something, counted up to two (blank rows and one-cell notes are
    // told by it); the row's first text, looked for when it is needed.
    let filled = cells
        .iter()
        .filter(|c| **c != CellRef::Empty)
        .take(2)
        .count();
    let first_text = || {
        cells.iter().find_map(|c| match c {
            CellRef::Text(t) => Some(*t),
            _ => None,
        })
    };
    if filled == 0 {
        return Some(BLANK.into());
    }
    // A header repeated on every printed page. Cheap first: a header cell is text of about
    // the header's length, starting with the same letter; only when enough cells are
    // such is each compared.
    // Each column's cell compared without a branch on the outcome (which varies from
    // column to column and row to row, so that a branch on it is often mispredicted).
    let like_header = |shape: &HeaderShape| match cells.get(shape.index) {
        Some(CellRef::Text(t)) => {
            (t.len().abs_diff(shape.len) <= 4)
                & (t.as_bytes().first().map(u8::to_ascii_lowercase) == Some(shape.first))
        }
        _ => false,
    };
    let repeated = |count: usize| count >= 2 && count * 2 >= columns.len();
    let like_header_cells: usize = header
        .header_shapes
        .iter()
        .map(|shape| usize::from(like_header(shape)))
        .sum();
    if repeated(like_header_cells) {
        let same_as_header = columns
            .iter()
            .filter(|c| match cells.get(c.index) {
                Some(CellRef::Text(t)) => {
                    let h = trim_ws(&c.header);
                    t.len() + 4 >= h.len()
                        && t.len() <= h.len() + 4
                        && (t.eq_ignore_ascii_case(h)
                            || (t
                                .get(..1)
                                .zip(h.get(..1))
                                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                                && normalises_to(t, &header_cells[c.index])))
                }
                _ => false,
            })
            .count();
        if repeated(same_as_header) {
            return Some("repeated header row".into());
        }
    }
    let get = |role: Role| -> Option<CellRef<'_>> {
        header.role_column[role.slot()]
            .and_then(|i| cells.get(i).copied())
            .filter(|c| *c != CellRef::Empty)
    };
    // Whether a role's cell holds a value (checked without allocating).
    let has_text = |role: Role| -> bool {
        get(role).is_some_and(|c| match c {
            CellRef::Text(t) => !is_trimmed_placeholder(t),
            other => other.text().is_some_and(|t| !is_placeholder(&t)),
        })
    };
    // Whether a code (ISIN, CUSIP, SEDOL, FIGI) is given, then an identifier (a code or a
    // ticker): looked at until one is found.
    let has_code = [Role::Isin, Role::Cusip, Role::Sedol, Role::Figi]
        .into_iter()
        .any(has_text);
    let has_identifier = has_code || has_text(Role::Ticker);
    // "Total" often sits in the first column, which may be the ticker column.
    // A company called "Total ..." has a quantity or a price; a total line has neither.
    if !has_code
        && get(Role::Quantity).is_none()
        && get(Role::Price).is_none()
        && let Some(t) = first_text()
        && is_total_text(t)
    {
        return Some(format!("total line: {}", excerpt(t)));
    }
    if !has_identifier {
        let has_name = has_text(Role::Name) || has_text(Role::Issuer);
        let has_amount = [Role::Quantity, Role::MarketValue, Role::Price]
            .iter()
            .any(|r| get(*r).is_some());
        if filled == 1
            && let Some(t) = first_text()
            && (is_note_text(t) || !has_name)
            && !has_amount
        {
            return Some(format!("note: {}", excerpt(t)));
        }
        if !has_name && !has_amount {
            let t = first_text().unwrap_or_default();
            return Some(format!("no identifier, name or amount: {}", excerpt(t)));
        }
    } else if filled == 1
        && let Some(t) = first_text()
        && is_note_text(t)
        && columns.len() >= 3
    {
        // e.g. a disclaimer paragraph in the Ticker column below an ETF's holdings.
        return Some(format!("note: {}", excerpt(t)));
    }

    None
}

/// The data row of trimmed cells `cells` (row `number`): the `fields` asked for.
fn data_row<'a>(
    number: u32,
    cells: &[CellRef<'a>],
    header: &TableHeader,
    fields: RowFields,
) -> HoldingRowRef<'a> {
    let cell = |i: usize| cells.get(i).copied().unwrap_or(CellRef::Empty);
    data_row_of(number, cell, header, fields)
}

/// [`data_row`] of the cells `cell` gives by column index (trimmed; empty past the
/// row's end): only the cells of the columns `fields` reads are asked for.
#[inline]
fn data_row_of<'a>(
    number: u32,
    cell: impl Fn(usize) -> CellRef<'a>,
    header: &TableHeader,
    fields: RowFields,
) -> HoldingRowRef<'a> {
    let mut row = HoldingRowRef {
        row: number,
        ..HoldingRowRef::default()
    };
    for &k in &header.read_columns[fields as usize] {
        let col = &header.columns[k];
        let cell = cell(col.index);
        if cell == CellRef::Empty {
            continue;
        }
        let mut problem = |message: String| {
            row.problems.push(CellProblem {
                column: format!("{} ({})", col.letter, col.header),
                message,
            })
        };

        match col.role {
            Role::Quantity | Role::Price | Role::MarketValue => match cell_number(cell) {
                Ok(v) => match col.role {
                    Role::Quantity => row.quantity = v,
                    Role::Price => row.price = v,
                    _ => row.market_value = v,
                },
                Err(e) => problem(e),
            },
            Role::Weight => {
                let parsed = match cell {
                    CellRef::Text(t) => parse_number(t.trim().trim_end_matches('%')),
                    other => cell_number(other),
                };
                match parsed {
                    Ok(v) => row.weight = v,
                    Err(e) => problem(e),
                }
            }
            Role::TradeDate => match cell_date(cell) {
                Ok(d) => row.trade_date = d,
                Err(e) => {
                    row.trade_date_text = cell.text();
                    problem(e);
                }
            },
            _ => {
                if let CellRef::Error(e) = cell {
                    problem(format!("cell holds the error {e}"));
                    continue;
                }
                let value = into_text(cell);
                match col.role {
                    Role::Account => row.account = value,
                    Role::Isin => row.isin = value,
                    Role::Cusip => row.cusip = value.map(|v| repaired(v, repair_cusip)),
                    Role::Sedol => row.sedol = value.map(|v| repaired(v, repair_sedol)),
                    Role::Figi => row.figi = value,
                    Role::Ticker => row.ticker = value,
                    Role::Name => row.name = value,
                    Role::Issuer => row.issuer = value,
                    Role::Exchange => row.exchange = value,
                    Role::Country => row.country = value,
                    Role::Currency => row.currency = value,
                    Role::Side => row.side = value,
                    Role::Quantity
                    | Role::Price
                    | Role::MarketValue
                    | Role::TradeDate
                    | Role::Weight => {}
                }
            }
        }
    }
    if row.currency.is_none() && row.market_value.is_some() {
        row.currency = header.value_currency.clone().map(Cow::Owned);
    }
    row
}

/// An identifier as written, or repaired (its lost leading zeros put back): borrowed when
/// it needs no repair.
fn repaired<'a>(value: Cow<'a, str>, repair: fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    match value {
        Cow::Borrowed(v) => repair(v),
        Cow::Owned(v) => Cow::Owned(repair(&v).into_owned()),
    }
}

/// A trimmed cell's text for a text column: placeholders as None; a text cell's text is
/// borrowed. (Cells are trimmed once, when a row is looked at.)
fn into_text(cell: CellRef<'_>) -> Option<Cow<'_, str>> {
    match cell {
        CellRef::Text(t) if is_trimmed_placeholder(t) => None,
        CellRef::Text(t) => Some(Cow::Borrowed(t)),
        other => other.text().filter(|t| !is_placeholder(t)),
    }
}

/// An ISO currency code written in a header: "Market Value (USD)" -> USD.
fn currency_in_header(header: &str) -> Option<String> {
    const CODES: [&str; 24] = [
        "USD", "EUR", "GBP", "HKD", "CNY", "CNH", "JPY", "CHF", "CAD", "AUD", "SGD", "TWD", "KRW",
        "INR", "SEK", "NOK", "DKK", "BRL", "ZAR", "MXN", "NZD", "THB", "MYR", "IDR",
    ];
    header
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| CODES.contains(&w.to_ascii_uppercase().as_str()) && w.len() == 3)
        .map(|w| w.to_ascii_uppercase())
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if t.len() < text.len() {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_the_packed_cells() {
        // A line split at its delimiters (gap 1), and csv-core's fields one after the
        // other (gap 0), with empty fields first, inside and last.
        let line = ",CNE1000002V2, ,China Mobile,,";
        let ends: Vec<usize> = line
            .match_indices(',')
            .map(|(i, _)| i)
            .chain([line.len()])
            .collect();
        let mut rows = PackedRows::default();
        rows.push_separated_text(7, line, &ends);
        let (number, packed) = rows.row_cells(0);
        assert_eq!(number, 7);
        let fields = TextFields {
            text: line,
            ends: &ends,
            gap: 1,
        };
        assert_eq!(fields.len(), packed.len());
        for i in 0..fields.len() {
            assert_eq!(fields.at(i), packed.at(i), "field {i}");
        }
        let joined = "CNE1000002V2China Mobile";
        let fields = TextFields {
            text: joined,
            ends: &[0, 12, 12, 24, 24],
            gap: 0,
        };
        let got: Vec<CellRef> = (0..fields.len()).map(|i| fields.at(i)).collect();
        assert_eq!(
            got,
            [
                CellRef::Empty,
                CellRef::Text("CNE1000002V2"),
                CellRef::Empty,
                CellRef::Text("China Mobile"),
                CellRef::Empty
            ]
        );
    }

    fn grid(lines: &[&[&str]]) -> Vec<(u32, Vec<Cell>)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                (
                    i as u32 + 1,
                    cells
                        .iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*c).into())
                            }
                        })
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn header_below_a_preamble_and_footer_ignored() {
        let g = grid(&[
            &["Example Asia Fund"],
            &["Holdings as of 30 Sep 2025"],
            &[],
            &["Ticker", "Name", "ISIN", "Shares", "Market Value"],
            &[
                "941 HK",
                "China Mobile Ltd",
                "HK0941009539",
                "1,000",
                "80,000",
            ],
            &["", "Cash", "", "", "1,500"],
            &[],
            &["Total", "", "", "", "81,500"],
            &["FP FP", "TOTAL SA", "", "10", "600"],
            &["Holdings are subject to change. The content is provided for information only."],
            &[],
        ]);
        let t = table_from_grid(&g, &ReadOptions::default()).unwrap();
        assert_eq!(t.header_row, 4);
        assert_eq!(t.rows.len(), 3, "{:?}", t.rows);
        assert_eq!(t.rows[0].row, 5);
        assert_eq!(t.rows[0].quantity, Some(1000.0));
        assert_eq!(t.rows[0].isin.as_deref(), Some("HK0941009539"));
        assert_eq!(t.rows[1].name.as_deref(), Some("Cash"));
        assert_eq!(
            t.rows[2].name.as_deref(),
            Some("TOTAL SA"),
            "a company, not a total"
        );
        let reasons: Vec<(u32, &str)> = t
            .ignored
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0], (7, BLANK));
        assert!(reasons[1].1.starts_with("total line"));
        assert!(reasons[2].1.starts_with("note"));
    }

    #[test]
    fn bad_numbers_are_cell_problems_and_the_row_stays() {
        let g = grid(&[&["ISIN", "Quantity"], &["CNE1000002V2", "lots"]]);
        let t = table_from_grid(&g, &ReadOptions::default()).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].problems.len(), 1);
        assert_eq!(t.rows[0].problems[0].column, "B (Quantity)");
    }

    #[test]
    fn rows_without_identifiers_but_with_amounts_are_positions() {
        let g = grid(&[&["ISIN", "Name", "Quantity"], &["", "", "5"]]);
        let t = table_from_grid(&g, &ReadOptions::default()).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert!(t.ignored.is_empty());
    }

    #[test]
    fn repeated_headers_are_ignored() {
        let g = grid(&[
            &["ISIN", "Name", "Quantity"],
            &["HK0941009539", "China Mobile", "5"],
            &["ISIN", "Name", "Quantity"],
            &["CNE1000002V2", "China Telecom", "5"],
        ]);
        let t = table_from_grid(&g, &ReadOptions::default()).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.ignored[0].reason, "repeated header row");
    }

    #[test]
    fn no_header_is_explained() {
        let g = grid(&[&["Notes"], &["This workbook holds the Q3 holdings."]]);
        let err = table_from_grid(&g, &ReadOptions::default()).unwrap_err();
        assert!(err.contains("no header row"), "{err}");
    }

    #[test]
    fn override_names_a_column() {
        let g = grid(&[&["Sec ID", "Desc 2"], &["HK0941009539", "x"]]);
        assert!(table_from_grid(&g, &ReadOptions::default()).is_err());
        let opts = ReadOptions {
            column_overrides: vec![(Role::Isin, "Sec ID".into())],
            ..ReadOptions::default()
        };
        let t = table_from_grid(&g, &opts).unwrap();
        assert_eq!(t.rows[0].isin.as_deref(), Some("HK0941009539"));
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(
            sniff_delimiter("Fund X\nISIN;Name;Qty\nA;B;1\nC;D;2\n", false),
            b';'
        );
        assert_eq!(sniff_delimiter("ISIN\tName\nA\tB\n", false), b'\t');
        assert_eq!(sniff_delimiter("ISIN,Name\nA,\"B; C\"\n", false), b',');
    }

    /// A delimited file's table (or why there is none) from its bytes.
    fn delimited(bytes: &[u8]) -> (Option<HoldingsTable>, Option<SkippedSheet>) {
        // Given as the reader is: a head of up to HEAD_BYTES, then the rest.
        let split = bytes.len().min(HEAD_BYTES);
        let read = read_delimited(
            bytes[..split].to_vec(),
            &bytes[split..],
            false,
            &ReadOptions::default(),
            None,
        )
        .unwrap();
        assert_eq!(read.digest.sha256, crate::util::sha256_hex(bytes));
        assert_eq!(read.digest.bytes, bytes.len() as u64);
        (read.table, read.skipped)
    }

    #[test]
    fn semicolon_csv_with_sep_hint_and_decimal_commas() {
        let bytes = "sep=;\r\nISIN;Quantity\r\nHK0941009539;1.000,5\r\n".as_bytes();
        let (t, skipped) = delimited(bytes);
        assert!(skipped.is_none());
        let t = t.unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.rows[0].row, 3);
        assert_eq!(t.rows[0].quantity, Some(1000.5));
    }

    #[test]
    fn long_csv_streams_past_its_head_with_exact_line_numbers() {
        // Over HEAD_BYTES, with CRLF, blank lines and a quoted field spanning lines placed
        // around the head's end: every record keeps the line it starts on.
        let mut text = String::from("sep=;\r\nISIN;Name;Qty\r\n");
        let mut expected = Vec::new();
        let mut line = 3u32;
        let mut i = 0;
        while text.len() < 3 * HEAD_BYTES {
            if i % 7 == 3 {
                text.push_str("\r\n");
                line += 1;
            }
            expected.push(line);
            if i % 11 == 5 {
                text.push_str(&format!("US{i:010};\"Name\nwith two\nlines {i}\";{i}\r\n"));
                line += 3;
            } else {
                text.push_str(&format!("US{i:010};Name {i};{i}\r\n"));
                line += 1;
            }
            i += 1;
        }
        let (t, skipped) = delimited(text.as_bytes());
        assert!(skipped.is_none());
        let t = t.unwrap();
        assert_eq!(t.header_row, 2);
        let rows: Vec<u32> = t.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, expected);
        assert_eq!(t.rows[5].name.as_deref(), Some("Name\nwith two\nlines 5"));
    }

    #[test]
    fn text_encodings_are_read_from_the_head() {
        // Windows-1252 (Excel's CSV on Western Windows).
        let (t, _) = delimited(b"ISIN;Name\nFR0000120271;Soci\xe9t\xe9 \x80\n");
        assert_eq!(
            t.unwrap().rows[0].name.as_deref(),
            Some("Soci\u{e9}t\u{e9} \u{20ac}")
        );
        // UTF-8 with a BOM, and one field that is not UTF-8 far below the head.
        let mut bytes = b"\xEF\xBB\xBFISIN;Name\n".to_vec();
        for i in 0..5000 {
            bytes.extend_from_slice(format!("US{i:010};Caf\u{e9} {i}\n").as_bytes());
        }
        bytes.extend_from_slice(b"US9999999999;Soci\xe9t\xe9\n");
        assert!(bytes.len() > HEAD_BYTES);
        let t = delimited(&bytes).0.unwrap();
        assert_eq!(t.rows[0].isin.as_deref(), Some("US0000000000"));
        assert_eq!(t.rows[0].name.as_deref(), Some("Caf\u{e9} 0"));
        assert_eq!(t.rows[5000].name.as_deref(), Some("Soci\u{e9}t\u{e9}"));
        // UTF-16 with its BOM ("Unicode text").
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "ISIN\tName\r\nHK0941009539\tChina Mobile\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let t = delimited(&utf16).0.unwrap();
        assert_eq!(t.rows[0].row, 2);
        assert_eq!(t.rows[0].name.as_deref(), Some("China Mobile"));
    }

    #[test]
    fn packed_rows_keep_cells_in_their_columns() {
        let mut a = PackedRows::default();
        a.set_text(1, "Apple Inc");
        a.set_value(3, Cell::Number(5.0));
        a.end_row(7);
        a.end_row(8); // blank
        let mut cells = vec![Cell::Text("X".into()), Cell::Empty, Cell::Bool(true)];
        a.push_cells(9, &mut cells);
        assert!(cells.is_empty());
        let mut b = PackedRows::default();
        b.set_text(0, "Sony");
        b.set_text(0, "Sony Group"); // the same column again: the last value
        b.end_row(10);
        a.append(&b);
        assert_eq!(a.len(), 4);
        let rows: Vec<(u32, Vec<Cell>)> = (0..a.len()).map(|i| a.row(i)).collect();
        assert_eq!(
            rows,
            vec![
                (
                    7,
                    vec![
                        Cell::Empty,
                        Cell::Text("Apple Inc".into()),
                        Cell::Empty,
                        Cell::Number(5.0)
                    ]
                ),
                (8, vec![]),
                (
                    9,
                    vec![Cell::Text("X".into()), Cell::Empty, Cell::Bool(true)]
                ),
                (10, vec![Cell::Text("Sony Group".into())]),
            ]
        );
        assert!(a.any_filled());
        let mut blank = PackedRows::default();
        blank.set_text(2, "  ");
        blank.end_row(1);
        assert!(!blank.any_filled());
    }

    #[test]
    fn streamed_shared_strings_land_in_their_cells() {
        // Shared strings are copied a few cells after they are read: across rows and past
        // a batch, in a sheet whose cells come out of order or twice (the last one counts,
        // as when every text was copied at once), each text lands in its own cell.
        let table: Vec<String> = (0..50).map(|i| format!("Issuer {i}")).collect();
        let isins = ["HK0941009539", "US0378331005"];
        let mut cells: Vec<calamine::Cell<DataRef<'_>>> = Vec::new();
        let at = |r: u32, c: u32, v: DataRef<'static>| calamine::Cell::new((r, c), v);
        cells.push(at(0, 0, DataRef::SharedString("Security")));
        cells.push(at(0, 1, DataRef::String("ISIN".into())));
        cells.push(at(0, 2, DataRef::SharedString("Quantity")));
        let rows = PACK_ROWS as u32 + 20;
        for r in 1..=rows {
            let name = &table[r as usize % table.len()];
            cells.push(calamine::Cell::new((r, 0), DataRef::SharedString(name)));
            cells.push(at(r, 1, DataRef::SharedString(isins[r as usize % 2])));
            cells.push(at(r, 2, DataRef::Float(f64::from(r))));
        }
        // A cell twice (a shared string, then an inline one), and a cell before one already
        // read.
        cells.push(at(rows + 1, 0, DataRef::SharedString("First")));
        cells.push(at(rows + 1, 2, DataRef::SharedString("7")));
        cells.push(at(rows + 1, 0, DataRef::String("Second".into())));
        cells.push(at(rows + 1, 1, DataRef::SharedString("US0378331005")));
        let opts = ReadOptions::default();
        let mut builder = TableBuilder::new(&opts, Some("Sheet1"), None);
        let mut feed = cells.into_iter();
        stream_cells(&mut builder, || Ok(feed.next())).unwrap();
        let read = builder.finish().unwrap();
        assert_eq!(read.rows.len(), rows as usize + 1);
        for h in &read.rows[..rows as usize] {
            let r = h.row - 1;
            assert_eq!(
                h.name.as_deref(),
                Some(table[r as usize % table.len()].as_str())
            );
            assert_eq!(h.isin.as_deref(), Some(isins[r as usize % 2]));
            assert_eq!(h.quantity, Some(f64::from(r)));
        }
        let last = read.rows.last().unwrap();
        assert_eq!(last.name.as_deref(), Some("Second"));
        assert_eq!(last.isin.as_deref(), Some("US0378331005"));
        assert_eq!(last.quantity, Some(7.0));
    }

    #[test]
    fn held_shared_strings_survive_a_fault_and_a_value_at_once() {
        // Texts still held when a sheet fails part-way are put in the whole rows read
        // before the fault; a value right after a held text in the same cell wins.
        let opts = ReadOptions::default();
        let at = |r: u32, c: u32, v: DataRef<'static>| calamine::Cell::new((r, c), v);
        let head = || {
            vec![
                at(0, 0, DataRef::SharedString("Security")),
                at(0, 1, DataRef::SharedString("ISIN")),
                at(0, 2, DataRef::SharedString("Quantity")),
                at(1, 0, DataRef::SharedString("China Mobile")),
                at(1, 1, DataRef::SharedString("HK0941009539")),
                // The same cell twice: a held text, then a number at once.
                at(1, 2, DataRef::SharedString("lots")),
                at(1, 2, DataRef::Float(5.0)),
                at(2, 0, DataRef::SharedString("Apple Inc")),
                at(2, 1, DataRef::SharedString("US0378331005")),
            ]
        };
        let check = |rows: &[HoldingRow]| {
            assert_eq!(rows[0].name.as_deref(), Some("China Mobile"));
            assert_eq!(rows[0].isin.as_deref(), Some("HK0941009539"));
            assert_eq!(rows[0].quantity, Some(5.0));
            assert!(rows[0].problems.is_empty(), "{:?}", rows[0].problems);
            assert_eq!(rows[1].name.as_deref(), Some("Apple Inc"));
            assert_eq!(rows[1].isin.as_deref(), Some("US0378331005"));
        };

        // A fault while row 4 is read: rows 2 and 3 are whole, row 4 is dropped.
        let mut cells = head().into_iter().map(Ok).collect::<Vec<_>>();
        cells.push(Ok(at(3, 0, DataRef::SharedString("Half a row"))));
        cells.push(Err("corrupt cell".to_string()));
        let mut builder = TableBuilder::new(&opts, Some("Sheet1"), None);
        let mut feed = cells.into_iter();
        let err = stream_cells(&mut builder, || feed.next().transpose()).unwrap_err();
        assert_eq!(err, "corrupt cell");
        let read = builder.finish().unwrap();
        assert_eq!(read.rows.len(), 2);
        check(&read.rows);

        // Cells out of order (row 2 after row 3): rows 2 and 3 are whole and read.
        let mut cells = head();
        cells.push(at(1, 0, DataRef::SharedString("Late")));
        let mut builder = TableBuilder::new(&opts, Some("Sheet1"), None);
        let mut feed = cells.into_iter();
        let err = stream_cells(&mut builder, || Ok(feed.next())).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
        let read = builder.finish().unwrap();
        assert_eq!(read.rows.len(), 2);
        check(&read.rows);
    }

    #[test]
    fn rows_read_for_screening_are_told_and_identified_as_whole_reads() {
        let opts = ReadOptions::default();
        let lines: &[&[&str]] = &[
            &[
                "Account",
                "Security",
                "ISIN",
                "Ticker",
                "Quantity",
                "Price",
                "Market Value",
                "Currency",
                "Trade Date",
            ],
            &[
                "A1",
                "China Mobile",
                "HK0941009539",
                "941 HK",
                "lots",
                "1.2.3",
                "1,234.50",
                "hkd",
                "yesterday",
            ],
            &["", "", "", "", "", "", "", "", ""],
            &["Total", "", "", "", "", "", "99", ""],
            &[
                "Account",
                "Security",
                "ISIN",
                "Ticker",
                "Quantity",
                "Price",
                "Market Value",
                "Currency",
            ],
            &["A2", "Apple Inc", "", "AAPL US", "5", "", "", "USD"],
            &["Source: custodian records, not audited"],
            &["A3", "", "", "", "7", "", "12", ""],
            &["", "Sony Group", "", "", "", "", "bad", "JPY", "2025-09-30"],
        ];
        let mut b = TableBuilder::new(&opts, None, None);
        let g = grid(lines);
        b.push(g[0].0, g[0].1.clone());
        b.choose_header();
        let header = b.header.clone().expect("a header");
        let mut packed = PackedRows::default();
        for (n, cells) in g.into_iter().skip(1) {
            let mut cells = cells;
            packed.push_cells(n, &mut cells);
        }
        let mut data = 0;
        for i in 0..packed.len() {
            match (
                read_packed_row(&packed, i, &header),
                read_packed_row_for_screening(&packed, i, &header),
            ) {
                (RowRead::Data(whole), RowRead::Data(light)) => {
                    data += 1;
                    assert_eq!(light.row, whole.row);
                    assert_eq!(light.ids(), whole.ids());
                    assert_eq!(light.market_value, whole.market_value);
                    assert_eq!(light.currency, whole.currency);
                    assert_eq!(light.quantity, None);
                }
                (RowRead::Ignored(a), RowRead::Ignored(b)) => assert_eq!(a, b),
                _ => panic!("row {i} told apart differently"),
            }
        }
        assert_eq!(data, 4);
    }

    #[test]
    fn lines_looked_at_before_reading_are_told_as_whole_reads() {
        // `look_text_row` tells a line as `read_text_row` does, `text_row_amounts` reads
        // its amounts as the whole read does, and lines with the same identifying cells
        // have the same identifiers, whatever their other cells.
        use crate::resolve::RowPrint;
        let opts = ReadOptions::default();
        let head = "Account,Security,CUSIP,ISIN,Ticker,Quantity,Price,Market Value (EUR),Currency";
        let lines = [
            "A1,Apple Inc,37833100,,AAPL US,10,1.5,150,usd",
            "A2, Apple Inc ,37833100,,AAPL US,20,,300.25,",
            "Total,Apple Inc,37833100,,AAPL US,,,450,",
            "Total,Apple Inc,,,,,,450,",
            "A3,Apple Inc,37833100,n/a,AAPL US,7,,lots,GBP",
            ",,,,,,,,",
            "Account,Security,CUSIP,ISIN,Ticker,Quantity,Price,Market Value (EUR),Currency",
            "Source: custodian records (not audited)",
            "A4,,,,,,,,",
            "A5,China Mobile,,HK0941009539,941 HK,1,,2,HKD,extra",
            "A6,China Mobile,,HK0941009539",
        ];
        let mut b = TableBuilder::new(&opts, None, None);
        let header_cells: Vec<&str> = head.split(',').collect();
        let g = grid(&[&header_cells]);
        b.push(g[0].0, g[0].1.clone());
        b.choose_header();
        let header = b.header.clone().expect("a header");
        let split = |line: &'static str| -> (&'static str, Vec<usize>) {
            let ends = line
                .match_indices(',')
                .map(|(i, _)| i)
                .chain([line.len()])
                .collect();
            (line, ends)
        };
        let mut prints = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let (text, ends) = split(line);
            let fields = TextFields {
                text,
                ends: &ends,
                gap: 1,
            };
            let number = n as u32 + 2;
            let look = look_text_row(number, fields, &header, RowPrint::of_cells);
            match (look, read_text_row(number, fields, &header, false)) {
                (RowLook::Data(print), RowRead::Data(whole)) => {
                    match read_text_row(number, fields, &header, true) {
                        RowRead::Data(light) => {
                            assert_eq!(read_looked_text_row(number, fields, &header), light)
                        }
                        RowRead::Ignored(r) => panic!("{line}: ignored for screening: {r:?}"),
                    }
                    let (value, currency) = text_row_amounts(number, fields, &header);
                    assert_eq!(value, whole.market_value, "{line}");
                    assert_eq!(currency, whole.currency, "{line}");
                    prints.push((print.expect("a fingerprint"), format!("{:?}", whole.ids())));
                }
                (RowLook::Ignored(a), RowRead::Ignored(b)) => assert_eq!(a, b),
                (a, b) => panic!("{line}: told apart differently: {a:?} {b:?}"),
            }
        }
        // A1, A2 (the same cells once trimmed), the total line with a code (a position),
        // A3, A5, A6.
        assert_eq!(prints.len(), 6, "{prints:?}");
        for (a, ids_a) in &prints {
            for (b, ids_b) in &prints {
                if a == b {
                    assert_eq!(ids_a, ids_b);
                }
            }
        }
        assert_eq!(prints[0].0, prints[1].0);
        // The same texts in other roles, or in another order, are another fingerprint;
        // a cell that is not text has none.
        let cells = [CellRef::Text("AAPL US"), CellRef::Text("Apple Inc")];
        let print = |columns: &[(Role, usize)], cells: &[CellRef]| {
            RowPrint::of_cells(IdCells { columns, cells })
        };
        let usual = print(&[(Role::Ticker, 0), (Role::Name, 1)], &cells);
        assert!(usual.is_some());
        assert_ne!(usual, print(&[(Role::Name, 0), (Role::Ticker, 1)], &cells));
        assert_ne!(usual, print(&[(Role::Name, 1), (Role::Ticker, 0)], &cells));
        assert_eq!(usual, print(&[(Role::Ticker, 0), (Role::Name, 1)], &cells));
        assert_eq!(
            print(&[(Role::Cusip, 0)], &[CellRef::Number(37833100.0)]),
            None
        );
        let long = "x".repeat(600);
        assert_eq!(print(&[(Role::Name, 0)], &[CellRef::Text(&long)]), None);
    }

    #[test]
    fn identifiers_are_made_of_the_identifying_cells_alone() {
        // What `RowPrint::of_cells` rests on: for each role, a second line differing from
        // the first only in that role's cell has other identifiers exactly when the role
        // identifies ([`Role::identifies`]). A role that changed a row's identifiers
        // without being in its fingerprint would let a listed row pass for a clear one.
        let opts = ReadOptions::default();
        for role in Role::ALL {
            let header_of = |role: Role| match role {
                Role::Isin => "ISIN",
                Role::Cusip => "CUSIP",
                Role::Sedol => "SEDOL",
                Role::Figi => "FIGI",
                Role::Ticker => "Ticker",
                Role::Name => "Security Name",
                Role::Issuer => "Issuer",
                Role::Exchange => "Exchange",
                Role::Country => "Country",
                Role::Quantity => "Quantity",
                Role::Price => "Price",
                Role::MarketValue => "Market Value",
                Role::Currency => "Currency",
                Role::Account => "Account",
                Role::Side => "Side",
                Role::TradeDate => "Trade Date",
                Role::Weight => "Weight",
            };
            // An ISIN column keeps every line a data row; the role's own column after it.
            let heads = if role == Role::Isin {
                vec!["ISIN", "Security Name"]
            } else {
                vec!["ISIN", header_of(role)]
            };
            let mut b = TableBuilder::new(&opts, None, None);
            let g = grid(&[&heads]);
            b.push(g[0].0, g[0].1.clone());
            b.choose_header();
            let header = b.header.clone().expect("a header");
            assert!(
                header.columns.iter().any(|c| c.role == role),
                "{role:?}: {:?}",
                header.columns
            );
            let value = |v: &str| match role {
                Role::Quantity | Role::Price | Role::MarketValue | Role::Weight => {
                    v.len().to_string()
                }
                Role::TradeDate => format!("2025-06-{:02}", v.len()),
                _ => v.to_string(),
            };
            let one = format!("US0378331005,{}", value("B123456"));
            let two = format!("US0378331005,{}", value("C1234567"));
            let (one, two) = if role == Role::Isin {
                (
                    "US0378331005,Apple".to_string(),
                    "HK0941009539,Apple".to_string(),
                )
            } else {
                (one, two)
            };
            let ids = |line: &str| {
                let ends: Vec<usize> = line
                    .match_indices(',')
                    .map(|(i, _)| i)
                    .chain([line.len()])
                    .collect();
                let fields = TextFields {
                    text: line,
                    ends: &ends,
                    gap: 1,
                };
                match read_text_row(2, fields, &header, false) {
                    RowRead::Data(row) => format!("{:?}", row.ids()),
                    RowRead::Ignored(r) => panic!("{role:?}: {line} ignored: {r:?}"),
                }
            };
            assert_eq!(ids(&one) != ids(&two), role.identifies(), "{role:?}");
        }
    }

    #[test]
    fn files_are_hashed_in_chunks_as_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        // Over the 1 MB chunk and the size hashed inline for workbooks.
        let bytes: Vec<u8> = (0..(INLINE_HASH_BYTES as usize + 12_345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let identity = FileIdentity::of(&File::open(&path).unwrap()).unwrap();
        let d = hash_file(&path, &identity).unwrap();
        assert_eq!(d.sha256, sha256_hex(&bytes));
        assert_eq!(d.bytes, bytes.len() as u64);
        // Another file at the path is not hashed as this one (told by its inode on Unix;
        // elsewhere by its size and time, which a copy may share).
        if !cfg!(unix) {
            return;
        }
        let other = dir.path().join("other.bin");
        std::fs::write(&other, &bytes).unwrap();
        std::fs::rename(&other, &path).unwrap();
        let err = hash_file(&path, &identity).err().expect("another file");
        assert!(
            err.to_string().contains("changed while it was being read"),
            "{err}"
        );
    }

    #[test]
    fn formats_are_sniffed() {
        assert_eq!(sniff_format(b"PK\x03\x04rest", "xlsm"), Ok(Format::Xlsm));
        assert_eq!(sniff_format(b"ISIN\tName\n", "xls"), Ok(Format::Delimited));
        assert!(
            sniff_format(b"<html><table>", "xls")
                .unwrap_err()
                .contains("HTML")
        );
        assert!(sniff_format(b"", "csv").is_err());
        assert!(sniff_format(b"\x00\x01\x02garbage", "xlsx").is_err());
    }
    #[test]
    fn csv_line_numbers_survive_blank_lines_crlf_and_multiline_fields() {
        let bytes = b"ISIN;Q\r\nA;1\r\n\r\nB;\"x\ny\"\nC;2\n";
        let (t, _) = delimited(bytes);
        let rows: Vec<u32> = t.unwrap().rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [2, 4, 6]);
    }
}
