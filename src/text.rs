//! The one path by which untrusted text reaches a terminal (design §7).
//!
//! Token claims, JWKS contents, imported and stored values are attacker-controlled. A raw ESC
//! sets the terminal title or the clipboard (OSC 52), a C1 CSI clears the screen, a bidi
//! override reorders what an admin reads, and a zero-width character makes two names look the
//! same. Every human-readable output goes through [`escape`] (usually by building a
//! [`SafeText`] with [`crate::safe!`]); JSON output goes through [`EscapingFormatter`].
//!
//! Written by hand: no crate escapes exactly this set (terminal controls *and* the invisible
//! characters) in a form an admin can read back (`\u{1b}`).

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io;

/// C0 controls, DEL and C1 controls: the characters a terminal acts on.
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Bidirectional formatting characters: they reorder the text around them on screen.
pub fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that take no room on screen (or look like a blank), so that two different
/// strings can look the same: zero-width spaces and joiners, invisible operators, the BOM,
/// soft hyphen, fillers, line and paragraph separators, and the Unicode tag characters (used
/// to smuggle invisible ASCII).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// True for every character [`escape`] rewrites.
pub fn needs_escape(c: char) -> bool {
    is_control(c) || is_bidi(c) || is_invisible(c)
}

/// `raw` with every control, bidi and invisible character written as a visible `\u{1b}`.
/// Borrowed when there is nothing to escape (the common case costs one scan).
pub fn escape(raw: &str) -> Cow<'_, str> {
    match raw.find(needs_escape) {
        None => Cow::Borrowed(raw),
        Some(first) => {
            let mut out = String::with_capacity(raw.len() + 8);
            out.push_str(&raw[..first]);
            for c in raw[first..].chars() {
                if needs_escape(c) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                } else {
                    out.push(c);
                }
            }
            Cow::Owned(out)
        }
    }
}

/// Text that is safe to print: built only from literals and escaped values.
///
/// Every CLI output function takes this type, so a stored or token-derived value cannot be
/// printed without passing through [`escape`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SafeText(String);

impl SafeText {
    /// Escapes untrusted text.
    pub fn escape(untrusted: &str) -> SafeText {
        SafeText(escape(untrusted).into_owned())
    }

    /// Text written by this program (a literal cannot carry an attacker's bytes).
    pub fn literal(text: &'static str) -> SafeText {
        SafeText(text.to_string())
    }

    /// For [`crate::safe!`] only: the text was formatted from a literal and escaped values.
    #[doc(hidden)]
    pub fn from_formatted(text: String) -> SafeText {
        SafeText(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Width in terminal columns.
    pub fn width(&self) -> usize {
        unicode_width::UnicodeWidthStr::width(self.0.as_str())
    }

    /// Appends more safe text.
    pub fn push(&mut self, more: &SafeText) {
        self.0.push_str(&more.0);
    }

    /// The text, for a widget or a writer.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl From<&'static str> for SafeText {
    fn from(text: &'static str) -> SafeText {
        SafeText::literal(text)
    }
}

/// A value shown through [`escape`] when formatted (`{}` in [`crate::safe!`]).
pub struct Untrusted<'a, T: fmt::Display + ?Sized>(pub &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for Untrusted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = self.0.to_string();
        f.pad(&escape(&raw))
    }
}

/// Formats a [`SafeText`]: the format string is a literal, every argument is escaped.
///
/// ```
/// let name = "x\u{1b}]0;T\u{7}";
/// let line = extjwt::safe!("signer \"{}\" not found", name);
/// assert_eq!(line.as_str(), "signer \"x\\u{1b}]0;T\\u{7}\" not found");
/// ```
#[macro_export]
macro_rules! safe {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        $crate::text::SafeText::from_formatted(format!($fmt $(, $crate::text::Untrusted(&$arg))*))
    };
}

/// A serde_json formatter that also writes DEL, C1, bidi and invisible characters as `\uXXXX`
/// (serde_json itself escapes only C0, `"` and `\`), so JSON piped to a terminal is as safe
/// as the human output. Pretty-printed like `serde_json::to_string_pretty` by default; over
/// `CompactFormatter` for one-line JSON (NDJSON).
#[derive(Default)]
pub struct EscapingFormatter<F = serde_json::ser::PrettyFormatter<'static>> {
    inner: F,
}

impl EscapingFormatter {
    /// A pretty formatter with two-space indentation.
    pub fn new() -> Self {
        EscapingFormatter {
            inner: serde_json::ser::PrettyFormatter::new(),
        }
    }
}

/// Writes `value` as one line of JSON (no newline) with the same escaping.
pub fn write_json_line<W: io::Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> serde_json::Result<()> {
    let formatter = EscapingFormatter {
        inner: serde_json::ser::CompactFormatter,
    };
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer)
}

/// Writes `value` as pretty JSON with [`EscapingFormatter`].
pub fn write_json<W: io::Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, EscapingFormatter::new());
    value.serialize(&mut serializer)
}

/// [`write_json`] into a string.
pub fn to_json_string<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    // Serialising serde_json values and derived structs into memory cannot fail.
    let _ = write_json(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
                self.inner.$name(writer $(, $arg)*)
            }
        )*
    };
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for EscapingFormatter<F> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices() {
            if needs_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{:04x}", unit)?;
                }
                start = index + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_invisibles_only() {
        assert_eq!(escape("okta"), "okta");
        assert!(matches!(escape("okta"), Cow::Borrowed(_)));
        assert_eq!(
            escape("https://idp\u{1b}]0;PWNED\u{7}\u{1b}[2J"),
            "https://idp\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J"
        );
        assert_eq!(escape("a\u{9b}b\u{7f}"), "a\\u{9b}b\\u{7f}");
        assert_eq!(escape("alice\u{200b}"), "alice\\u{200b}");
        assert_eq!(escape("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(escape("line\nnext"), "line\\u{a}next");
        assert_eq!(escape("tag\u{e0041}"), "tag\\u{e0041}");
        // Ordinary Unicode stays as it is.
        assert_eq!(escape("Zoë 東京 🙂 a\\b"), "Zoë 東京 🙂 a\\b");
    }

    #[test]
    fn safe_macro_escapes_arguments_not_the_literal() {
        let name = "x\u{1b}]0;T\u{7}";
        let line = crate::safe!("signer \"{}\" not found\t", name);
        assert_eq!(line.as_str(), "signer \"x\\u{1b}]0;T\\u{7}\" not found\t");
        let padded = crate::safe!("[{:<6}]", "ab\u{1b}");
        assert_eq!(padded.as_str(), "[ab\\u{1b}]");
    }

    #[test]
    fn json_escapes_c1_bidi_and_invisibles_as_unicode_escapes() {
        let value = serde_json::json!({"iss": "a\u{9b}2J\u{202e}b\u{200b}\u{7f}\u{1b}\u{e0041}", "n": [1, {}]});
        let text = to_json_string(&value);
        assert!(
            text.contains(r#""a\u009b2J\u202eb\u200b\u007f\u001b\udb40\udc41""#),
            "{text}"
        );
        assert!(!text.chars().any(needs_escape_in_json), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value, "still the same JSON");
        let plain = serde_json::json!({"a": [1, 2], "b": {"c": "d"}, "e": []});
        assert_eq!(
            to_json_string(&plain),
            serde_json::to_string_pretty(&plain).unwrap()
        );
    }

    fn needs_escape_in_json(c: char) -> bool {
        needs_escape(c) && c != '\n'
    }
}
