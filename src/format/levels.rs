//! How bad a line says it is, in its own software's words: the level words application
//! logs print after their timestamp (`INFO`, `ERROR`, `[error]`, `E`), syslog's numeric
//! severities, pino's numbers. Part of the signature of several families too.

use super::contains;
use serde::Serialize;

/// A line's level, from the lowest. Words of other software map onto these: `SEVERE` and
/// `err` are errors, `FATAL`, `PANIC`, `crit`, `alert` and `emerg` critical, MySQL's
/// `Note` and `System` and syslog's `notice` a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Critical => "critical",
        }
    }

    /// A level word, in any case: `ERROR`, `Warning`, `warn`, `crit`, `E`-less.
    pub fn of_word(word: &[u8]) -> Option<Level> {
        if word.len() > 11 || word.len() < 3 {
            return None;
        }
        let mut lower = [0u8; 11];
        for (l, b) in lower.iter_mut().zip(word) {
            *l = b.to_ascii_lowercase();
        }
        Some(match &lower[..word.len()] {
            b"trace" | b"finest" | b"finer" => Level::Trace,
            b"debug" | b"fine" | b"verbose" => Level::Debug,
            b"info" | b"information" | b"informational" | b"config" => Level::Info,
            b"notice" | b"note" | b"system" => Level::Notice,
            b"warn" | b"warning" => Level::Warning,
            b"err" | b"error" | b"severe" => Level::Error,
            b"crit" | b"critical" | b"fatal" | b"alert" | b"emerg" | b"emergency" | b"panic" => Level::Critical,
            _ => return None,
        })
    }

    /// A syslog severity (the low three bits of `<PRI>`): 0 emerg … 7 debug.
    pub fn of_syslog(severity: u8) -> Level {
        match severity & 7 {
            0..=2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warning,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }

    /// pino's and bunyan's numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    pub fn of_number(n: f64) -> Option<Level> {
        Some(match crate::num::whole_i64(n) {
            10 => Level::Trace,
            20 => Level::Debug,
            30 => Level::Info,
            40 => Level::Warning,
            50 => Level::Error,
            60 => Level::Critical,
            _ => return None,
        })
    }

    /// glog's and Ruby Logger's one-letter levels.
    pub fn of_letter(letter: u8) -> Option<Level> {
        Some(match letter {
            b'D' => Level::Debug,
            b'I' => Level::Info,
            b'W' => Level::Warning,
            b'E' => Level::Error,
            b'F' | b'A' => Level::Critical,
            _ => return None,
        })
    }
}

/// A line with its header read: its level where it says one, and its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head<'a> {
    pub level: Option<Level>,
    /// What the line says, after its family's header (time, host, pid, level).
    pub message: &'a [u8],
    /// What a structured record says failed, in a field of its own (a JSON logger's
    /// `error`, `err`, `exception`, `reason`): part of what the line says, empty elsewhere.
    pub detail: &'a [u8],
}

/// Tokens looked at for a level word after the timestamp.
const LEVEL_WITHIN: usize = 4;

/// The head of a line whose level, if any, is a word among the first few after its
/// timestamp (`ERROR`, `[error]`, `<WARN>`, `level=warn`, ` - name - ERROR - `): the message
/// follows it. Without one, the whole rest is the message.
pub fn generic_head(rest: &[u8]) -> Head<'_> {
    let mut at = 0;
    for _ in 0..LEVEL_WITHIN {
        while at < rest.len() && !rest[at].is_ascii_alphanumeric() {
            at += 1;
        }
        let start = at;
        while at < rest.len() && (rest[at].is_ascii_alphanumeric() || rest[at] == b'_') {
            at += 1;
        }
        if start == at {
            break;
        }
        if let Some(level) = Level::of_word(&rest[start..at]) {
            // `level=warn`, `[ERROR]`, `ERROR:`: the message starts after the closing marks.
            let after = rest[at..]
                .iter()
                .take_while(|b| matches!(b, b']' | b')' | b'>' | b':' | b' ' | b'-' | b'|' | b'\t'))
                .count();
            return Head {
                level: Some(level),
                message: &rest[at + after..],
                detail: &[],
            };
        }
    }
    Head {
        level: None,
        message: rest.trim_ascii_start(),
        detail: &[],
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> (Option<Level>, &str) {
        let h = generic_head(text.as_bytes());
        (h.level, std::str::from_utf8(h.message).unwrap())
    }

    #[test]
    fn level_words_of_many_stacks() {
        assert_eq!(head(" ERROR [main] c.s.App - boom"), (Some(Level::Error), "[main] c.s.App - boom"));
        assert_eq!(head(" [WARN] disk at 91%"), (Some(Level::Warning), "disk at 91%"));
        assert_eq!(
            head(" - checkout - CRITICAL - no stock service"),
            (Some(Level::Critical), "no stock service")
        );
        assert_eq!(head(" level=error msg=\"x\""), (Some(Level::Error), "msg=\"x\""));
        assert_eq!(
            head(" 4242 --- [main] INFO c.s.App : Started"),
            (Some(Level::Info), "c.s.App : Started")
        );
        assert_eq!(head(" user alice logged in"), (None, "user alice logged in"));
        // A level word deep in the message is not the line's level.
        assert_eq!(head(" the payment service answered with an error").0, None);
        assert_eq!(Level::of_word(b"Note"), Some(Level::Notice));
        assert_eq!(Level::of_word(b"SEVERE"), Some(Level::Error));
        assert_eq!(Level::of_word(b"errors"), None);
        assert_eq!(Level::of_syslog(3), Level::Error);
        assert_eq!(Level::of_number(50.0), Some(Level::Error));
    }
}
