//! The level words application logs print after their timestamp (`INFO`, `ERROR` …):
//! part of the signature of several families.

use super::contains;

const WORDS: [&[u8]; 9] = [
    b"INFO",
    b"WARN",
    b"WARNING",
    b"ERROR",
    b"DEBUG",
    b"TRACE",
    b"FATAL",
    b"CRITICAL",
    b"SEVERE",
];

/// Whether `text`, after leading spaces, starts with a level word (as a whole word).
pub(crate) fn starts_with_level(text: &[u8]) -> bool {
    let text = text.trim_ascii_start();
    WORDS
        .iter()
        .any(|level| text.starts_with(level) && !text.get(level.len()).is_some_and(u8::is_ascii_alphabetic))
}

/// Whether `text` holds a level word anywhere.
pub(crate) fn contains_level(text: &[u8]) -> bool {
    WORDS.iter().any(|level| contains(text, level))
}
