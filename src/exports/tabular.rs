//! The two writers every export shares. CSV is streamed: a UTF-8 BOM (so
//! Excel reads Chinese correctly), the header, then each page as it comes.
//! An `.xlsx` is a zip that rust_xlsxwriter assembles at the end; its
//! constant-memory worksheets keep rows in a temporary file rather than in
//! memory, so the cost in memory is the finished (compressed) file.

use bytes::Bytes;
use futures_util::Stream;

use super::{Cell, Table};
use crate::error::{Error, Result};

fn csv_page(rows: &[super::Row], out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(n) => n.to_string(),
            Cell::Empty => String::new(),
        }))?;
    }
    writer.flush()
}

/// The table as a stream of CSV chunks, one per page.
pub fn csv_stream(table: Table) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let mut head = b"\xEF\xBB\xBF".to_vec();
    let header_row: super::Row = table
        .headers
        .iter()
        .map(|h| Cell::Text(h.clone()))
        .collect();
    let first = csv_page(&[header_row], &mut head).map(|_| Bytes::from(head));
    let rest = futures_util::stream::unfold(table.pages, |mut pages| async move {
        let page = pages.recv().await?;
        let chunk = page
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|rows| {
                let mut out = Vec::with_capacity(rows.len() * 64);
                csv_page(&rows, &mut out).map(|_| Bytes::from(out))
            });
        Some((chunk, pages))
    });
    futures_util::StreamExt::chain(futures_util::stream::once(async { first }), rest)
}

/// The whole table as a CSV in memory (tests, small tables).
pub async fn csv_bytes(table: Table) -> Result<Vec<u8>> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    let mut stream = std::pin::pin!(csv_stream(table));
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.map_err(|e| Error::Internal(e.into()))?);
    }
    Ok(out)
}

/// The table as an `.xlsx` workbook, written off the async threads.
pub async fn xlsx_bytes(table: Table) -> Result<Vec<u8>> {
    let Table {
        sheet,
        headers,
        mut pages,
        ..
    } = table;
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
        let broken = |e: rust_xlsxwriter::XlsxError| Error::Internal(anyhow::anyhow!("xlsx: {e}"));
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = book.add_worksheet_with_constant_memory().map_err(broken)?;
        ws.set_name(&sheet).map_err(broken)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(broken)?;
        }
        let mut r: u32 = 1;
        while let Some(page) = pages.blocking_recv() {
            for row in page? {
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                        Cell::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                        Cell::Num(n) => ws.write_number(r, c, *n).map(|_| ()),
                        Cell::Empty => Ok(()),
                    }
                    .map_err(broken)?;
                }
                r += 1;
            }
        }
        book.save_to_buffer().map_err(broken)
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?
}
