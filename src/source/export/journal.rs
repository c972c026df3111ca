//! journald's records: the export stream (`journalctl -o export`) and the binary journal
//! files, both as systemd documents them ("Journal Export Format", "Journal File Format").
//!
//! An entry becomes a line as `journalctl -o short-iso` shows it: its time
//! (`_SOURCE_REALTIME_TIMESTAMP` where the sender gave it, else the time journald received
//! it), `_HOSTNAME`, `SYSLOG_IDENTIFIER` (else `_COMM`), the pid and `MESSAGE`; `PRIORITY`
//! and `SYSLOG_FACILITY` give its `<PRI>`.

use super::super::records::{read_line_bounded, Records};
use super::{Carried, Notes, Style, MAX_MESSAGE};
use std::io::{self, BufRead, Read};

/// The fields of an entry the line is made of.
#[derive(Default)]
struct Fields {
    realtime: Option<i64>,
    source_realtime: Option<i64>,
    priority: Option<u8>,
    facility: Option<u8>,
    host: String,
    identifier: String,
    command: String,
    pid: String,
    message: Option<Vec<u8>>,
}

impl Fields {
    /// Whether a field is one the line is made of.
    fn wants(name: &[u8]) -> bool {
        matches!(
            name,
            b"__REALTIME_TIMESTAMP"
                | b"_SOURCE_REALTIME_TIMESTAMP"
                | b"PRIORITY"
                | b"SYSLOG_FACILITY"
                | b"_HOSTNAME"
                | b"SYSLOG_IDENTIFIER"
                | b"_COMM"
                | b"SYSLOG_PID"
                | b"_PID"
                | b"MESSAGE"
        )
    }

    /// Takes one `NAME=value` field, if it is one the line is made of.
    fn take(&mut self, name: &[u8], value: &[u8]) {
        let text = || String::from_utf8_lossy(value).into_owned();
        let number = || std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<i64>().ok());
        match name {
            b"__REALTIME_TIMESTAMP" => self.realtime = number(),
            b"_SOURCE_REALTIME_TIMESTAMP" => self.source_realtime = number(),
            b"PRIORITY" => self.priority = number().and_then(|p| u8::try_from(p).ok()).filter(|&p| p <= 7),
            b"SYSLOG_FACILITY" => self.facility = number().and_then(|f| u8::try_from(f).ok()).filter(|&f| f <= 23),
            b"_HOSTNAME" => self.host = text(),
            b"SYSLOG_IDENTIFIER" => self.identifier = text(),
            b"_COMM" => self.command = text(),
            // The sender's own pid, else the one journald saw.
            b"SYSLOG_PID" => self.pid = text(),
            b"_PID" if self.pid.is_empty() => self.pid = text(),
            b"MESSAGE" => self.message = Some(value[..value.len().min(MAX_MESSAGE)].to_vec()),
            _ => {}
        }
    }

    /// The entry's line in `style`, if it has a time and a message.
    fn write(&self, style: Style, out: &mut Vec<u8>) -> bool {
        let (Some(micros), Some(message)) = (self.source_realtime.or(self.realtime), &self.message) else {
            return false;
        };
        let program = if self.identifier.is_empty() {
            &self.command
        } else {
            &self.identifier
        };
        Carried {
            micros,
            severity: self.priority,
            facility: self.facility,
            host: &self.host,
            program,
            pid: &self.pid,
            message,
            naive: false,
        }
        .write(style, out);
        true
    }
}

