//! The source stage: find the input files, probe each one (size, age, format sniffed
//! from its first lines, the last lines for year inference), and give the scan its bytes:
//! memory-mapped where that is safe, read with pread() where it is not, decompressed as a
//! stream for `.gz`, and read as a stream from stdin.

mod discover;
mod encoding;
mod export;
mod guard;
mod layouts;
mod names;
mod records;
mod wrapper;

pub use discover::{discover, in_sets, labelled, set_keys, InputFile, Origin, SetKey};
pub use encoding::Encoding;
pub use export::{export_lines, Export, Style};
pub use records::Member;
pub(crate) use wrapper::{not_records_note, unwrap_all};
pub use wrapper::{readings_of, streamed_unwrapped_lines, unwrapped_lines, Part, Reading, Stream, Wrapper, WrapperKind};

use crate::error::{describe_io, Problem};
use crate::format::{self, Format, Sniffed, ENTRY_WINDOW};
use crate::time::RawStamp;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::time::{Duration, SystemTime};

/// How many bytes of a file's head are sniffed, and of its tail looked at for its last
/// timestamp.
pub const PROBE_BYTES: usize = 64 * 1024;
/// Bytes read from a compressed file at a time: the decoders work best on large reads
/// (8 KiB costs a gzip scan 7 % of its time against 32 KiB and more).
const COMPRESSED_READ: usize = 128 * 1024;

/// The read buffer for a compressed file of `size` bytes: [`COMPRESSED_READ`], or room
/// for the whole file where it is smaller (ten thousand pieces of 2 KiB each took a
/// buffer of 128 KiB, which the allocator maps and unmaps anew every time).
fn compressed_read(size: u64) -> usize {
    COMPRESSED_READ
        .min(usize::try_from(size).unwrap_or(usize::MAX).saturating_add(1))
        .max(4096)
}
/// Files modified this recently may still be written (or truncated): read, don't map.
const STILL_WRITTEN: Duration = Duration::from_secs(5);

/// How the scan reads a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReadMode {
    Mmap,
    Pread,
    /// Streamed through a decoder: decompressed, or transcoded from UTF-16.
    Decoded(Encoding),
    /// Streamed with a container runtime's wrapper undone (after decoding, if any).
    Unwrapped(Option<Encoding>, Wrapper),
    /// Streamed as the syslog lines of an export's records (after decoding, if any); with
    /// a host, where an export of several hosts is read once a host.
    Exported(Option<Encoding>, Export, Style, Option<Member>),
    Stdin,
}

impl ReadMode {
    /// How the file was read: `mmap`, `gzip`, `docker json-file`, `gzip, cri` …
    pub fn name(self) -> String {
        match self {
            ReadMode::Mmap => "mmap".into(),
            ReadMode::Pread => "read".into(),
            ReadMode::Decoded(encoding) => encoding.name().into(),
            ReadMode::Unwrapped(encoding, wrapper) => {
                let mut name = encoding.map(|e| format!("{}, ", e.name())).unwrap_or_default();
                name.push_str(wrapper.kind.name());
                match wrapper.part {
                    Some(wrapper::Part::Stream(stream)) => {
                        name.push_str(", ");
                        name.push_str(stream.name());
                    }
                    Some(wrapper::Part::Member(member, _)) => {
                        let (this, of) = member.position();
                        name.push_str(&format!(", {} {this} of {of}", wrapper.kind.member_word()));
                    }
                    None => {}
                }
                name
            }
            ReadMode::Exported(encoding, export, style, host) => {
                let mut name = encoding.map(|e| format!("{}, ", e.name())).unwrap_or_default();
                name.push_str(export.name());
                if let Style::Printed { .. } = style {
                    name.push_str(", messages as printed");
                }
                if let Some(host) = host {
                    let (this, of) = host.position();
                    name.push_str(&format!(", host {this} of {of}"));
                }
                name
            }
            ReadMode::Stdin => "stdin".into(),
        }
    }
}

/// What probing learnt of a file before the scan.
#[derive(Debug)]
pub struct Probe {
    pub file: InputFile,
    pub mode: ReadMode,
    /// Bytes at open: the scan reads no further, so a file appended to meanwhile is read
    /// up to this size. For a decoded file, its size as stored.
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub sniffed: Sniffed,
    /// The columns its header lines name, for a format that names them (W3C's
    /// `#Fields:`), each with the offset from which it holds: found in one pass over a
    /// plain file, so that a chunk that starts anywhere reads by the right ones; a stream
    /// has its head's, and a later header changes them as the stream is read.
    pub columns: Vec<(u64, crate::format::Columns)>,
    /// The timestamps of the first and last timestamped lines of the head and tail
    /// (the tail is read for plain files only): for zone notes and year inference.
    pub first_stamp: Option<RawStamp>,
    pub last_stamp: Option<RawStamp>,
    /// The first stamp of the head or tail that prints its year, for a file whose lines
    /// mostly do not: their year is read from it.
    pub dated_stamp: Option<RawStamp>,
    /// The bytes probing read that the scan starts from: see [`Held`]. The scan takes
    /// them out (a probe is shared by the threads that scan), so that each file's are
    /// freed once it is read.
    pub held: std::sync::Mutex<Held>,
    /// Whether the file may be memory-mapped (not `--no-mmap`, not still written): a
    /// plain wrapped file's ranges are mapped then.
    pub mappable: bool,
    /// The fields its head shows to sort a JSON application log's lines into classes
    /// (see [`crate::format::app_keys`]); none for other formats.
    pub app_keys: Vec<Box<str>>,
}

