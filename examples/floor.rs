//! The floor of the benchmarks: what reading a holdings file and writing a report cost
//! with the same crates holdscreen uses, and nothing else (bench/run.sh divides every
//! holdscreen figure by these).
//!
//! ```text
//! cargo run --release --example floor -- read BOOK.xlsx   # calamine, streaming, every cell
//! cargo run --release --example floor -- read BOOK.csv    # csv crate, every record
//! cargo run --release --example floor -- write OUT.xlsx ROWS [COLS]
//! ```
//!
//! `read` visits every cell of every sheet (xlsx/xlsb with calamine's streaming cell
//! reader, other workbooks through a whole range) and prints a checksum so that nothing is
//! optimised away; `write` writes ROWS rows of COLS text and number cells with
//! rust_xlsxwriter in constant-memory mode.

use std::fs::File;
use std::io::BufReader;

use calamine::{DataRef, Reader, Xlsb, Xlsx, open_workbook, open_workbook_auto};
use rust_xlsxwriter::Workbook;

fn visit(d: &DataRef<'_>, sum: &mut u64) {
    *sum += match d {
        DataRef::Empty => 0,
        DataRef::String(s) => s.len() as u64,
        DataRef::SharedString(s) => s.len() as u64,
        DataRef::Float(f) => *f as u64 & 1,
        DataRef::Int(i) => *i as u64 & 1,
        _ => 1,
    };
}

fn read(path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut sum = 0u64;
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".tsv") {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::new(File::open(path)?));
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec)? {
            sum += rec.iter().map(|f| f.len() as u64).sum::<u64>();
        }
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        let mut wb: Xlsx<_> = open_workbook(path)?;
        for name in wb.sheet_names() {
            let mut cells = wb.worksheet_cells_reader(&name)?;
            while let Some(cell) = cells.next_cell()? {
                visit(cell.get_value(), &mut sum);
            }
        }
    } else if lower.ends_with(".xlsb") {
        let mut wb: Xlsb<_> = open_workbook(path)?;
        for name in wb.sheet_names() {
            let mut cells = wb.worksheet_cells_reader(&name)?;
            while let Some(cell) = cells.next_cell()? {
                visit(cell.get_value(), &mut sum);
            }
        }
    } else {
        let mut wb = open_workbook_auto(path)?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name)?;
            sum += range.cells().count() as u64;
        }
    }
    Ok(sum)
}

fn write(path: &str, rows: u32, cols: u16) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    for r in 0..rows {
        for c in 0..cols {
            if c % 3 == 2 {
                ws.write_number(r, c, f64::from(r) * 1.5)?;
            } else {
                ws.write_string(r, c, format!("R{r}C{c}"))?;
            }
        }
    }
    wb.save(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["read", path] => println!("{}", read(path)?),
        ["write", path, rows, rest @ ..] => {
            let cols = rest.first().and_then(|c| c.parse().ok()).unwrap_or(12);
            write(path, rows.parse()?, cols)?;
        }
        _ => {
            eprintln!("usage: floor read FILE | floor write OUT.xlsx ROWS [COLS]");
            std::process::exit(2);
        }
    }
    Ok(())
}