/// A field name of the export format: upper-case letters, digits and `_`.
fn is_field_name(name: &[u8]) -> bool {
    !name.is_empty() && name.len() <= 64 && name.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Does a head read as `journalctl -o export`: a field first, and the entry's realtime
/// among its first fields?
pub(super) fn is_export(head: &[u8]) -> bool {
    let mut lines = crate::format::lines(head).take_while(|l| !l.is_empty()).take(64);
    let Some(first) = lines.next() else { return false };
    let field = |line: &[u8]| memchr::memchr(b'=', line).is_some_and(|eq| is_field_name(&line[..eq]));
    field(first) && (first.starts_with(b"__REALTIME_TIMESTAMP=") || lines.any(|l| l.starts_with(b"__REALTIME_TIMESTAMP=")))
}

/// The export stream, entry by entry. Each line of the stream gives one line: the entry's
/// own at its `MESSAGE` line, empty lines for its other fields. A line that is no field
/// outside an entry (`journalctl`'s short lines pasted into an export) is passed on as it
/// is, and counted.
pub(super) struct ExportRecords<R: BufRead> {
    input: R,
    style: Style,
    line: Vec<u8>,
    fields: Fields,
    /// Lines of the entry so far, and which of them holds its message.
    entry_lines: u64,
    message_line: Option<u64>,
    not_fields: u64,
    binary_cut: bool,
}

impl<R: BufRead + Send> ExportRecords<R> {
    pub(super) fn new(input: R, style: Style) -> Self {
        ExportRecords {
            input,
            style,
            line: Vec::new(),
            fields: Fields::default(),
            entry_lines: 0,
            message_line: None,
            not_fields: 0,
            binary_cut: false,
        }
    }

    /// The entry read so far, as its lines.
    fn finish_entry(&mut self, out: &mut Vec<u8>) {
        for index in 0..self.entry_lines {
            if Some(index) == self.message_line {
                self.fields.write(self.style, out);
            }
            out.push(b'\n');
        }
        self.fields = Fields::default();
        self.entry_lines = 0;
        self.message_line = None;
    }

    /// A binary field: its length, its bytes and the newline after them. Returns `Ok` with
    /// the lines they span after the name's (the newlines among them), or `Err` with those
    /// read when the stream ends or is not what it says (no newline after the bytes): then
    /// nothing after is read, as the lines can no longer be told apart. The bytes stream
    /// through: only a field the line is made of keeps its first [`MAX_MESSAGE`] bytes (a
    /// core dump of gigabytes in `COREDUMP` costs no memory).
    fn binary_field(&mut self, name: &[u8]) -> io::Result<Result<u64, u64>> {
        let mut length = [0u8; 8];
        if self.input.read_exact(&mut length).is_err() {
            return Ok(Err(0));
        }
        let newlines_in = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let mut lines = newlines_in(&length);
        let in_length = lines;
        let length = u64::from_le_bytes(length);
        let wanted = Fields::wants(name);
        let mut value = Vec::new();
        let mut read = 0u64;
        let mut block = vec![0u8; 64 << 10];
        while read < length {
            let want = crate::num::index((length - read).min(block.len() as u64));
            let n = match self.input.read(&mut block[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            lines += newlines_in(&block[..n]);
            if wanted && value.len() < MAX_MESSAGE {
                value.extend_from_slice(&block[..n.min(MAX_MESSAGE - value.len())]);
            }
            read += n as u64;
        }
        let mut newline = [0u8; 1];
        let ended = self.input.read_exact(&mut newline).is_ok() && newline[0] == b'\n';
        lines += u64::from(ended);
        if !ended || read != length {
            return Ok(Err(lines));
        }
        if name == b"MESSAGE" {
            self.message_line = Some(self.entry_lines + in_length);
        }
        self.fields.take(name, &value);
        Ok(Ok(lines))
    }
}

impl<R: BufRead + Send> Records for ExportRecords<R> {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let taken = read_line_bounded(&mut self.input, &mut self.line, MAX_MESSAGE + 256)?;
        if taken == 0 {
            self.finish_entry(out);
            return Ok(false);
        }
        let line = std::mem::take(&mut self.line);
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let more = self.take_line(text.strip_suffix(b"\r").unwrap_or(text), out);
        self.line = line;
        more
    }

    fn end_note(&self) -> Option<String> {
        let cut = "a binary field was cut short or its length is not believable; the rest of the file is not read";
        Notes::default()
            .count(
                self.not_fields,
                "line was not a journal export field; read as it is",
                "lines were not journal export fields; read as they are",
            )
            .also(self.binary_cut.then(|| cut.to_string()))
            .said()
    }
}

impl<R: BufRead + Send> ExportRecords<R> {
    /// One line of the stream (without its newline); says whether the stream goes on.
    fn take_line(&mut self, line: &[u8], out: &mut Vec<u8>) -> io::Result<bool> {
        if line.is_empty() {
            // The blank line after an entry stands for itself.
            self.finish_entry(out);
            out.push(b'\n');
            return Ok(true);
        }
        if let Some(eq) = memchr::memchr(b'=', line).filter(|&eq| is_field_name(&line[..eq])) {
            let (name, value) = (line[..eq].to_vec(), line[eq + 1..].to_vec());
            if name == b"MESSAGE" {
                self.message_line = Some(self.entry_lines);
            }
            self.fields.take(&name, &value);
            self.entry_lines += 1;
            return Ok(true);
        }
        // A bare name is a binary field's only inside an entry: between entries it is a
        // stray line (a `WARNING` pasted from elsewhere).
        if is_field_name(line) && self.entry_lines > 0 {
            let name = line.to_vec();
            // The name's line, then the lines of the bytes after it.
            self.entry_lines += 1;
            match self.binary_field(&name)? {
                Ok(lines) => self.entry_lines += lines,
                Err(lines) => {
                    // A cut or corrupt stream: what came before is kept.
                    self.entry_lines += lines;
                    self.binary_cut = true;
                    self.finish_entry(out);
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        // Not a field: the entry (if one was open) ends here, and the line is read as it is.
        self.finish_entry(out);
        self.not_fields += 1;
        out.extend_from_slice(line);
        out.push(b'\n');
        Ok(true)
    }
}

/// A binary journal file's signature, its first 8 bytes.
pub(super) const SIGNATURE: &[u8] = b"LPKSHHRH";

/// Header flags (`incompatible_flags`): which compressions its data objects may use, and
/// the compact layout of systemd 252 and later (32-bit offsets in entries and arrays).
const COMPRESSED_XZ: u32 = 1 << 0;
const COMPRESSED_LZ4: u32 = 1 << 1;
const KEYED_HASH: u32 = 1 << 2;
const COMPRESSED_ZSTD: u32 = 1 << 3;
const COMPACT: u32 = 1 << 4;
const KNOWN_FLAGS: u32 = COMPRESSED_XZ | COMPRESSED_LZ4 | KEYED_HASH | COMPRESSED_ZSTD | COMPACT;

/// The smallest header that holds the fields read here (up to the arena's size).
const MIN_HEADER: usize = 112;

/// Object types and the flags of a data object's compression.
const OBJECT_DATA: u8 = 1;
const OBJECT_ENTRY: u8 = 3;
const OBJECT_XZ: u8 = 1 << 0;
const OBJECT_LZ4: u8 = 1 << 1;
const OBJECT_ZSTD: u8 = 1 << 2;

/// Sizes of the layout: the object header; where an entry's items start (after its
/// seqnum, realtime, monotonic, boot id and xor hash); where a data object's payload starts
/// (after its hash, four offsets and entry count, and in compact files the tail array's
/// offset and count).
const OBJECT_HEADER: usize = 16;
const ENTRY_ITEMS: usize = 64;
const DATA_PAYLOAD: usize = 64;
const DATA_PAYLOAD_COMPACT: usize = 72;

/// Fields past this many in an entry are not looked at: an entry of millions of items is
/// no entry journald wrote.
const MAX_ITEMS: usize = 4096;

/// A binary journal's bytes: mapped, or read whole with `--no-mmap`.
pub(super) enum JournalBytes {
    /// The registration is held for as long as the mapping: it names the file if it
    /// shrinks under us.
    Mapped(memmap2::Mmap, #[allow(dead_code)] super::super::guard::Registration),
    Read(Vec<u8>),
}

impl std::ops::Deref for JournalBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            JournalBytes::Mapped(map, _) => map,
            JournalBytes::Read(bytes) => bytes,
        }
    }
}

/// A binary journal file, entry by entry in the order they were written: its objects are
/// walked from the header on (an archived file and one still written alike; the entry
/// arrays are not needed), each entry's fields read from the data objects it points at.
pub(super) struct FileRecords {
    bytes: JournalBytes,
    style: Style,
    compact: bool,
    /// The next object's offset, and where the objects end.
    at: usize,
    end: usize,
    unreadable_entries: u64,
    compressed_unread: u64,
    stopped: Option<String>,
}

impl FileRecords {
    pub(super) fn open(path: &std::path::Path, display: &str, mapped: bool, style: Style) -> io::Result<FileRecords> {
        let file = super::super::open_regular(path)?;
        let size = file.metadata()?.len();
        let bytes = match mapped {
            true => {
                // SAFETY: read-only and private; a file truncated under the mapping raises
                // SIGBUS, which the guard turns into a clear error naming the file.
                let map = unsafe { memmap2::MmapOptions::new().len(crate::num::index(size)).map(&file)? };
                match super::super::guard::register(map.as_ptr(), map.len(), display) {
                    Some(registration) => JournalBytes::Mapped(map, registration),
                    None => JournalBytes::Read(map.to_vec()),
                }
            }
            false => {
                let mut bytes = Vec::with_capacity(crate::num::index(size));
                io::BufReader::new(file).read_to_end(&mut bytes)?;
                JournalBytes::Read(bytes)
            }
        };
        Self::of_bytes(bytes, style)
    }

    pub(super) fn of_bytes(bytes: JournalBytes, style: Style) -> io::Result<FileRecords> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("not a readable journal file: {what}"));
        if !bytes.starts_with(SIGNATURE) {
            return Err(bad("no journal signature"));
        }
        let flags = le32(&bytes, 12).ok_or_else(|| bad("header cut short"))?;
        if flags & !KNOWN_FLAGS != 0 {
            return Err(bad(&format!("header flags {flags:#x} of a newer journal format")));
        }
        let header_size = le64(&bytes, 88).ok_or_else(|| bad("header cut short"))?;
        let arena_size = le64(&bytes, 96).ok_or_else(|| bad("header cut short"))?;
        let start = usize::try_from(header_size)
            .ok()
            .filter(|&s| s >= MIN_HEADER && s <= bytes.len())
            .ok_or_else(|| bad("header size out of the file"))?;
        let end = usize::try_from(header_size.saturating_add(arena_size))
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        Ok(FileRecords {
            style,
            compact: flags & COMPACT != 0,
            at: start,
            end,
            bytes,
            unreadable_entries: 0,
            compressed_unread: 0,
            stopped: None,
        })
    }

    /// The entry at `offset`, its fields read from its data objects; `None` when the
    /// entry does not hold together.
    fn entry(&mut self, offset: usize, size: usize) -> Option<Fields> {
        let realtime = le64(&self.bytes, offset + 24)?;
        let item_size = if self.compact { 4 } else { 16 };
        let items = size.checked_sub(ENTRY_ITEMS)? / item_size;
        let mut fields = Fields {
            realtime: i64::try_from(realtime).ok(),
            ..Fields::default()
        };
        for item in 0..items.min(MAX_ITEMS) {
            let at = offset + ENTRY_ITEMS + item * item_size;
            let data = match self.compact {
                true => u64::from(le32(&self.bytes, at)?),
                false => le64(&self.bytes, at)?,
            };
            let data = usize::try_from(data).ok()?;
            if let Some(payload) = self.payload(data) {
                if let Some(eq) = memchr::memchr(b'=', &payload) {
                    fields.take(&payload[..eq], &payload[eq + 1..]);
                }
            }
        }
        Some(fields)
    }

    /// A data object's `NAME=value`, decompressed where it is stored compressed.
    fn payload(&mut self, offset: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        let kind = *self.bytes.get(offset)?;
        let flags = *self.bytes.get(offset + 1)?;
        let size = usize::try_from(le64(&self.bytes, offset + 8)?).ok()?;
        let start = offset + if self.compact { DATA_PAYLOAD_COMPACT } else { DATA_PAYLOAD };
        if kind != OBJECT_DATA || size < start - offset || offset.checked_add(size)? > self.bytes.len() {
            return None;
        }
        let stored = &self.bytes[start..offset + size];
        if flags & (OBJECT_XZ | OBJECT_LZ4 | OBJECT_ZSTD) == 0 {
            return Some(std::borrow::Cow::Borrowed(stored));
        }
        match decompress(flags, stored) {
            Some(value) => Some(std::borrow::Cow::Owned(value)),
            None => {
                self.compressed_unread += 1;
                None
            }
        }
    }
}

/// A compressed field's bytes, at most [`MAX_MESSAGE`] and a name of them; `None` when they
/// do not decompress. LZ4 payloads begin with the size they decompress to (64-bit, little
/// endian); XZ and ZSTD payloads are whole streams.
fn decompress(flags: u8, stored: &[u8]) -> Option<Vec<u8>> {
    let limit = (MAX_MESSAGE + 256) as u64;
    let mut value = Vec::new();
    if flags & OBJECT_LZ4 != 0 {
        let size = usize::try_from(le64(stored, 0)?).ok()?;
        if size as u64 > limit {
            return None;
        }
        let mut value = vec![0; size];
        let written = lz4_flex::decompress_into(stored.get(8..)?, &mut value).ok()?;
        value.truncate(written);
        return Some(value);
    }
    let read = if flags & OBJECT_ZSTD != 0 {
        zstd::stream::read::Decoder::new(stored).ok()?.take(limit).read_to_end(&mut value)
    } else {
        liblzma::read::XzDecoder::new(stored).take(limit).read_to_end(&mut value)
    };
    read.ok().map(|_| value)
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

impl Records for FileRecords {
    fn next_lines(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        // Objects until the next entry: data, fields, hash tables and arrays are read
        // from the entries that point at them.
        while self.at + OBJECT_HEADER <= self.end {
            let kind = self.bytes[self.at];
            let Some(size) = le64(&self.bytes, self.at + 8).and_then(|s| usize::try_from(s).ok()) else {
                break;
            };
            if size == 0 {
                // The unused end of the arena.
                break;
            }
            if size < OBJECT_HEADER || self.at.checked_add(size).is_none_or(|end| end > self.end) {
                self.stopped = Some(format!(
                    "an object at byte {} runs past the file; the entries after it are not read",
                    self.at
                ));
                break;
            }
            let offset = self.at;
            // Objects are aligned to 8 bytes.
            self.at = (offset + size).next_multiple_of(8);
            if kind != OBJECT_ENTRY {
                continue;
            }
            // Every entry is a line, so that line N is the Nth entry; one that does not hold
            // together, or has no message, is an empty line.
            match self.entry(offset, size) {
                Some(fields) => {
                    fields.write(self.style, out);
                }
                None => self.unreadable_entries += 1,
            }
            out.push(b'\n');
            return Ok(true);
        }
        Ok(false)
    }

    fn end_note(&self) -> Option<String> {
        Notes::default()
            .count(
                self.unreadable_entries,
                "entry did not hold together and was read as an empty line",
                "entries did not hold together and were read as empty lines",
            )
            .count(
                self.compressed_unread,
                "compressed field did not decompress and was left out",
                "compressed fields did not decompress and were left out",
            )
            .also(self.stopped.clone())
            .said()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(export: &[u8]) -> (Vec<String>, Option<String>) {
        super::super::lines_of(super::super::Export::JournalExport, export)
    }

    #[test]
    fn an_export_gives_a_line_for_each_of_its_lines_the_entry_at_its_message() {
        let export = b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1726585755776730\nPRIORITY=3\nSYSLOG_FACILITY=3\n_HOSTNAME=db1\nSYSLOG_IDENTIFIER=postgres\n_PID=7\nMESSAGE=could not write block: No space left on device\n_BOOT_ID=x\n\n__CURSOR=s=2\n__REALTIME_TIMESTAMP=1726585756000000\nMESSAGE=no priority\n";
        let (lines, note) = lines_of(export);
        assert_eq!(lines.len(), export.iter().filter(|&&b| b == b'\n').count());
        assert_eq!(
            lines[7],
            "<27>2024-09-17T15:09:15.776730Z db1 postgres[7]: could not write block: No space left on device"
        );
        assert!(lines[..7].iter().chain(&lines[8..11]).all(String::is_empty));
        assert_eq!(lines[12], "2024-09-17T15:09:16.000000Z - unknown: no priority");
        assert_eq!(note, None);
    }

    #[test]
    fn a_binary_field_is_read_by_its_length_and_its_lines_are_counted() {
        let mut export = b"__REALTIME_TIMESTAMP=1000000\nMESSAGE\n".to_vec();
        export.extend_from_slice(&11u64.to_le_bytes());
        export.extend_from_slice(b"two\nlines\x01!\n");
        export.extend_from_slice(b"_HOSTNAME=h\n\n");
        let (lines, _) = lines_of(&export);
        // The time, the name, the value over two lines (the message cited at its first),
        // the host, the blank line.
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[2], "1970-01-01T00:00:01.000000Z h unknown: two lines !");
    }

    #[test]
    fn stray_lines_are_read_as_they_are_and_a_cut_stream_keeps_what_came_before() {
        let export = b"__REALTIME_TIMESTAMP=1000000\nMESSAGE=one\n\nSep 17 11:26:36 Debian12 kernel: pasted\n__REALTIME_TIMESTAMP=2000000\nMESSAGE\n\xff\xff";
        let (lines, note) = lines_of(export);
        assert_eq!(lines[1], "1970-01-01T00:00:01.000000Z - unknown: one");
        assert_eq!(lines[3], "Sep 17 11:26:36 Debian12 kernel: pasted");
        let note = note.unwrap();
        assert!(note.contains("1 line was not a journal export field"), "{note}");
        assert!(note.contains("cut short"), "{note}");
    }

    #[test]
    fn a_binary_field_without_its_newline_ends_the_reading_without_lines_the_file_lacks() {
        // Found by the `exports` fuzz target: 5 bytes of value, then no newline.
        let mut export = b"__REALTIME_TIMESTAMP=1\nMESSAGE\n".to_vec();
        export.extend_from_slice(&5u64.to_le_bytes());
        export.extend_from_slice(b"\0\0\0\0\0\0\0(");
        let (lines, note) = lines_of(&export);
        assert!(lines.len() <= export.iter().filter(|&&b| b == b'\n').count() + 1, "{lines:?}");
        assert!(note.unwrap().contains("cut short"));
    }

    #[test]
    fn a_huge_unused_field_streams_through_and_stray_names_and_crlf_are_lines() {
        let mut export = b"__REALTIME_TIMESTAMP=1000000\r\nCOREDUMP\n".to_vec();
        let core = vec![0x0a_u8; 3 << 20];
        export.extend_from_slice(&(core.len() as u64).to_le_bytes());
        export.extend_from_slice(&core);
        export.extend_from_slice(b"\nMESSAGE=after the core\n\nWARNING\n__REALTIME_TIMESTAMP=2000000\nMESSAGE=next\n");
        let (lines, note) = lines_of(&export);
        assert_eq!(lines.len(), export.iter().filter(|&&b| b == b'\n').count());
        assert!(lines.iter().any(|l| l.ends_with("after the core")) && lines.iter().any(|l| l.ends_with("next")));
        assert!(lines.contains(&"WARNING".to_string()));
        assert_eq!(note.as_deref(), Some("1 line was not a journal export field; read as it is"));
    }

    #[test]
    fn an_export_is_known_by_its_fields_and_a_key_value_log_is_not() {
        assert!(is_export(b"__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1\nMESSAGE=x\n"));
        assert!(!is_export(b"ts=2024-01-01T00:00:00Z level=info msg=x\n"));
        assert!(!is_export(b"PATH=/usr/bin\nHOME=/root\n"));
    }

    #[test]
    fn a_journal_that_is_not_one_is_refused_with_a_reason() {
        let refuse = |bytes: Vec<u8>| {
            FileRecords::of_bytes(JournalBytes::Read(bytes), Style::Carried)
                .err()
                .unwrap()
                .to_string()
        };
        assert!(refuse(b"LPKSHHRH".to_vec()).contains("cut short"));
        let mut newer = SIGNATURE.to_vec();
        newer.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 0]);
        newer.resize(256, 0);
        assert!(refuse(newer).contains("newer journal format"));
    }
}