/// Bytes a probe keeps for the scan, so that it does not read them again.
#[derive(Debug, Default)]
pub enum Held {
    /// The scan opens the file again: a directory of 100,000 files must not hold their
    /// heads.
    #[default]
    Nothing,
    /// Stdin's head, which probing consumed: the scan reads on from it.
    Head(Vec<u8>),
    /// The whole decoded text of a compressed file short enough to be read whole by its
    /// probe (a load balancer's 5-minute piece): scanned from memory, neither opened nor
    /// decompressed again. Bounded in all by a [`HeldBudget`].
    Whole(Vec<u8>),
}

/// What every probe of a run shares.
pub struct ProbeSettings {
    /// Read with `read()`, never mapped (`--no-mmap`).
    pub no_mmap: bool,
    /// What small compressed files' text may be kept for the scan.
    pub held: HeldBudget,
    /// The fields JSON access records are read by, given by hand (`--access-fields`): a
    /// file of JSON records whose head's records hold them is read by them, whatever
    /// else it sniffs as.
    pub access_fields: Option<crate::format::AccessFields>,
}

impl ProbeSettings {
    pub fn new(no_mmap: bool, access_fields: Option<crate::format::AccessFields>) -> ProbeSettings {
        ProbeSettings {
            no_mmap,
            held: HeldBudget::new(),
            access_fields,
        }
    }
}

/// How many bytes of small compressed files' text the probes of one run keep for the
/// scan ([`Held::Whole`]), shared by the threads that probe: the text of 10,000
/// five-minute pieces of 6 KiB fits, so that decompressing each costs once, while the
/// memory it may take stays a fixed, modest bound; past it, files are decompressed again
/// by the scan as large ones are.
pub struct HeldBudget(std::sync::atomic::AtomicUsize);

impl HeldBudget {
    /// The bound: 96 MiB.
    pub const BYTES: usize = 96 << 20;

    pub fn new() -> HeldBudget {
        HeldBudget::of(HeldBudget::BYTES)
    }

    /// A budget of `bytes`.
    pub fn of(bytes: usize) -> HeldBudget {
        HeldBudget(std::sync::atomic::AtomicUsize::new(bytes))
    }

    /// Takes `len` bytes from the budget, if it has them left.
    fn take(&self, len: usize) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(len))
            .is_ok()
    }
}

impl Default for HeldBudget {
    fn default() -> HeldBudget {
        HeldBudget::new()
    }
}

