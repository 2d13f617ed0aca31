//! Plain-text output for humans: aligned tables and key/value listings.

/// Prints rows under a header, each column as wide as its widest cell (buffered: a table of
/// 100 000 rows is one write per 64 KiB, not one per line).
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    use std::io::Write;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (cell, width) in cells.zip(&widths) {
            text.push_str(&format!("{cell:<width$}  "));
        }
        // A closed pipe (`| head`) ends the listing quietly.
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    let _ = out.flush();
}

/// Prints `label: value` lines with the labels aligned.
pub fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    for (label, value) in fields {
        println!("{:<width$} {value}", format!("{label}:"));
    }
}

/// Pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// "yes" / "no".
pub fn yes_no(flag: bool) -> String {
    if flag { "yes".into() } else { "no".into() }
}

/// An optional value, or "-".
pub fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_string()
}

/// Writes a pretty JSON array to standard output one element at a time, so its size in memory
/// is one element, not the whole list. The output is byte for byte what `print_json` of the
/// collected list would print.
pub fn stream_json_array<F>(produce: F) -> anyhow::Result<()>
where
    F: FnOnce(&mut dyn FnMut(&dyn erased::Element) -> anyhow::Result<()>) -> anyhow::Result<()>,
{
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    write_json_array(&mut out, 0, produce)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

/// A pretty JSON array nested `depth` levels deep, streamed into any writer: what
/// `serde_json::to_string_pretty` prints for that array at that depth, without a trailing
/// newline.
pub fn write_json_array<W, F>(out: &mut W, depth: usize, produce: F) -> anyhow::Result<()>
where
    W: std::io::Write,
    F: FnOnce(&mut dyn FnMut(&dyn erased::Element) -> anyhow::Result<()>) -> anyhow::Result<()>,
{
    let inner = "  ".repeat(depth + 1);
    let mut count = 0usize;
    let mut buffer = Vec::with_capacity(4096);
    let mut emit = |element: &dyn erased::Element| -> anyhow::Result<()> {
        buffer.clear();
        element.write_pretty(&mut buffer)?;
        out.write_all(if count == 0 { b"[\n" } else { b",\n" })?;
        out.write_all(inner.as_bytes())?;
        // Nested deeper: every newline gains the indent. JSON strings never hold a raw
        // newline, so this is exact.
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', &buffer) {
            out.write_all(&buffer[start..=newline])?;
            out.write_all(inner.as_bytes())?;
            start = newline + 1;
        }
        out.write_all(&buffer[start..])?;
        count += 1;
        Ok(())
    };
    produce(&mut emit)?;
    if count == 0 {
        out.write_all(b"[]")?;
    } else {
        out.write_all(b"\n")?;
        out.write_all("  ".repeat(depth).as_bytes())?;
        out.write_all(b"]")?;
    }
    Ok(())
}

/// Object-safe pretty printing for [`stream_json_array`].
pub mod erased {
    /// Anything serialisable, behind a `dyn`.
    pub trait Element {
        /// Appends pretty JSON to `out`.
        fn write_pretty(&self, out: &mut Vec<u8>) -> anyhow::Result<()>;
    }

    impl<T: serde::Serialize> Element for T {
        fn write_pretty(&self, out: &mut Vec<u8>) -> anyhow::Result<()> {
            serde_json::to_writer_pretty(out, self)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write_json_array;

    fn streamed(items: &[serde_json::Value]) -> String {
        let mut out = Vec::new();
        write_json_array(&mut out, 0, |emit| {
            for item in items {
                emit(item)?;
            }
            Ok(())
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_array_is_byte_for_byte_the_pretty_printed_list() {
        let items = vec![
            serde_json::json!({"a": [1, {"b": "x\ny"}], "e": []}),
            serde_json::json!({"c": {}}),
        ];
        assert_eq!(
            streamed(&items),
            serde_json::to_string_pretty(&items).unwrap()
        );
        assert_eq!(streamed(&[]), "[]");
    }
}
