//! What the command line writes besides the report itself: error and warning lines on
//! stderr, the progress bar, files written atomically, and the exit status.

use anyhow::{bail, Context, Result};
use postmortem::error::{Level, Problem};
use postmortem::report::Source;
use postmortem::time::Zone;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// One `postmortem: error: …` line on stderr.
pub fn error_line(message: &str) {
    eprintln!("postmortem: error: {message}");
}

/// A usage error: said on stderr, exit status 2.
pub fn fail(e: anyhow::Error) -> ExitCode {
    error_line(&format!("{e:#}"));
    ExitCode::from(2)
}

/// Each problem with the input, one line a problem, log text cleaned for the terminal.
pub fn print_problems(problems: &[Problem]) {
    for problem in problems {
        eprintln!("postmortem: {}", postmortem::text::clean_line(problem.to_string().as_bytes(), 2000));
    }
}

/// Says on stderr which files had times without a zone read in this machine's zone:
/// a wrong guess there shifts a whole log against the others.
pub fn note_assumed_zone(sources: &[Source], zone: Zone) {
    let assumed: Vec<&str> = sources
        .iter()
        .filter(|f| f.zone_assumed && f.timestamped > 0)
        .map(|f| f.file.as_str())
        .collect();
    if assumed.is_empty() {
        return;
    }
    let shown = assumed.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    let more = if assumed.len() > 3 {
        format!(" and {} more", assumed.len() - 3)
    } else {
        String::new()
    };
    let listed = postmortem::text::clean_line(format!("{shown}{more}").as_bytes(), 2000);
    eprintln!("postmortem: note: times without a zone read as {zone} (this machine's zone; set --tz) in {listed}");
}

/// 2 if any file could not be read, 1 if nothing usable was read at all, else 0.
pub fn exit_status(problems: &[Problem], sources: &[Source]) -> ExitCode {
    if problems.iter().any(|p| p.level == Level::Error) {
        ExitCode::from(2)
    } else if sources.iter().all(|f| f.timestamped == 0) {
        error_line("no usable input: no file had a line with a timestamp");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writing to a closed pipe (`| head`) ends the program quietly with success.
pub fn finish_output(written: io::Result<()>) -> Result<(), ExitCode> {
    match written.and_then(|()| io::stdout().flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            error_line(&format!("<stdout>: {e}"));
            Err(ExitCode::from(2))
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
            Err(ExitCode::from(2))
        }
        None => Ok(()),
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename,
/// so that a reader never sees half a file and a failed run leaves nothing behind.
pub fn write_atomically(path: &Path, text: &[u8], force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!("{} exists; it may hold edits: use --force to overwrite it", path.display());
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "draft".into());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(e).with_context(|| path.display().to_string());
    }
    Ok(())
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

/// The progress bar on stderr, shown only when stderr is a terminal and not `--quiet`;
/// advanced a chunk at a time (never per line).
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        Bar((!quiet && io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        }))
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl postmortem::scan::Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(total);
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }
}