impl Probe {
    /// The bytes probing kept for the scan, taken out: the scan reads each file once.
    pub fn take_held(&self) -> Held {
        std::mem::take(&mut *self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// Opens a file for reading without ever blocking: `O_NONBLOCK` makes opening a FIFO
/// return at once instead of waiting for a writer (it changes nothing for regular
/// files), and the type is checked on the opened handle, so a file swapped for a FIFO
/// between a check and the open cannot hang the run either.
pub(crate) fn open_regular(path: &std::path::Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        // FIFOs and devices may never end; a log archive is made of regular files.
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file; skipped"));
    }
    Ok(file)
}

/// Opens a file and learns what the scan needs to plan it: one probe, or two for a
/// container whose stdout and stderr are read apart. Binary files and files that
/// cannot be read are problems, not probes.
pub fn probe(file: InputFile, settings: &ProbeSettings, hint: Option<Format>) -> Result<Vec<Probe>, Problem> {
    let no_mmap = settings.no_mmap;
    let path = match &file.origin {
        Origin::Stdin => {
            let mut head = Vec::new();
            io::stdin()
                .lock()
                .take(PROBE_BYTES as u64)
                .read_to_end(&mut head)
                .map_err(|e| Problem::error("-", describe_io(&e)))?;
            return finish_probe(file, ReadMode::Stdin, 0, None, Sample::head(head), settings, None).map(|p| vec![p]);
        }
        Origin::Path(path) => path.clone(),
    };
    let handle = open_regular(&path).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput => Problem::error(&file.display, e.to_string()),
        _ => Problem::error(&file.display, format!("cannot open: {}", describe_io(&e))),
    })?;
    let meta = handle.metadata().map_err(|e| Problem::error(&file.display, describe_io(&e)))?;
    let size = meta.len();
    let modified = meta.modified().ok();
    // Compressed or UTF-16, by name or by its first bytes: streamed through a decoder.
    // A file named as compressed is not asked again by its first bytes.
    let magic = match file.compression {
        Some(_) => Vec::new(),
        None => read_at(&handle, 0, 8).map_err(|e| Problem::error(&file.display, describe_io(&e)))?,
    };
    let recently_written = modified
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .is_none_or(|age| age < STILL_WRITTEN);
    if file.compression.is_none() && export::is_journal_file(&magic) {
        // journald appends and never truncates (it rotates by renaming): the file still
        // written is mapped too; a shrink would still be caught by the guard.
        let mapped = !no_mmap;
        return streamed_probe(
            file,
            path,
            ReadMode::Exported(None, Export::JournalFile { mapped }, Style::Carried, None),
            (size, modified),
            settings,
        );
    }
    if let Some(encoding) = file.compression.or_else(|| Encoding::of_magic(&magic)) {
        let (head, decoded) = decoded_head(encoding, &handle, size);
        match decoded {
            Err(e) if head.is_empty() && file.compression.is_some() => {
                return Err(Problem::error(
                    &file.display,
                    format!("not a readable {} file: {}", encoding.name(), describe_io(&e)),
                ));
            }
            // Known by its first bytes alone and nothing decodes: a text that happens to
            // begin like a compressor's header (`BZh9…`) is read as the text it is.
            Err(_) if head.is_empty() => {}
            _ => {
                if let Some(export) = Export::of_head(&head) {
                    return streamed_probe(
                        file,
                        path,
                        ReadMode::Exported(Some(encoding), export, Style::Carried, None),
                        (size, modified),
                        settings,
                    );
                }
                let readings = wrapper::readings_of(&head);
                if readings.is_empty() {
                    // Read to its end without an error, the head is the file's whole text:
                    // kept for the scan while the budget lasts.
                    let whole = matches!(decoded, Ok(true)) && settings.held.take(head.len());
                    let sample = Sample {
                        whole,
                        ..Sample::head(head)
                    };
                    return finish_probe(file, ReadMode::Decoded(encoding), size, modified, sample, settings, hint).map(|p| vec![p]);
                }
                return readings
                    .into_iter()
                    .map(|r| {
                        let mode = ReadMode::Unwrapped(Some(encoding), r.wrapper);
                        streamed_probe(
                            file.of_part(r.part_name.as_deref(), r.own_source),
                            path.clone(),
                            mode,
                            (size, modified),
                            settings,
                        )
                    })
                    .collect::<Result<Vec<Vec<Probe>>, Problem>>()
                    .map(|probes| probes.into_iter().flatten().collect());
            }
        }
    }
    let head = read_at(&handle, 0, PROBE_BYTES.min(crate::num::index(size))).map_err(|e| Problem::error(&file.display, describe_io(&e)))?;
    if let Some(export) = Export::of_head(&head) {
        return streamed_probe(
            file,
            path,
            ReadMode::Exported(None, export, Style::Carried, None),
            (size, modified),
            settings,
        );
    }
    let readings = wrapper::readings_of(&head);
    if !readings.is_empty() {
        return readings
            .into_iter()
            .map(|r| {
                let mode = ReadMode::Unwrapped(None, r.wrapper);
                let mut probes = streamed_probe(
                    file.of_part(r.part_name.as_deref(), r.own_source),
                    path.clone(),
                    mode,
                    (size, modified),
                    settings,
                )?;
                for probe in &mut probes {
                    probe.mappable = !no_mmap && !recently_written;
                }
                Ok(probes)
            })
            .collect::<Result<Vec<Vec<Probe>>, Problem>>()
            .map(|probes| probes.into_iter().flatten().collect());
    }
    let tail_start = size.saturating_sub(PROBE_BYTES as u64).max(head.len() as u64);
    let tail =
        read_at(&handle, tail_start, crate::num::index(size - tail_start)).map_err(|e| Problem::error(&file.display, describe_io(&e)))?;
    let mode = if no_mmap || recently_written {
        ReadMode::Pread
    } else {
        ReadMode::Mmap
    };
    let sample = Sample {
        tail,
        ..Sample::head(head)
    };
    let mut probe = finish_probe(file, mode, size, modified, sample, settings, hint)?;
    // A W3C file may name other columns further on; a JSON access log's fields hold.
    if let Some((_, first @ crate::format::Columns::W3c(_))) = probe.columns.first() {
        let first = first.clone();
        probe.columns = header_columns(&handle, size, first).map_err(|e| Problem::error(&probe.file.display, describe_io(&e)))?;
    }
    Ok(vec![probe])
}

/// Probes a file read as a stream of other lines than its own (a container runtime's
/// wrapper undone, an export's records): the head of that stream. An export of several
/// hosts gives one probe a host (see [`hosts_apart`]).
fn streamed_probe(
    file: InputFile,
    path: std::path::PathBuf,
    mode: ReadMode,
    (size, modified): (u64, Option<SystemTime>),
    settings: &ProbeSettings,
) -> Result<Vec<Probe>, Problem> {
    // An export's messages are read as printed where they are of a family of their own.
    let mode = match mode {
        ReadMode::Exported(encoding, export, _, host) => {
            let printed = ReadMode::Exported(encoding, export, Style::Printed { stamped: false }, host);
            let mut messages = Vec::new();
            let _ = open_path_stream(&path, &file.display, printed)
                .and_then(|stream| stream.take(PROBE_BYTES as u64).read_to_end(&mut messages));
            ReadMode::Exported(encoding, export, Style::of_messages(&messages), host)
        }
        other => other,
    };
    let head = streamed_head(&path, &file.display, mode)?;
    if let ReadMode::Exported(encoding, export, Style::Carried, None) = mode {
        let hosts = export::hosts_apart(&head);
        if !hosts.is_empty() {
            let members = Member::all(&hosts.iter().map(|h| h.as_slice()).collect::<Vec<_>>());
            return hosts
                .iter()
                .zip(members)
                .map(|(host, member)| {
                    let mode = ReadMode::Exported(encoding, export, Style::Carried, Some(member));
                    let file = file.of_part(Some(&String::from_utf8_lossy(host)), true);
                    let head = streamed_head(&path, &file.display, mode)?;
                    finish_probe(file, mode, size, modified, Sample::head(head), settings, None)
                })
                .collect();
        }
    }
    finish_probe(file, mode, size, modified, Sample::head(head), settings, None).map(|p| vec![p])
}

