//! What the command line writes besides the report itself: error and warning lines on
//! stderr, the progress bar, files written atomically, and the exit status.

use anyhow::{bail, Context, Result};
use postmortem::error::{Level, Problem};
use postmortem::report::{Report, Source};
use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::ExitCode;

/// The exit statuses, as `postmortem --help` and docs/usage.md list them.
pub mod status {
    use std::process::ExitCode;

    /// The input gave nothing to work with: no line of the logs could be placed in
    /// time, or a rule file does not load or check.
    pub const UNUSABLE_INPUT: u8 = 1;
    /// Something failed: a file could not be read or written, or the command line is
    /// wrong (as clap's own usage errors).
    pub const FAILURE: u8 = 2;

    pub fn unusable_input() -> ExitCode {
        ExitCode::from(UNUSABLE_INPUT)
    }

    pub fn failure() -> ExitCode {
        ExitCode::from(FAILURE)
    }
}

/// One line on stderr. A closed stderr drops it: nothing the program says about its run
/// is worth a crash.
pub fn say(line: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// One `postmortem: error: …` line on stderr.
pub fn error_line(message: &str) {
    say(&format!("postmortem: error: {message}"));
}

/// A usage error: said on stderr, exit status 2.
pub fn fail(e: anyhow::Error) -> ExitCode {
    error_line(&format!("{e:#}"));
    status::failure()
}

/// Files skipped as notes, at most this many named in the one warning that counts them;
/// the same for a message said of many files (a layout's thousand pieces): beyond this
/// many lines, a reader stops reading them.
const SKIPPED_NAMED: usize = 3;

/// Each problem with the input, log text cleaned for the terminal: one line a problem, in
/// the order met; unless `verbose`, the same message of more than [`SKIPPED_NAMED`] files
/// is one line, at the first of them, with their count and first names. Files skipped for
/// their names (images, archives of code) are counted in one line, not named one by one:
/// `sources` lists them.
pub fn print_problems(problems: &[Problem], verbose: bool) {
    let clean = |text: &str| postmortem::text::clean_line(text.as_bytes(), 2000);
    let (quietly_skipped, said): (Vec<&Problem>, Vec<&Problem>) = problems.iter().partition(|p| p.skipped && p.level == Level::Note);
    // The files of each message at each level, in the order first said.
    let mut files_of: std::collections::HashMap<(Level, &str), Vec<&str>> = std::collections::HashMap::new();
    for problem in &said {
        files_of
            .entry((problem.level, problem.message.as_str()))
            .or_default()
            .push(&problem.file);
    }
    let mut done = std::collections::HashSet::new();
    for problem in said {
        let key = (problem.level, problem.message.as_str());
        let files = &files_of[&key];
        if verbose || files.len() <= SKIPPED_NAMED {
            say(&format!("postmortem: {}", clean(&problem.to_string())));
        } else if done.insert(key) {
            say(&format!(
                "postmortem: {}: {} ({}, …): {} (-v names them all)",
                problem.level.name(),
                files_count(files.len()),
                clean(&files[..SKIPPED_NAMED].join(", ")),
                clean(&problem.message)
            ));
        }
    }
    if !quietly_skipped.is_empty() {
        let mut named: Vec<&str> = quietly_skipped
            .iter()
            .take(SKIPPED_NAMED)
            .map(|p| p.file.rsplit('/').next().unwrap_or(&p.file))
            .collect();
        if quietly_skipped.len() > SKIPPED_NAMED {
            named.push("…");
        }
        say(&format!(
            "postmortem: warning: {} skipped as not logs by their names ({}); `postmortem sources` lists them",
            files_count(quietly_skipped.len()),
            clean(&named.join(", "))
        ));
    }
}

/// `1 file`, `3 files`.
fn files_count(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

/// How a run that read logs went, by what it read.
pub enum Outcome {
    Success,
    /// No file had a line with a timestamp: exit status 1. What was found, in words.
    NoUsableInput(String),
    /// A file could not be read: exit status 2 (what could be read is still reported).
    Unreadable,
}

impl Outcome {
    pub fn of(problems: &[Problem], sources: &[Source]) -> Outcome {
        if problems.iter().any(|p| p.level == Level::Error) {
            Outcome::Unreadable
        } else if sources.iter().all(|f| f.timestamped == 0) {
            Outcome::NoUsableInput(found(problems, sources))
        } else {
            Outcome::Success
        }
    }

    /// Why the run failed, in a few words; `None` when it did not.
    pub fn failure(&self) -> Option<String> {
        match self {
            Outcome::Success => None,
            Outcome::NoUsableInput(found) => Some(format!("no usable input: {found}")),
            Outcome::Unreadable => Some("a file could not be read (see above)".into()),
        }
    }

    pub fn code(&self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::NoUsableInput(_) => status::unusable_input(),
            Outcome::Unreadable => status::failure(),
        }
    }

    /// The exit status, after saying why it is not 0 (a file that could not be read has
    /// said so already).
    pub fn exit(&self) -> ExitCode {
        if let Outcome::NoUsableInput(_) = self {
            error_line(&self.failure().unwrap_or_default());
        }
        self.code()
    }
}

/// What a run that found nothing to read found: `2 files read, none with a line with a
/// timestamp; 3 skipped (1 binary, 2 not logs by their names)`.
fn found(problems: &[Problem], sources: &[Source]) -> String {
    let binary = problems.iter().filter(|p| p.skipped && p.level != Level::Note).count();
    let by_name = problems.iter().filter(|p| p.skipped && p.level == Level::Note).count();
    let why = match (binary, by_name) {
        (b, 0) => format!("{b} binary"),
        (0, n) => format!("{n} not logs by their names"),
        (b, n) => format!("{b} binary, {n} not logs by their names"),
    };
    match (sources.len(), binary + by_name) {
        (0, 0) => "no file found".to_string(),
        (0, skipped) => format!("{} found, every one skipped ({why})", files_count(skipped)),
        (1, 0) => "1 file read, with no line with a timestamp".to_string(),
        (read, 0) => format!("{read} files read, none with a line with a timestamp"),
        (read, skipped) => format!(
            "{} read, none with a line with a timestamp; {} skipped ({why})",
            files_count(read),
            files_count(skipped)
        ),
    }
}

/// Files a run was asked to write (`asked`), written only when it succeeded: a failed run
/// leaves nothing behind that could be taken for its result.
pub struct Files<'a> {
    pub asked: Vec<&'a Path>,
    /// What to write into each, as it is made.
    pub files: Vec<(&'a Path, Vec<u8>)>,
    pub force: bool,
    pub quiet: bool,
}

impl<'a> Files<'a> {
    pub fn new(asked: Vec<&'a Path>, force: bool, quiet: bool) -> Files<'a> {
        Files {
            asked,
            files: Vec::new(),
            force,
            quiet,
        }
    }

    /// Writes no file, saying why: the run failed. Exit status 2.
    pub fn refuse(self, why: &str) -> ExitCode {
        if !self.asked.is_empty() {
            let names: Vec<String> = self.asked.iter().map(|p| p.display().to_string()).collect();
            error_line(&format!("{} not written: {why}", names.join(" and ")));
        }
        status::failure()
    }

    /// Writes every file when `outcome` is a success; otherwise none, saying why. The
    /// exit status either way.
    pub fn write(self, outcome: &Outcome) -> ExitCode {
        if let Some(why) = outcome.failure() {
            if self.asked.is_empty() {
                return outcome.exit();
            }
            self.refuse(&why);
            return outcome.code();
        }
        for (path, bytes) in &self.files {
            if let Err(e) = write_atomically(path, bytes, self.force) {
                error_line(&format!("{e:#}"));
                return status::failure();
            }
            if !self.quiet {
                say(&format!("postmortem: wrote {}", path.display()));
            }
        }
        ExitCode::SUCCESS
    }
}

/// Columns the text timeline must fit: the terminal's when stdout is one, else
/// `COLUMNS` when the shell exports it, else none (piped: nothing is cut).
pub fn output_width() -> Option<usize> {
    // The terminal's own width, as the progress bar's crate reads it; else $COLUMNS.
    let terminal = console::Term::stdout();
    if terminal.is_term() {
        if let Some((_, columns)) = terminal.size_checked().filter(|&(_, columns)| columns > 0) {
            return Some(usize::from(columns));
        }
    }
    std::env::var("COLUMNS").ok()?.trim().parse().ok().filter(|&c: &usize| c > 0)
}

/// Writing to a closed pipe (`| head`) ends the program quietly with success.
pub fn finish_output(written: io::Result<()>) -> Result<(), ExitCode> {
    match written.and_then(|()| io::stdout().flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            error_line(&format!("<stdout>: {e}"));
            Err(status::failure())
        }
    }
}

/// Refuses, before any work, to overwrite files that may hold edits.
pub fn refuse_existing(outputs: &[&Path], force: bool) -> Result<(), ExitCode> {
    match outputs.iter().find(|p| p.exists() && !force) {
        Some(path) => {
            error_line(&format!(
                "{} exists; it may hold edits: use --force to overwrite it",
                path.display()
            ));
            Err(status::failure())
        }
        None => Ok(()),
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename,
/// so that a reader never sees half a file and a failed run leaves nothing behind. The
/// temporary file has a random name and is created exclusively (`O_EXCL`), so a symlink
/// planted in a shared folder is never followed; without `force`, the rename refuses to
/// replace a file that appeared meanwhile.
pub fn write_atomically(path: &Path, text: &[u8], force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!("{} exists; it may hold edits: use --force to overwrite it", path.display());
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let write = || -> Result<()> {
        let mut file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        file.write_all(text)?;
        // The draft is a document like any other, not a secret: the permissions a new
        // file gets, or those of the file it replaces.
        let mode = match std::fs::metadata(path) {
            Ok(old) => old.permissions(),
            Err(_) => std::fs::Permissions::from_mode(0o666 & !umask()),
        };
        file.as_file().set_permissions(mode)?;
        file.as_file().sync_all()?;
        if force {
            file.persist(path)?;
        } else {
            file.persist_noclobber(path)?;
        }
        Ok(())
    };
    write().with_context(|| path.display().to_string())
}

/// The process's file mode mask.
fn umask() -> u32 {
    // SAFETY: `umask` only swaps a per-process value; it is set back at once, and no other
    // thread creates files while the output is written.
    unsafe {
        let mask = libc::umask(0o022);
        libc::umask(mask);
        mask
    }
}

/// The chart of a report as SVG; `None` (after saying why) when it cannot be drawn.
pub fn chart(report: &Report, path: &Path) -> Option<Vec<u8>> {
    match postmortem::render::chart_svg(report, &postmortem::render::View::plain(report.display_zone)) {
        Ok(Some(svg)) => Some(svg.into_bytes()),
        Ok(None) => {
            error_line(&format!("{}: no access log in these logs, nothing to chart", path.display()));
            None
        }
        Err(e) => {
            error_line(&format!("{}: {e}", path.display()));
            None
        }
    }
}

/// The way from the directory of `from` to `to`, for a link in a document: `chart.svg`,
/// `../charts/x.svg`. Absolute when the two share nothing.
pub fn relative_link(from: &Path, to: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (from_dir, to) = (absolute(from).parent().map(|p| p.to_path_buf()).unwrap_or_default(), absolute(to));
    let from_parts: Vec<_> = from_dir.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let shared = from_parts.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    if shared <= 1 {
        return to.display().to_string();
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), from_parts.len() - shared).collect();
    parts.extend(to_parts[shared..].iter().map(|c| c.as_os_str().to_string_lossy().to_string()));
    parts.join("/")
}

/// A run shorter than this shows no progress: a bar that flashes for a tenth of a second
/// says nothing and leaves the eye on an empty line. Most drafts take less; an archive of
/// gigabytes takes more, and is where a bar is wanted.
const SHOW_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// The progress bar on stderr, shown only when stderr is a terminal and not `--quiet`,
/// and only once the run has taken [`SHOW_AFTER`]; advanced a chunk at a time (never per
/// line).
pub struct Bar(Option<DelayedBar>);

pub struct DelayedBar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        Bar((!quiet && io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::hidden());
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            DelayedBar {
                bar,
                started: std::time::Instant::now(),
                shown: std::sync::atomic::AtomicBool::new(false),
            }
        }))
    }

    pub fn finish(&self) {
        if let Some(delayed) = &self.0 {
            delayed.bar.finish_and_clear();
        }
    }
}

impl DelayedBar {
    /// Draws from now on, once the run has taken long enough.
    fn show_when_due(&self) {
        use std::sync::atomic::Ordering;
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() >= SHOW_AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }
}

impl postmortem::scan::Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(delayed) = &self.0 {
            delayed.bar.set_length(total);
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(delayed) = &self.0 {
            delayed.show_when_due();
            delayed.bar.inc(bytes);
        }
    }
}
