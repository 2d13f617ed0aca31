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