/// The head of a file read as a stream of other lines than its own.
fn streamed_head(path: &std::path::Path, display: &str, mode: ReadMode) -> Result<Vec<u8>, Problem> {
    let mut head = Vec::new();
    let read = open_path_stream(path, display, mode).and_then(|stream| stream.take(PROBE_BYTES as u64).read_to_end(&mut head));
    // A note on what was not records comes after the last line: the scan says it.
    if let Err(e) = read {
        if head.is_empty() && e.get_ref().and_then(|inner| inner.downcast_ref::<EndNote>()).is_none() {
            return Err(Problem::error(display, format!("cannot read: {}", describe_io(&e))));
        }
    }
    Ok(head)
}

/// What a stream says once it is read whole (lines that were not records of its wrapper,
/// records that could not be read): a note, not a stop.
#[derive(Debug)]
pub struct EndNote(pub String);

impl std::fmt::Display for EndNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EndNote {}

/// The line that names a W3C file's columns.
const FIELDS_DIRECTIVE: &[u8] = b"#Fields:";

/// Every `#Fields:` line of a plain file that changes its columns, as the columns it
/// names from its offset on (`first`, the head's, holds from the start). One pass of a
/// substring search: a W3C file writes its header again each time its server starts,
/// maybe with other columns. Repeated headers that change nothing add nothing, and at
/// most [`MAX_HEADER_CHANGES`] changes are kept (a file of nothing but headers is no
/// log: the columns of its last change kept hold to its end).
fn header_columns(file: &File, size: u64, first: crate::format::Columns) -> io::Result<Vec<(u64, crate::format::Columns)>> {
    const BLOCK: usize = 4 << 20;
    let finder = memchr::memmem::Finder::new(b"\n#Fields:");
    let mut columns = vec![(0, first)];
    let mut start = 0u64;
    while start < size && columns.len() < MAX_HEADER_CHANGES {
        // Each block begins a few bytes early, so a directive cut by its start is found;
        // one found twice is skipped by its offset.
        let from = start.saturating_sub(FIELDS_DIRECTIVE.len() as u64);
        let block = read_at(file, from, BLOCK.min(crate::num::index(size - from)))?;
        if block.is_empty() {
            break;
        }
        for hit in finder.find_iter(&block) {
            let at = from + hit as u64 + 1;
            if columns.last().is_some_and(|(offset, _)| *offset >= at) {
                continue;
            }
            // The header line, from the block when it ends there.
            let in_block = &block[hit + 1..];
            let line = match memchr::memchr(b'\n', in_block) {
                Some(end) => in_block[..end].to_vec(),
                None => read_at(file, at, MAX_HEADER_LINE)?,
            };
            let line = &line[..memchr::memchr(b'\n', &line).unwrap_or(line.len())];
            let mut next = columns[columns.len() - 1].1.clone();
            next.follow(line.strip_suffix(b"\r").unwrap_or(line));
            if next != columns[columns.len() - 1].1 && columns.len() < MAX_HEADER_CHANGES {
                columns.push((at, next));
            }
        }
        start = from + block.len() as u64;
    }
    Ok(columns)
}

/// How many changes of a W3C file's columns are kept, at most.
const MAX_HEADER_CHANGES: usize = 4096;
/// How much of a header line is read when it runs past a block.
const MAX_HEADER_LINE: usize = 64 << 10;

/// The first [`PROBE_BYTES`] of a compressed file's text, and how reading them ended:
/// `Ok(true)` when they are its whole text. They are decoded into a buffer each thread
/// keeps, then copied out at their size: a head that grows by doubling is copied again
/// and again and read by tiny probing reads, and a new buffer of the whole size for each
/// of ten thousand pieces touched fresh pages every time (together half of what probing
/// them cost beside decompressing).
fn decoded_head(encoding: Encoding, handle: &File, size: u64) -> (Vec<u8>, io::Result<bool>) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        scratch.reserve(PROBE_BYTES);
        let decoded = encoding
            .decoder(io::BufReader::with_capacity(compressed_read(size), handle))
            .and_then(|d| d.take(PROBE_BYTES as u64).read_to_end(scratch));
        let whole = decoded.map(|_| scratch.len() < PROBE_BYTES);
        (scratch.to_vec(), whole)
    })
}

/// What probing read of a file.
struct Sample {
    head: Vec<u8>,
    /// Its last bytes (plain files only).
    tail: Vec<u8>,
    /// Whether the head is the file's whole (decoded) text, to be kept for the scan.
    whole: bool,
}

impl Sample {
    fn head(head: Vec<u8>) -> Sample {
        Sample {
            head,
            tail: Vec::new(),
            whole: false,
        }
    }
}

