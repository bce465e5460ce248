//! CSV for exports (RFC 4180): every field quoted, quotes doubled, CRLF line ends, a UTF-8
//! byte-order mark so spreadsheet programs read æ, ø and å right, and formula-looking
//! fields defused so a spreadsheet never evaluates log content (CSV injection).

/// Marks the file as UTF-8 for spreadsheet programs.
pub const BOM: &str = "\u{feff}";

pub fn field(value: &str) -> String {
    let guarded =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// One record with its CRLF line end.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_per_rfc_4180() {
        assert_eq!(field("plain"), "\"plain\"");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("sagt \"nej\""), "\"sagt \"\"nej\"\"\"");
        assert_eq!(field("to\r\nlinjer"), "\"to\r\nlinjer\"");
        assert_eq!(field("æøå"), "\"æøå\"");
        assert_eq!(record(&["1", "x\"y"]), "\"1\",\"x\"\"y\"\r\n");
    }

    #[test]
    fn fields_that_look_like_formulas_are_defused() {
        assert_eq!(field("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(field("@x"), "\"'@x\"");
        assert_eq!(field("+45"), "\"'+45\"");
    }
}
