//! Problems with the input, one line each on stderr, naming the file: what the scan could
//! not read and why, and notes on how it read what it could (a zone it followed). A problem with one file never stops the others from being read;
//! errors (as opposed to warnings) make the exit status non-zero.

use std::fmt;
use std::io;

/// How bad a problem is: errors make the exit status non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// How something was read that the user may want to know (a zone followed).
    Note,
    Warning,
    Error,
}

/// One line for stderr about one file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub level: Level,
    pub file: String,
    pub message: String,
    /// The file was not read at all (a binary file, an image): `sources` lists it, and a
    /// run that read nothing says how many were.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// Problems as a scan partial keeps them: every field, the flag that JSON output leaves
/// out when false too.
pub mod problem_list {
    use super::{Level, Problem};

    pub fn serialize<S: serde::Serializer>(problems: &[Problem], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(problems.iter().map(|p| (p.level, p.file.as_str(), p.message.as_str(), p.skipped)))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Problem>, D::Error> {
        let wire: Vec<(Level, String, String, bool)> = serde::Deserialize::deserialize(deserializer)?;
        Ok(wire
            .into_iter()
            .map(|(level, file, message, skipped)| Problem {
                level,
                file,
                message,
                skipped,
            })
            .collect())
    }
}

impl Problem {
    fn new(level: Level, file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            level,
            file: file.into(),
            message: message.into(),
            skipped: false,
        }
    }

    pub fn note(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(Level::Note, file, message)
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(Level::Warning, file, message)
    }

    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(Level::Error, file, message)
    }

    /// A file not read at all, and why: at `level` (a binary file is worth a warning of
    /// its own; a file not a log by its name, a note counted with the others).
    pub fn skipped(level: Level, file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            skipped: true,
            ..Problem::new(level, file, message)
        }
    }
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.level.name(), self.file, self.message)
    }
}

/// An I/O error for people: "No such file or directory", without "(os error 2)".
pub fn describe_io(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