fn finish_probe(
    file: InputFile,
    mode: ReadMode,
    size: u64,
    modified: Option<SystemTime>,
    sample: Sample,
    settings: &ProbeSettings,
    hint: Option<Format>,
) -> Result<Probe, Problem> {
    let Sample { head, tail, whole } = sample;
    // A NUL in the first 8 KiB marks a binary file, as for git and ripgrep.
    if memchr::memchr(0, &head[..head.len().min(8192)]).is_some() {
        return Err(Problem::skipped(
            crate::error::Level::Warning,
            &file.display,
            "binary file; skipped",
        ));
    }
    // A UTF-8 byte order mark would hide the first line's timestamp from the sniffer.
    let text = head.strip_prefix(crate::format::UTF8_BOM).unwrap_or(&head);
    // A piece of a stream reads as its first piece did, where its lines say so.
    let sniffed = hint.and_then(|f| format::reads_as(text, f)).unwrap_or_else(|| format::sniff(text));
    // Fields given by hand read a JSON file whose records hold them.
    let given = settings.access_fields.as_ref().filter(|given| given.hold_in(text));
    let (sniffed, head_columns) = match given {
        Some(given) => (
            Sniffed {
                format: Format::JsonAccess,
                ..sniffed
            },
            Some(crate::format::Columns::Json(given.clone())),
        ),
        None => (sniffed, sniffed.format.columns_of(text)),
    };
    let format = sniffed.format;
    let stamp_of = |line: &[u8]| {
        format
            .stamp_at_in(line, head_columns.as_ref())
            .and_then(|at| format.parse_stamp_in(at, head_columns.as_ref()))
    };
    let first_stamp = crate::format::lines(text).find_map(stamp_of);
    // The tail starts mid-line: skip its first, partial line.
    let last_lines = match memchr::memchr(b'\n', &tail) {
        Some(i) => &tail[i + 1..],
        None => text,
    };
    let last_stamp = crate::format::lines(last_lines).rev().find_map(stamp_of).or(first_stamp);
    // Only a file whose first stamp prints no year is searched for one that does.
    let dated_stamp = match first_stamp {
        Some(first) if crate::time::is_yearless(&first) => {
            crate::format::lines(text).chain(crate::format::lines(last_lines)).find_map(|line| {
                stamp_of(line)
                    .filter(|s| !crate::time::is_yearless(s))
                    .or_else(|| format.dated_stamp(line).filter(|s| !crate::time::is_yearless(s)))
            })
        }
        _ => first_stamp,
    };
    // The fields that sort a JSON log's lines into classes; an access record's own
    // fields are read as such.
    let app_keys = match (format, &head_columns) {
        (Format::JsonLines, _) => crate::format::app_keys::classes_in_head(text, |_, _| false),
        (Format::JsonAccess, Some(crate::format::Columns::Json(fields))) => {
            crate::format::app_keys::classes_in_head(text, |parents, name| fields.reads(parents, name))
        }
        _ => Vec::new(),
    };
    let held = match mode {
        ReadMode::Stdin => Held::Head(head),
        ReadMode::Decoded(_) if whole => Held::Whole(head),
        _ => Held::Nothing,
    };
    Ok(Probe {
        file,
        mode,
        size,
        modified,
        sniffed,
        columns: head_columns.map(|c| vec![(0, c)]).unwrap_or_default(),
        first_stamp,
        last_stamp,
        dated_stamp,
        held: std::sync::Mutex::new(held),
        mappable: mode == ReadMode::Mmap,
        app_keys,
    })
}

/// Reads up to `len` bytes at `offset`; fewer if the file is shorter now.
fn read_at(file: &File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// A plain file opened for the scan: mapped, or read at offsets.
pub struct PlainFile {
    file: File,
    size: u64,
    map: Option<(memmap2::Mmap, guard::Registration)>,
}

impl PlainFile {
    pub fn open(probe: &Probe) -> io::Result<PlainFile> {
        let Origin::Path(path) = &probe.file.origin else {
            return Err(io::Error::other("stdin is not a plain file"));
        };
        let file = open_regular(path)?;
        let mut plain = PlainFile {
            file,
            size: probe.size,
            map: None,
        };
        if probe.mappable && probe.size > 0 {
            // SAFETY: the mapping is read-only and private to us. A file truncated under
            // it raises SIGBUS on access, which `guard` turns into a clear error; files
            // still being written were given read mode instead.
            let map = unsafe { memmap2::MmapOptions::new().len(crate::num::index(probe.size)).map(&plain.file) };
            if let Ok(map) = map {
                if let Some(registration) = guard::register(map.as_ptr(), map.len(), &probe.file.display) {
                    plain.map = Some((map, registration));
                }
            }
        }
        Ok(plain)
    }

    /// The lines that start in `[start, end)`, each whole (the last may run past `end`),
    /// and the absolute offset of the first byte returned. A line longer than `max_line`
    /// that runs past `end` is cut there: the scan never holds one whole. A file read
    /// (not mapped) that has shrunk since it was probed gives what is still there, and
    /// says so.
    pub fn lines_in(&self, start: u64, end: u64, max_line: usize) -> io::Result<Lines<'_>> {
        let end = end.min(self.size);
        if let Some((map, _)) = &self.map {
            let data: &[u8] = map;
            let (first, last) = align(data, 0, start, end, self.size, max_line);
            let ahead_end = (crate::num::index(last) + ENTRY_WINDOW).min(data.len());
            return Ok(Lines {
                first,
                bytes: Bytes::Borrowed(&data[crate::num::index(first)..crate::num::index(last)]),
                lookahead: Bytes::Borrowed(&data[crate::num::index(last)..ahead_end]),
                shrank: false,
            });
        }
        // Read one byte before `start` (to know whether a line starts there) and some
        // bytes past `end` (to finish the last line), growing until a newline shows.
        let from = start.saturating_sub(1);
        let mut extra = 4096usize;
        loop {
            let want = (crate::num::index(end - from) + extra).min(crate::num::index(self.size - from));
            let data = read_at(&self.file, from, want)?;
            let available = from + data.len() as u64;
            // Fewer bytes than the file had when probed: it was truncated meanwhile.
            let shrank = available < end.min(self.size);
            if available <= start {
                return Ok(Lines {
                    first: start,
                    bytes: Bytes::Owned(Vec::new(), 0),
                    lookahead: Bytes::Owned(Vec::new(), 0),
                    shrank,
                });
            }
            let reached_eof = (data.len() as u64) < want as u64 || available >= self.size;
            let tail_has_newline = memchr::memchr(b'\n', &data[crate::num::index(end - from).min(data.len())..]).is_some();
            if reached_eof || tail_has_newline || extra > max_line {
                let (first, last) = align(&data, from, start, end.min(available), available, max_line);
                // The lines are kept where they were read, not copied out: a copy would
                // hold the range twice for a moment on every thread.
                let mut data = data;
                data.truncate(crate::num::index(last - from));
                // What follows, for an entry that runs past the range; a failed read of it
                // only costs that entry its statement.
                let lookahead = if last < available {
                    read_at(&self.file, last, ENTRY_WINDOW).unwrap_or_default()
                } else {
                    Vec::new()
                };
                return Ok(Lines {
                    first,
                    bytes: Bytes::Owned(data, crate::num::index(first - from)),
                    lookahead: Bytes::Owned(lookahead, 0),
                    shrank,
                });
            }
            extra *= 4;
        }
    }
}

