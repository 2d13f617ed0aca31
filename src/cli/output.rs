//! Standard output for the scripting commands: aligned tables, key/value listings and JSON.
//!
//! Everything printed goes through [`Out`], which takes only [`SafeText`] (escaped values and
//! literals) or serialisable values it writes with the escaping JSON formatter, so nothing
//! stored or token-derived reaches the terminal raw. A closed pipe (`| head`) ends the output
//! quietly: later writes are dropped and the command keeps the exit code it would have had.

use std::io::{self, BufWriter, Write};

use crate::text::{self, SafeText};

/// Buffered standard output that treats a closed pipe as the end of the output.
pub struct Out {
    writer: BufWriter<Box<dyn Write>>,
    closed: bool,
}

impl Out {
    /// Standard output, buffered (a table of 100 000 rows is one write per 64 KiB).
    pub fn stdout() -> Out {
        Out::to(Box::new(io::stdout()))
    }

    /// Any writer (tests, files).
    pub fn to(writer: Box<dyn Write>) -> Out {
        Out {
            writer: BufWriter::with_capacity(1 << 16, writer),
            closed: false,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.writer.write_all(bytes) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }

    /// One line.
    pub fn line(&mut self, text: &SafeText) -> io::Result<()> {
        self.write(text.as_str().as_bytes())?;
        self.write(b"\n")
    }

    /// Text this program generated from its own clap definitions (completion scripts, the man
    /// page), as given: it holds no stored, imported or token-derived value, and escaping
    /// would break the tabs some shells' scripts need.
    pub fn generated_from_definitions(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write(bytes)
    }

    /// Several lines of already safe text, as given.
    pub fn text(&mut self, text: &SafeText) -> io::Result<()> {
        self.write(text.as_str().as_bytes())
    }

    /// Rows under a header, each column as wide as its widest cell in display columns (CJK
    /// and emoji count two). Padding is written by hand: `format!`'s width argument panics
    /// past 65 535.
    pub fn table(&mut self, header: &[&'static str], rows: &[Vec<SafeText>]) -> io::Result<()> {
        let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }
        let header: Vec<SafeText> = header.iter().map(|h| SafeText::literal(h)).collect();
        self.table_row(&header, &widths)?;
        for row in rows {
            self.table_row(row, &widths)?;
        }
        Ok(())
    }

    fn table_row(&mut self, cells: &[SafeText], widths: &[usize]) -> io::Result<()> {
        let mut line = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            line.push_str(cell.as_str());
            if i + 1 < cells.len() {
                pad(&mut line, width.saturating_sub(cell.width()) + 2);
            }
        }
        self.write(line.trim_end().as_bytes())?;
        self.write(b"\n")
    }

    /// `label: value` lines with the labels aligned.
    pub fn fields(&mut self, fields: &[(&'static str, SafeText)]) -> io::Result<()> {
        let width = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
        for (label, value) in fields {
            let mut line = format!("{label}:");
            pad(&mut line, width + 1 - (label.len() + 1));
            line.push_str(value.as_str());
            self.write(line.as_bytes())?;
            self.write(b"\n")?;
        }
        Ok(())
    }

    /// Pretty JSON and a newline, with the escaping formatter.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> anyhow::Result<()> {
        let mut buffer = Vec::with_capacity(4096);
        text::write_json(&mut buffer, value)?;
        self.write(&buffer)?;
        self.write(b"\n")?;
        Ok(())
    }

    /// A line made by [`text::write_json_line`] elsewhere (a batch worker), and a newline.
    pub fn json_line_bytes(&mut self, line: &[u8]) -> io::Result<()> {
        self.write(line)?;
        self.write(b"\n")
    }

    /// One value as one line of JSON (NDJSON), escaped as [`Out::json`].
    pub fn json_line<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(4096);
        text::write_json_line(&mut buffer, value).map_err(io::Error::other)?;
        buffer.push(b'\n');
        self.write(&buffer)
    }

    /// A pretty JSON array written one element at a time (memory holds one element, not the
    /// list), byte for byte what [`Out::json`] prints for the whole list, and a newline.
    pub fn json_array<F>(&mut self, produce: F) -> anyhow::Result<()>
    where
        F: FnOnce(&mut dyn FnMut(&dyn erased::Element) -> anyhow::Result<()>) -> anyhow::Result<()>,
    {
        self.json_document(|sink| write_json_array(sink, 0, produce))?;
        self.write(b"\n")?;
        Ok(())
    }

    /// Lets `write` stream a JSON document made with the escaping formatter (an export), with
    /// the closed-pipe rule.
    pub fn json_document(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut sink = PipeSink {
            writer: &mut self.writer,
            closed: &mut self.closed,
        };
        write(&mut sink)
    }

    /// Flushes; a closed pipe is not an error.
    pub fn finish(mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.writer.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// A writer over [`Out`]'s buffer with the same closed-pipe rule.
struct PipeSink<'a> {
    writer: &'a mut BufWriter<Box<dyn Write>>,
    closed: &'a mut bool,
}

impl Write for PipeSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if *self.closed {
            return Ok(buf.len());
        }
        match self.writer.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                *self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pad(line: &mut String, spaces: usize) {
    line.extend(std::iter::repeat_n(' ', spaces));
}

fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// "yes" / "no".
pub fn yes_no(flag: bool) -> SafeText {
    SafeText::literal(if flag { "yes" } else { "no" })
}

/// An optional untrusted value, escaped, or "-".
pub fn or_dash(value: Option<&str>) -> SafeText {
    match value {
        Some(v) => SafeText::escape(v),
        None => SafeText::literal("-"),
    }
}

/// A pretty JSON array nested `depth` levels deep, streamed into any writer: what the escaping
/// formatter prints for that array at that depth, without a trailing newline.
pub fn write_json_array<W, F>(out: &mut W, depth: usize, produce: F) -> anyhow::Result<()>
where
    W: Write + ?Sized,
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

/// Object-safe pretty printing for [`write_json_array`].
pub mod erased {
    /// Anything serialisable, behind a `dyn`.
    pub trait Element {
        /// Appends pretty, escaped JSON to `out`.
        fn write_pretty(&self, out: &mut Vec<u8>) -> anyhow::Result<()>;
    }

    impl<T: serde::Serialize> Element for T {
        fn write_pretty(&self, out: &mut Vec<u8>) -> anyhow::Result<()> {
            crate::text::write_json(out, self)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

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

    #[test]
    fn tables_pad_by_display_width_and_survive_huge_cells() {
        let shared = Shared::default();
        let mut out = Out::to(Box::new(shared.clone()));
        let huge = "x".repeat(70_000);
        out.table(
            &["NAME", "ID"],
            &[
                vec![SafeText::escape("東京"), SafeText::escape("1")],
                vec![SafeText::escape(&huge), SafeText::escape("2")],
            ],
        )
        .unwrap();
        out.finish().unwrap();
        let text = String::from_utf8(shared.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], format!("東京{}1", " ".repeat(70_000 - 4 + 2)));
        assert!(lines[2].ends_with("x  2"));
    }

    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_pipe_ends_output_quietly() {
        let mut out = Out::to(Box::new(Closed));
        for _ in 0..10_000 {
            out.line(&SafeText::literal("a line long enough to fill the buffer"))
                .unwrap();
        }
        out.json(&serde_json::json!({"a": 1})).unwrap();
        out.finish().unwrap();
    }
}
