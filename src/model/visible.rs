//! Untrusted text made safe to show a person: control characters and the invisible characters
//! that reorder or hide text (bidirectional overrides, zero-width characters) written as
//! visible escapes (`\x1b`, `\u{202e}`), so an imported label can neither drive a terminal
//! (`ESC ]0;…BEL` retitles it, `ESC [31m` recolours it) nor disguise itself (`invoice` + U+202E + `gnp.exe`
//! displayed as `invoiceexe.png`).
//!
//! Used wherever hoptrace writes for a human: the terminal, the HTML and PDF reports and the
//! PDF's metadata. Data files (CSV, JSON, GraphML, the case file) keep the text exactly.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is written as an escape: a control character (C0, DEL, C1) or a character that
/// changes how the text around it is ordered or shown without being seen itself.
#[must_use]
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'                // Arabic letter mark
            | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

fn escape_into(out: &mut String, c: char) {
    let code = u32::from(c);
    if code < 0x100 {
        let _ = write!(out, "\\x{code:02x}");
    } else {
        let _ = write!(out, "\\u{{{code:x}}}");
    }
}

/// `text` with every hidden character (see [`is_hidden`]) escaped, newlines included: for one
/// line of output (a label, an address, a title).
#[must_use]
pub fn visible(text: &str) -> Cow<'_, str> {
    visible_with(text, false)
}

/// [`visible`], keeping newlines and tabs: for text that may span lines (a rationale, a note).
#[must_use]
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    visible_with(text, true)
}

fn visible_with(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_lines && matches!(c, '\n' | '\t');
    if !text.chars().any(|c| is_hidden(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) && !keep(c) { escape_into(&mut out, c) } else { out.push(c) }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_and_bidi_overrides_are_shown_escaped() {
        assert_eq!(visible("\u{1b}]0;PWNED\u{7}\u{1b}[31m"), "\\x1b]0;PWNED\\x07\\x1b[31m");
        assert_eq!(visible("invoice\u{202e}gnp.exe"), "invoice\\u{202e}gnp.exe");
        assert_eq!(visible("a\nb"), "a\\x0ab");
        assert_eq!(visible_lines("a\nb\tc\rd"), "a\nb\tc\\x0dd");
        assert_eq!(visible("\u{9b}31m zero\u{200b}width"), "\\x9b31m zero\\u{200b}width");
        assert!(matches!(visible("Tornado Cash: 100 ETH — Ünïcödé ✓"), Cow::Borrowed(_)));
    }
}