/// What [`PlainFile::lines_in`] read.
pub struct Lines<'a> {
    /// The absolute offset of `bytes[0]`.
    pub first: u64,
    pub bytes: Bytes<'a>,
    /// Up to [`ENTRY_WINDOW`] bytes after them, where the rest of a multi-line entry
    /// begun in `bytes` may be.
    pub lookahead: Bytes<'a>,
    /// The file had fewer bytes than when it was probed: lines past its new end are lost.
    pub shrank: bool,
}

/// Bytes borrowed from a mapping or owned after a read (those of the buffer from the
/// index on).
pub enum Bytes<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>, usize),
}

impl std::ops::Deref for Bytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b,
            Bytes::Owned(v, from) => &v[*from..],
        }
    }
}

/// Absolute [first, last) of the lines starting in [start, end), where `data` holds the
/// file's bytes from `base` on and `limit` is where the readable bytes end.
fn align(data: &[u8], base: u64, start: u64, end: u64, limit: u64, max_line: usize) -> (u64, u64) {
    let at = |offset: u64| crate::num::index(offset - base);
    let first = if start == 0 || data.get(at(start - 1)) == Some(&b'\n') {
        start
    } else {
        match memchr::memchr(b'\n', &data[at(start)..at(end.max(start))]) {
            Some(i) => start + i as u64 + 1,
            None => return (end, end),
        }
    };
    if first >= end {
        return (end, end);
    }
    let data_end = base + data.len() as u64;
    let last = match memchr::memchr(b'\n', &data[at(end - 1)..at(data_end.min(limit))]) {
        Some(i) => end + i as u64,
        None => data_end.min(limit),
    };
    // A last line too long to finish: cut it at the limit of a line past `end`.
    let last = last.min(end.saturating_add(max_line as u64));
    (first, last.max(first))
}

/// Streams a file in blocks that end on line boundaries: for decoded files, stdin, and any reader
/// whose size is not known. Lines longer than `max_line` are cut and the rest of them
/// skipped, so no line is ever held whole.
pub struct Blocks<R: Read> {
    reader: R,
    carry: Vec<u8>,
    /// Absolute offset (in the decompressed stream) of `carry[0]`.
    offset: u64,
    block: usize,
    max_line: usize,
    skipping: bool,
    done: bool,
    /// Lines cut at `max_line`.
    pub cut_lines: u64,
    /// A read error that ended the stream early.
    pub error: Option<io::Error>,
}

impl<R: Read> Blocks<R> {
    pub fn new(reader: R, first: Vec<u8>, block: usize, max_line: usize) -> Blocks<R> {
        Blocks {
            reader,
            carry: first,
            offset: 0,
            block,
            max_line,
            skipping: false,
            done: false,
            cut_lines: 0,
            error: None,
        }
    }

    /// Reads up to `want` more bytes onto the carry, never zeroed ahead to the whole
    /// block: a file of 3 KiB must not cost a block of megabytes set to zero (ten thousand
    /// small pieces spent a fifth of their time so).
    fn fill(&mut self, want: usize) -> usize {
        let old = self.carry.len();
        // A stream's first block grows as its bytes come (a small file stays small); the
        // blocks of a stream that filled one take their room at once, so that they do not
        // grow by doubling past it (twice the memory a block needs).
        if self.offset > 0 {
            self.carry.reserve_exact(want);
        }
        if let Err(e) = (&mut self.reader).take(want as u64).read_to_end(&mut self.carry) {
            self.error = Some(e);
        }
        self.carry.len() - old
    }

