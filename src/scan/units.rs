//! Units of work: a range of a plain file, or a whole stream (gzip, stdin) read on a
//! thread of its own while this one scans. Each unit yields its chunks in order. A plain
//! wrapped file whose records are whole lines (Loki's, a shipper's, compose's) is read in
//! ranges too, each unwrapped on its own: one outer line gives one inner line, so the
//! ranges' lines number as the file's. (A container runtime's file is
//! read whole: a line's pieces may stand far apart, between the other stream's lines.)

use super::chunk::{scan_chunk, ChunkResult};
use super::{FilePlan, Progress, ScanOptions};
use crate::error::{describe_io, Problem};
use crate::format::ENTRY_WINDOW;
use crate::rules::RuleSet;
use crate::source::{self, Blocks, PlainFile, Probe, ReadMode};

thread_local! {
    /// The unwrapped lines of the wrapped range a thread is scanning.
    static UNWRAPPED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A piece of work for one worker.
pub(super) enum Unit {
    Range {
        file: usize,
        start: u64,
        end: u64,
    },
    /// A range of a plain wrapped file whose every line is a whole record.
    WrappedRange {
        file: usize,
        start: u64,
        end: u64,
    },
    Stream {
        file: usize,
    },
}

impl Unit {
    /// The index of the file the unit reads.
    pub(super) fn file(&self) -> usize {
        match *self {
            Unit::Range { file, .. } | Unit::WrappedRange { file, .. } | Unit::Stream { file } => file,
        }
    }
}

/// What one unit of work yields once it ends: its chunks in order (those it did not give
/// as it went: a stream's are given as they are scanned), and a problem if reading failed
/// or stopped early (the chunks read before it are kept).
pub(super) struct UnitOutput {
    pub(super) file: usize,
    pub(super) chunks: Vec<ChunkResult>,
    pub(super) problem: Option<Problem>,
    /// Lines of a wrapped range that were not records: added up over the file's ranges
    /// and said once.
    pub(super) not_records: u64,
    /// Lines cut that no chunk counted (a stream's reader cuts them).
    pub(super) cut_lines: u64,
}

pub(super) fn plan_units(probes: &[Probe], options: &ScanOptions) -> Vec<Unit> {
    let mut units = Vec::new();
    for (file, probe) in probes.iter().enumerate() {
        match probe.mode {
            ReadMode::Mmap | ReadMode::Pread => {
                for (start, end) in ranges(probe.size, options.chunk_size) {
                    units.push(Unit::Range { file, start, end });
                }
            }
            ReadMode::Unwrapped(None, wrapper) if wrapper.kind.one_record_a_line() && probe.size > options.chunk_size as u64 => {
                for (start, end) in ranges(probe.size, options.chunk_size) {
                    units.push(Unit::WrappedRange { file, start, end });
                }
            }
            ReadMode::Decoded(_) | ReadMode::Unwrapped(..) | ReadMode::Exported(..) | ReadMode::Stdin => units.push(Unit::Stream { file }),
        }
    }
    units
}

/// `[start, end)` ranges of `chunk` bytes covering `size` (one, empty, for an empty file);
/// the scan reads the lines that start in each.
fn ranges(size: u64, chunk: usize) -> impl Iterator<Item = (u64, u64)> {
    let chunk = chunk.max(1) as u64;
    (0..size.div_ceil(chunk).max(1)).map(move |i| (i * chunk, ((i + 1) * chunk).min(size)))
}

pub(super) fn run_unit(
    unit: &Unit,
    probes: &[Probe],
    plans: &[FilePlan],
    rules: &RuleSet,
    options: &ScanOptions,
    progress: &dyn Progress,
    give: &mut dyn FnMut(ChunkResult),
) -> UnitOutput {
    match *unit {
        Unit::Range { file, start, end } => {
            let probe = &probes[file];
            let result = PlainFile::open(probe).and_then(|plain| {
                let lines = plain.lines_in(start, end, options.max_line)?;
                Ok((
                    scan_chunk(
                        &lines.bytes,
                        &lines.lookahead,
                        lines.first,
                        plans[file].columns_at(lines.first),
                        &plans[file],
                        rules,
                        options,
                    ),
                    lines.shrank,
                ))
            });
            progress.advance(end - start);
            match result {
                Ok((chunk, shrank)) => UnitOutput {
                    file,
                    chunks: vec![chunk],
                    // The same words for every chunk of the file, so that it is said once.
                    problem: shrank.then(|| {
                        Problem::warning(
                            &probe.file.display,
                            format!(
                                "the file shrank while it was being read (it had {} bytes when the scan began); the lines read before are kept",
                                probe.size
                            ),
                        )
                    }),
                    not_records: 0,
                    cut_lines: 0,
                },
                Err(e) => {
                    let problem = Problem::error(&probe.file.display, format!("read failed: {}", describe_io(&e)));
                    UnitOutput {
                        file,
                        chunks: Vec::new(),
                        problem: Some(problem),
                        not_records: 0,
                        cut_lines: 0,
                    }
                }
            }
        }
        Unit::WrappedRange { file, start, end } => {
            let probe = &probes[file];
            let ReadMode::Unwrapped(_, wrapper) = probe.mode else {
                unreachable!("a wrapped range is planned for unwrapped files only")
            };
            let result = PlainFile::open(probe).and_then(|plain| {
                let lines = plain.lines_in(start, end, options.max_line)?;
                // One buffer a thread, kept from range to range: a fresh one each time
                // leaves the allocator holding many.
                UNWRAPPED.with_borrow_mut(|inner| {
                    inner.clear();
                    let not_records = source::unwrap_all(&lines.bytes[..], wrapper, inner);
                    // Offsets stay the file's: a range's lines lie between its start and the next's.
                    let chunk = scan_chunk(inner, &[], lines.first, plans[file].columns_at(0), &plans[file], rules, options);
                    Ok((chunk, not_records, lines.shrank))
                })
            });
            progress.advance(end - start);
            match result {
                Ok((chunk, not_records, shrank)) => UnitOutput {
                    file,
                    chunks: vec![chunk],
                    problem: shrank.then(|| {
                        Problem::warning(
                            &probe.file.display,
                            "the file shrank while it was being read; the lines read before are kept",
                        )
                    }),
                    not_records,
                    cut_lines: 0,
                },
                Err(e) => UnitOutput {
                    file,
                    chunks: Vec::new(),
                    problem: Some(Problem::error(&probe.file.display, format!("read failed: {}", describe_io(&e)))),
                    not_records: 0,
                    cut_lines: 0,
                },
            }
        }
        Unit::Stream { file } => {
            let probe = &probes[file];
            let (stream, first_block) = match probe.take_held() {
                // The whole text is held: there is nothing more to read.
                source::Held::Whole(text) => (Ok(Box::new(std::io::empty()) as Box<dyn std::io::Read + Send>), text),
                source::Held::Head(head) => (source::open_stream(probe), head),
                source::Held::Nothing => (source::open_stream(probe), Vec::new()),
            };
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    let problem = Problem::error(&probe.file.display, format!("cannot open: {}", describe_io(&e)));
                    return UnitOutput {
                        file,
                        chunks: Vec::new(),
                        problem: Some(problem),
                        not_records: 0,
                        cut_lines: 0,
                    };
                }
            };
            let mut blocks = Blocks::new(stream, first_block, options.chunk_size.max(4096), options.max_line);
            // Each chunk is given as soon as it is scanned: a long stream's are folded into
            // its source while the rest is read, not held to its end.
            // A stream of one block (a 5-minute piece of a load balancer's log) is scanned
            // here: a thread to read ahead would cost more than the reading.
            let mut pending: Option<(u64, Vec<u8>)> = blocks.next_block();
            if blocks.is_done() {
                if let Some((base, block)) = pending {
                    give(scan_chunk(
                        &block,
                        &[],
                        base,
                        plans[file].columns_at(0),
                        &plans[file],
                        rules,
                        options,
                    ));
                }
                return stream_output(file, probe, blocks, progress);
            }
            // Reading (decompressing) and scanning take turns on a core each: a thread of
            // its own reads the next blocks while this one scans, two blocks ahead at most.
            let (sender, receiver) = std::sync::mpsc::sync_channel::<(u64, Vec<u8>)>(2);
            let blocks = std::thread::scope(|scope| {
                let reader = scope.spawn(move || {
                    while let Some(block) = blocks.next_block() {
                        if sender.send(block).is_err() {
                            break;
                        }
                    }
                    blocks
                });
                // Each block is scanned once the next is there: its head is the lookahead
                // a multi-line entry at the block's end needs.
                // A stream's columns (W3C) are carried from each chunk to the next.
                let mut columns = plans[file].columns_at(0);
                for (base, block) in receiver {
                    if let Some((previous_base, previous)) = pending.take() {
                        let lookahead = &block[..block.len().min(ENTRY_WINDOW)];
                        let chunk = scan_chunk(&previous, lookahead, previous_base, columns.take(), &plans[file], rules, options);
                        columns = chunk.columns.clone();
                        give(chunk);
                    }
                    pending = Some((base, block));
                }
                if let Some((base, block)) = pending {
                    give(scan_chunk(&block, &[], base, columns, &plans[file], rules, options));
                }
                reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            stream_output(file, probe, blocks, progress)
        }
    }
}

/// What a stream's unit yields once its blocks are scanned (its chunks were given as it
/// went): the lines cut, and what stopped the stream or was said at its end.
fn stream_output<R: std::io::Read>(file: usize, probe: &Probe, blocks: Blocks<R>, progress: &dyn Progress) -> UnitOutput {
    progress.advance(probe.size);
    let cut_lines = blocks.cut_lines;
    let problem = blocks
        .error
        .map(|e| match e.get_ref().and_then(|inner| inner.downcast_ref::<source::EndNote>()) {
            // Said once the whole file is read: nothing stopped.
            Some(note) => Problem::warning(&probe.file.display, note.to_string()),
            None => Problem::warning(
                &probe.file.display,
                format!("stopped early, kept what was read before: {}", describe_io(&e)),
            ),
        });
    UnitOutput {
        file,
        chunks: Vec::new(),
        problem,
        not_records: 0,
        cut_lines,
    }
}
