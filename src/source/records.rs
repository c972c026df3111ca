//! Streams of lines made from records: a container runtime's wrapped lines, an export's
//! records. A [`Records`] source appends the lines it makes; [`RecordLines`] hands them
//! out as a byte stream the scan reads like a decompressed file, then says what could not
//! be read as records once, as an [`EndNote`].

use super::EndNote;
use std::io::{self, BufRead, Read};

/// One of several parts of a file read apart (a `docker compose` service, an export's
/// host), known by name: each part a reading of the whole file, whose other parts' lines
/// are read as empty lines. The first reading also keeps the parts its head did not show
/// (or showed too little of), so that no line is lost or read twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    keys: [u64; MAX_MEMBERS],
    count: u8,
    this: u8,
}

/// The most parts of one file read apart; a file of more is read as one.
pub(crate) const MAX_MEMBERS: usize = 8;

impl Member {
    /// A reading for each of `names` (at most [`MAX_MEMBERS`]), in their order.
    #[allow(clippy::cast_possible_truncation, reason = "at most MAX_MEMBERS (8) names")]
    pub(crate) fn all(names: &[&[u8]]) -> Vec<Member> {
        let names = &names[..names.len().min(MAX_MEMBERS)];
        let mut keys = [0u64; MAX_MEMBERS];
        for (slot, name) in keys.iter_mut().zip(names) {
            *slot = key(name);
        }
        (0..names.len())
            .map(|this| Member {
                keys,
                count: names.len() as u8,
                this: this as u8,
            })
            .collect()
    }

    /// Which reading this is, and of how many (from 1).
    pub fn position(&self) -> (u8, u8) {
        (self.this + 1, self.count)
    }

    pub(crate) fn is_first(&self) -> bool {
        self.this == 0
    }

    /// Whether this reading keeps a line of the part named `name`.
    pub(crate) fn keeps(&self, name: &[u8]) -> bool {
        let key = key(name);
        let known = &self.keys[..usize::from(self.count)];
        known[usize::from(self.this)] == key || (self.this == 0 && !known.contains(&key))
    }
}

/// A part's name as a key (FNV-1a): readings carry keys, not names, to stay `Copy`.
fn key(name: &[u8]) -> u64 {
    name.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A source of records: each call appends the next lines (each ending in `\n`) and says
/// whether there may be more.
pub(crate) trait Records: Send {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool>;
    /// Said once everything is read: what could not be read as records.
    fn end_note(&self) -> Option<String>;
}

/// Streams the lines of a [`Records`] source, and its end note as an [`EndNote`] error
/// once they are all read.
pub(crate) struct RecordLines<R: Records> {
    records: R,
    out: Vec<u8>,
    out_at: usize,
    ended: bool,
    noted: bool,
}

impl<R: Records> RecordLines<R> {
    pub(crate) fn new(records: R) -> RecordLines<R> {
        RecordLines {
            records,
            out: Vec::new(),
            out_at: 0,
            ended: false,
            noted: false,
        }
    }
}

/// How much output a batch gathers before it is handed out: one call a line would cost
/// more than the line.
const BATCH: usize = 64 * 1024;

impl<R: Records> Read for RecordLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.out.len() {
            self.out.clear();
            self.out_at = 0;
            if self.ended {
                if std::mem::replace(&mut self.noted, true) {
                    return Ok(0);
                }
                return match self.records.end_note() {
                    None => Ok(0),
                    Some(note) => Err(io::Error::other(EndNote(note))),
                };
            }
            while self.out.len() < BATCH {
                if !self.records.next_lines(&mut self.out)? {
                    self.ended = true;
                    break;
                }
            }
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

/// Reads one line of `input` (its newline included, if it has one) into `line`, keeping at
/// most `limit` bytes of it: the rest is read and dropped, so no line is ever held whole.
/// Returns the bytes the line took in the input (0 at the end).
pub(crate) fn read_line_bounded<R: BufRead>(input: &mut R, line: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
    line.clear();
    let mut taken = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(taken);
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let keep = chunk.len().min(limit.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        if done && keep < chunk.len() {
            // The newline itself is kept, so the caller still sees where the line ended.
            line.push(b'\n');
        }
        let used = chunk.len();
        input.consume(used);
        taken += used;
        if done {
            return Ok(taken);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_past_its_bound_is_read_through_but_not_kept() {
        let mut input = io::Cursor::new(b"0123456789\nab\n".to_vec());
        let mut line = Vec::new();
        assert_eq!(read_line_bounded(&mut input, &mut line, 4).unwrap(), 11);
        assert_eq!(line, b"0123\n");
        assert_eq!(read_line_bounded(&mut input, &mut line, 4).unwrap(), 3);
        assert_eq!(line, b"ab\n");
        assert_eq!(read_line_bounded(&mut input, &mut line, 4).unwrap(), 0);
    }
}
