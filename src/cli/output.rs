//! Plain-text output for humans: aligned tables and key/value listings.

/// Prints rows under a header, each column as wide as its widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
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
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut count = 0usize;
    let mut emit = |element: &dyn erased::Element| -> anyhow::Result<()> {
        out.write_all(if count == 0 { b"[\n  " } else { b",\n  " })?;
        // Nested one level deeper: JSON strings never hold raw newlines, so this is exact.
        out.write_all(element.pretty()?.replace('\n', "\n  ").as_bytes())?;
        count += 1;
        Ok(())
    };
    produce(&mut emit)?;
    out.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })?;
    out.flush()?;
    Ok(())
}

/// Object-safe pretty printing for [`stream_json_array`].
pub mod erased {
    /// Anything serialisable, behind a `dyn`.
    pub trait Element {
        /// Pretty JSON.
        fn pretty(&self) -> anyhow::Result<String>;
    }

    impl<T: serde::Serialize> Element for T {
        fn pretty(&self) -> anyhow::Result<String> {
            Ok(serde_json::to_string_pretty(self)?)
        }
    }
}