    /// The next block and the absolute offset of its first byte.
    pub fn next_block(&mut self) -> Option<(u64, Vec<u8>)> {
        loop {
            if self.skipping {
                // Drop the rest of a line that was cut.
                match memchr::memchr(b'\n', &self.carry) {
                    Some(i) => {
                        self.carry.drain(..=i);
                        self.offset += i as u64 + 1;
                        self.skipping = false;
                    }
                    None => {
                        self.offset += self.carry.len() as u64;
                        self.carry.clear();
                    }
                }
            }
            if !self.skipping {
                let enough = self.done || self.carry.len() >= self.block;
                if let Some(last_newline) = memchr::memrchr(b'\n', &self.carry).filter(|_| enough) {
                    let rest = self.carry.split_off(last_newline + 1);
                    return Some(self.emit(rest));
                }
                if self.done {
                    // A stream cut short (a truncated archive) ends in a piece of a line
                    // whose stamp and fields may be cut too: it is dropped. A file that
                    // merely lacks its last newline keeps its last line.
                    if self.error.is_some() {
                        let whole = memchr::memrchr(b'\n', &self.carry).map_or(0, |i| i + 1);
                        self.carry.truncate(whole);
                    }
                    return (!self.carry.is_empty()).then(|| self.emit(Vec::new()));
                }
                // The line still open (after the last newline) is what may be too long;
                // the whole lines before it are handed out first.
                let open_line = memchr::memrchr(b'\n', &self.carry).map_or(0, |i| i + 1);
                if self.carry.len() - open_line > self.max_line {
                    if open_line > 0 {
                        let rest = self.carry.split_off(open_line);
                        return Some(self.emit(rest));
                    }
                    // One line longer than the limit: keep its head, skip the rest of it.
                    let consumed = self.carry.len() as u64;
                    self.carry.truncate(self.max_line);
                    self.carry.push(b'\n');
                    let (base, head) = self.emit(Vec::new());
                    self.offset = base + consumed;
                    self.cut_lines += 1;
                    self.skipping = true;
                    return Some((base, head));
                }
            }
            if self.done {
                return None;
            }
            if self.fill(self.block) == 0 || self.error.is_some() {
                self.done = true;
            }
        }
    }

    /// Whether every block has been handed out.
    pub fn is_done(&self) -> bool {
        self.done && self.carry.is_empty()
    }

    /// Hands out the carry as a block, keeping `rest` as the new carry.
    fn emit(&mut self, rest: Vec<u8>) -> (u64, Vec<u8>) {
        let block = std::mem::replace(&mut self.carry, rest);
        let base = self.offset;
        self.offset += block.len() as u64;
        (base, block)
    }
}

/// Opens the byte stream of a decoded file or stdin for [`Blocks`].
pub fn open_stream(probe: &Probe) -> io::Result<Box<dyn Read + Send>> {
    match &probe.file.origin {
        Origin::Stdin => Ok(Box::new(io::stdin())),
        Origin::Path(path) => match probe.mode {
            ReadMode::Decoded(_) | ReadMode::Unwrapped(..) | ReadMode::Exported(..) => {
                open_path_stream(path, &probe.file.display, probe.mode)
            }
            _ => Ok(Box::new(open_regular(path)?.take(probe.size))),
        },
    }
}

/// The decoded (and unwrapped) bytes of a file read as a stream.
fn open_path_stream(path: &std::path::Path, display: &str, mode: ReadMode) -> io::Result<Box<dyn Read + Send>> {
    if let ReadMode::Exported(None, Export::JournalFile { mapped }, style, host) = mode {
        return export::journal_file_reader(path, display, mapped, style, host);
    }
    let raw = io::BufReader::with_capacity(COMPRESSED_READ, open_regular(path)?);
    match mode {
        ReadMode::Exported(None, export, style, host) => Ok(export::text_reader(export, style, host, raw)),
        ReadMode::Exported(Some(encoding), export, style, host) => {
            let decoded = io::BufReader::with_capacity(COMPRESSED_READ, encoding.decoder(raw)?);
            Ok(export::text_reader(export, style, host, decoded))
        }
        ReadMode::Decoded(encoding) => encoding.decoder(raw),
        ReadMode::Unwrapped(None, wrapper) => Ok(Box::new(wrapper::unwrapped(raw, wrapper))),
        ReadMode::Unwrapped(Some(encoding), wrapper) => {
            let decoded = io::BufReader::with_capacity(COMPRESSED_READ, encoding.decoder(raw)?);
            Ok(Box::new(wrapper::unwrapped(decoded, wrapper)))
        }
        _ => Ok(Box::new(raw)),
    }
}

