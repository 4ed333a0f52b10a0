//! Documentation that the binary prints: the leading `//!` block of a check's or lint's
//! source file, so the text `explain` shows is the text next to the code.

pub fn leading_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            break;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out
}