/// The last part of a path: how a source is named in a sentence. A part of a file read
/// apart (`filebeat.ndjson (/var/log/nginx/access.log)`, `fleet.export (web-1)`) is named
/// by the part: `access.log`, `web-1`.
pub fn file_name(group: &str) -> &str {
    let named = match group.strip_suffix(')').and_then(|g| g.split_once(" (")) {
        Some((_, part)) if !part.is_empty() => part,
        _ => group,
    };
    named.rsplit('/').next().unwrap_or(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &[u8], block: usize, max_line: usize) -> (Vec<(u64, Vec<u8>)>, u64) {
        let mut b = Blocks::new(text, Vec::new(), block, max_line);
        let mut out = Vec::new();
        while let Some(x) = b.next_block() {
            out.push(x);
        }
        (out, b.cut_lines)
    }

    #[test]
    fn a_short_last_read_larger_than_max_line_loses_no_line() {
        // Blocks of 64 bytes, lines of 10, a line limit of 16: the last read of a stream
        // comes short of a block but holds more than a line's limit of whole lines.
        let text: Vec<u8> = (0..100).flat_map(|i| format!("line {i:04}\n").into_bytes()).collect();
        let (out, cut) = blocks(&text, 64, 16);
        assert_eq!(cut, 0);
        let joined: Vec<u8> = out.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(joined, text);
        // The same through a reader that hands out a few bytes a call.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut b = Blocks::new(Trickle(&text), Vec::new(), 64, 16);
        let mut joined = Vec::new();
        while let Some((base, block)) = b.next_block() {
            assert_eq!(crate::num::index(base), joined.len());
            joined.extend(block);
        }
        assert_eq!((joined, b.cut_lines), (text, 0));
    }

    #[test]
    fn blocks_end_on_newlines_and_keep_offsets() {
        let (out, cut) = blocks(b"aaa\nbbb\ncc\nd", 5, 100);
        assert_eq!(cut, 0);
        let joined: Vec<u8> = out.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(joined, b"aaa\nbbb\ncc\nd");
        for (base, block) in &out {
            assert_eq!(
                &b"aaa\nbbb\ncc\nd"[crate::num::index(*base)..crate::num::index(*base) + block.len()],
                &block[..]
            );
        }
    }

    #[test]
    fn long_lines_are_cut_not_held() {
        let mut text = vec![b'x'; 10_000];
        text.extend_from_slice(b"\nshort\n");
        let (out, cut) = blocks(&text, 256, 1000);
        assert_eq!(cut, 1);
        assert!(out.iter().all(|(_, b)| b.len() <= 1001 + 256));
        let last = out.last().unwrap();
        assert_eq!(&last.1[..], b"short\n");
        assert_eq!(last.0, 10_001);
    }

    #[test]
    fn the_held_budget_gives_what_it_has_left_and_no_more() {
        let budget = HeldBudget::of(10_000);
        assert!(budget.take(6_000));
        // More than is left is refused whole, and takes nothing.
        assert!(!budget.take(6_000));
        assert!(budget.take(4_000));
        assert!(!budget.take(1));
        assert!(budget.take(0));
    }

    #[test]
    fn a_small_compressed_file_is_held_whole_and_no_other() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let gzip = |name: &str, text: &[u8]| {
            let path = dir.path().join(name);
            let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
            encoder.write_all(text).unwrap();
            encoder.finish().unwrap();
            path
        };
        let probed = |path: &std::path::Path, budget: usize| {
            let (files, _) = discover(&[path.to_path_buf()]);
            let settings = ProbeSettings {
                held: HeldBudget::of(budget),
                ..ProbeSettings::new(true, None)
            };
            probe(files.into_iter().next().unwrap(), &settings, None).unwrap().remove(0)
        };
        let text = b"2024-03-08T14:02:11Z started\n2024-03-08T14:02:12Z ready\n";
        let small = gzip("small.log.gz", text);
        match probed(&small, HeldBudget::BYTES).take_held() {
            Held::Whole(held) => assert_eq!(held, text),
            other => panic!("not held whole: {other:?}"),
        }
        // Taken once: the scan reads each file once.
        let probe = probed(&small, HeldBudget::BYTES);
        assert!(matches!(probe.take_held(), Held::Whole(_)));
        assert!(matches!(probe.take_held(), Held::Nothing));
        // Past the budget, the scan decompresses it again.
        assert!(matches!(probed(&small, 10).take_held(), Held::Nothing));
        // A text longer than a probe reads is not whole.
        let long: Vec<u8> = text.iter().copied().cycle().take(PROBE_BYTES + 1).collect();
        assert!(matches!(
            probed(&gzip("long.log.gz", &long), HeldBudget::BYTES).take_held(),
            Held::Nothing
        ));
        // A cut file is read by the scan, which says what was lost.
        let bytes = std::fs::read(&small).unwrap();
        let cut = dir.path().join("cut.log.gz");
        std::fs::write(&cut, &bytes[..bytes.len() - 6]).unwrap();
        assert!(matches!(probed(&cut, HeldBudget::BYTES).take_held(), Held::Nothing));
        // A plain file is mapped or read, never held.
        let plain = dir.path().join("plain.log");
        std::fs::write(&plain, text).unwrap();
        assert!(matches!(probed(&plain, HeldBudget::BYTES).take_held(), Held::Nothing));
    }

    #[test]
    fn a_file_truncated_while_read_gives_what_is_left_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let text: Vec<u8> = (0..1000).flat_map(|i| format!("line {i:04}\n").into_bytes()).collect();
        std::fs::write(&path, &text).unwrap();
        let (files, _) = discover(std::slice::from_ref(&path));
        let probe = probe(files.into_iter().next().unwrap(), &ProbeSettings::new(true, None), None)
            .unwrap()
            .remove(0);
        assert_eq!(probe.mode, ReadMode::Pread);
        let plain = PlainFile::open(&probe).unwrap();
        // Cut to half its size after the probe: the first half reads whole, the second
        // half finds nothing, and neither indexes past what was read.
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(5000).unwrap();
        let head = plain.lines_in(0, 5000, 1 << 20).unwrap();
        assert_eq!((&head.bytes[..], head.shrank), (&text[..5000], false));
        let tail = plain.lines_in(5000, 10_000, 1 << 20).unwrap();
        assert!(tail.bytes.is_empty() && tail.shrank);
        let across = plain.lines_in(2500, 7500, 1 << 20).unwrap();
        assert_eq!((&across.bytes[..], across.shrank), (&text[2500..5000], true));
        // Emptied.
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
        for (start, end) in [(0, 10_000), (1, 3000), (9999, 10_000)] {
            let lines = plain.lines_in(start, end, 64).unwrap();
            assert!(lines.bytes.is_empty() && lines.shrank, "{start}..{end}");
        }
    }

    #[test]
    fn align_takes_lines_that_start_in_range() {
        let data = b"aa\nbbbb\ncc\n";
        // Ranges include the newline that ends their last line.
        assert_eq!(align(data, 0, 0, 4, 11, 100), (0, 8));
        assert_eq!(align(data, 0, 4, 11, 11, 100), (8, 11));
        assert_eq!(align(data, 0, 3, 5, 11, 100), (3, 8));
        assert_eq!(align(data, 0, 4, 6, 11, 100), (6, 6));
    }
}
