//! The `postmortem` command line: parses arguments, runs the library, prints, and maps
//! the outcome to an exit code (0 success, 1 no usable input, 2 usage or I/O errors).

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use postmortem::error::Level;
use postmortem::rules::RuleSet;
use postmortem::scan::{ScanOptions, ScanResult};
use postmortem::time::{self, Micros, Zone};
use postmortem::{render, timeline};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "postmortem",
    version,
    about = "Reconstruct the timeline of a production outage from its logs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: find the incident in the logs and draft its postmortem, every
    /// statement citing its lines.
    Draft(DraftArgs),
    /// Draw the incident: requests and failures per bucket, the window, the key moments (SVG).
    Chart(ChartArgs),
    /// The merged, time-ordered stream of what the rules found, collapsed into episodes.
    Timeline(TimelineArgs),
    /// What was understood of each file: format, zone, lines, first and last time.
    Sources(SourcesArgs),
    /// The rules: list them, show them as written, check rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a deterministic incident archive (logs/ and truth.json) for demos, tests and
    /// benchmarks.
    Synth(SynthArgs),
}

#[derive(Args)]
struct SynthArgs {
    /// One of: table-lock, cms-corruption, pool-after-deploy, cron-migration, traffic-surge, quiet-day.
    #[arg(long)]
    scenario: String,
    /// Directory to write into (logs in DIR/logs, the truth in DIR/truth.json).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// About how large the archive should be (bytes, or with KiB, MiB, GiB); default small.
    #[arg(long, value_name = "SIZE")]
    size: Option<String>,
    /// Seed of the generator: the same seed, the same archive.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// `1GiB`, `64MiB`, `500KiB`, `1000000` → bytes.
fn parse_size(text: &str) -> Result<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a size (1000000, 500KiB, 64MiB, 1GiB)"))?;
    let scale = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" => 1 << 10,
        "MiB" | "M" | "MB" => 1 << 20,
        "GiB" | "G" | "GB" => 1 << 30,
        _ => bail!("`{text}` is not a size (1000000, 500KiB, 64MiB, 1GiB)"),
    };
    Ok(n * scale)
}

fn synth_command(args: SynthArgs) -> ExitCode {
    let size = match args.size.as_deref().map(parse_size).transpose() {
        Ok(size) => size,
        Err(e) => {
            eprintln!("postmortem: error: --size: {e:#}");
            return ExitCode::from(2);
        }
    };
    match postmortem::synth::write(&args.scenario, &args.out, size, args.seed) {
        Ok(truth) => {
            let incident = match &truth.incident {
                Some(i) => format!("an incident from {} to {}", i.start, i.end),
                None => "no incident".to_string(),
            };
            println!(
                "{}: {} in {} (naive times in {})",
                truth.scenario,
                incident,
                args.out.display(),
                truth.tz
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("postmortem: error: {}: {}", args.out.display(), e);
            ExitCode::from(2)
        }
    }
}

#[derive(Subcommand)]
enum RulesCommand {
    /// One line a rule: id, category, title.
    List {
        #[command(flatten)]
        selection: RuleSelection,
        /// Print the line patterns instead, one a line, for `rg -f` (rules on a status
        /// code or a rate have none, and `unless` exclusions are left out).
        #[arg(long)]
        patterns: bool,
    },
    /// The rule files as written (the built-in catalogue, or one rule by id).
    Show {
        /// A rule id; without one, the whole built-in catalogue.
        id: Option<String>,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Compile rule files and run every rule's examples and counterexamples.
    /// Without a file, the built-in catalogue. Exit status 1 if anything is wrong.
    Check {
        /// Rule files (TOML).
        files: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct RuleSelection {
    /// Add the rules of a TOML rule file (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Leave the built-in rules out.
    #[arg(long)]
    no_builtin_rules: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Log files or directories (walked recursively); `-` reads stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Zone of timestamps that carry none: an IANA name, an offset (-05:00) or UTC.
    /// Default: this machine's zone.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Year of the first line of logs that print no year (syslog). Default: inferred.
    #[arg(long)]
    year: Option<i32>,
    /// Worker threads (default: one a core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Read files with read() instead of mapping them.
    #[arg(long)]
    no_mmap: bool,
    /// Width of a time bucket for traffic series: 30s, 1m, 5m, 1h.
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    bucket: String,
    /// Lines longer than this many bytes are cut (and counted).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    max_line: usize,
    /// Add the rules of a TOML rule file (repeatable); a rule with a built-in id replaces it.
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Leave the built-in rules out.
    #[arg(long)]
    no_builtin_rules: bool,
    /// Hide the progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TimelineFormat {
    Text,
    Jsonl,
    Timesketch,
}

#[derive(Args)]
struct TimelineArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// Print every event instead of collapsing runs into episodes.
    #[arg(long)]
    raw: bool,
    /// text: aligned, coloured on a terminal; jsonl: one JSON object a line;
    /// timesketch: JSON lines for Timesketch's import.
    #[arg(long, value_enum, default_value = "text")]
    format: TimelineFormat,
    /// Only what happened at or after this time (RFC 3339, or YYYY-MM-DD HH:MM[:SS] in --tz).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only what happened before this time.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Zone to show times in. Default: --tz, else the zone most logs carry, else UTC.
    #[arg(long, value_name = "ZONE")]
    display_tz: Option<String>,
    /// Events of one rule and source further apart than this start a new episode.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    gap: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum DraftFormat {
    Markdown,
    Json,
}

/// What finding and explaining an incident needs: shared by `draft` and `chart`.
#[derive(Args)]
struct AnalysisArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// Draft incident N (numbered in time order) instead of the largest.
    #[arg(long, value_name = "N")]
    incident: Option<usize>,
    /// How far before the symptom to look for triggers (deploys, migrations, cron jobs).
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    lookback: String,
    /// Zone to show times in. Default: --tz, else the zone most logs carry, else UTC.
    #[arg(long, value_name = "ZONE")]
    display_tz: Option<String>,
    /// Events of one rule and source further apart than this start a new episode.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    gap: String,
}

#[derive(Args)]
struct DraftArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// markdown: the document to edit; json: the same, for machines (schema in the README).
    #[arg(long, value_enum, default_value = "markdown")]
    format: DraftFormat,
    /// Write the draft to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also draw the chart (SVG) into this file; with --output, the draft links to it.
    #[arg(long, value_name = "FILE.svg")]
    chart: Option<PathBuf>,
    /// Overwrite --output and --chart if they exist (a draft is often edited by hand: off by default).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct ChartArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// The SVG file to write.
    #[arg(long, short, value_name = "FILE.svg")]
    output: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename,
/// so that a reader never sees half a file and a failed run leaves nothing behind.
fn write_atomically(path: &std::path::Path, text: &[u8], force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!("{} exists; it may hold edits: use --force to overwrite it", path.display());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
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
fn relative_link(from: &std::path::Path, to: &std::path::Path) -> String {
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
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

/// The scan, the timeline and the analysis, and which incident to show.
struct Analysed {
    prepared: Prepared,
    result: ScanResult,
    episodes: Vec<timeline::Episode>,
    analysis: postmortem::analyze::Analysis,
    chosen: Option<usize>,
    zone: Zone,
}

fn analyse(args: &AnalysisArgs, outputs: &[&std::path::Path], force: bool) -> Result<Analysed, ExitCode> {
    let mut prepared = prepare(&args.scan)?;
    let settings = (|| -> Result<(Micros, Micros, Option<Zone>)> {
        Ok((
            parse_duration(&args.lookback).context("--lookback")?,
            parse_duration(&args.gap).context("--gap")?,
            args.display_tz.as_deref().map(parse_zone).transpose().context("--display-tz")?,
        ))
    })();
    let (lookback, gap, display) = settings.map_err(|e| {
        eprintln!("postmortem: error: {e:#}");
        ExitCode::from(2)
    })?;
    // Refuse before the work, not after it.
    if let Some(path) = outputs.iter().find(|p| p.exists() && !force) {
        eprintln!(
            "postmortem: error: {} exists; it may hold edits: use --force to overwrite it",
            path.display()
        );
        return Err(ExitCode::from(2));
    }
    prepared.options.gap = gap;
    let result = run_scan(&args.scan, &prepared);
    if prepared.tz_given.is_none() {
        note_assumed_zone(&result, prepared.options.zone);
    }
    let episodes = timeline::build(&result, &prepared.rules);
    let analysis = postmortem::analyze::analyze(&result, &episodes, &prepared.rules, &postmortem::analyze::Options { lookback });
    let chosen = match args.incident {
        Some(n) if n >= 1 && n <= analysis.incidents.len() => Some(n - 1),
        Some(n) => {
            eprintln!(
                "postmortem: error: --incident {n}: these logs hold {} incident(s)",
                analysis.incidents.len()
            );
            return Err(ExitCode::from(2));
        }
        None => analysis.largest,
    };
    let zone = render::display_zone(display.or(prepared.tz_given), &result.files);
    Ok(Analysed {
        prepared,
        result,
        episodes,
        analysis,
        chosen,
        zone,
    })
}

/// Draws and writes the chart; false (after saying why) if it could not be.
fn write_chart(a: &Analysed, path: &std::path::Path, force: bool) -> bool {
    let incident = a.chosen.and_then(|i| a.analysis.incidents.get(i));
    match render::chart_svg(&a.result, &a.episodes, incident, a.zone) {
        Ok(Some(svg)) => match write_atomically(path, svg.as_bytes(), force) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("postmortem: error: {e:#}");
                false
            }
        },
        Ok(None) => {
            eprintln!(
                "postmortem: error: {}: no access log in these logs, nothing to chart",
                path.display()
            );
            false
        }
        Err(e) => {
            eprintln!("postmortem: error: {}: {e}", path.display());
            false
        }
    }
}

fn draft_command(args: DraftArgs) -> ExitCode {
    let outputs: Vec<&std::path::Path> = args.output.iter().chain(args.chart.iter()).map(|p| p.as_path()).collect();
    let a = match analyse(&args.analysis, &outputs, args.force) {
        Ok(a) => a,
        Err(code) => return code,
    };
    // A chart that cannot be drawn is an error, but the draft is still written.
    let chart_written = args.chart.as_ref().map(|path| write_chart(&a, path, args.force));
    // The draft links to the chart when both are files, so the pair renders together.
    let link = match (&args.output, &args.chart, chart_written) {
        (Some(output), Some(chart), Some(true)) => Some(relative_link(output, chart)),
        _ => None,
    };
    let text = match args.format {
        DraftFormat::Markdown => render::write_draft(
            &a.analysis,
            a.chosen,
            &a.episodes,
            &a.result.files,
            &a.prepared.rules,
            a.zone,
            link.as_deref(),
        ),
        DraftFormat::Json => {
            let value = render::draft_json(&a.analysis, a.chosen, &a.episodes, &a.result.files, &a.prepared.rules);
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomically(path, text.as_bytes(), args.force) {
                eprintln!("postmortem: error: {e:#}");
                return ExitCode::from(2);
            }
        }
        None => {
            if let Err(code) = finish_output(io::stdout().write_all(text.as_bytes())) {
                return code;
            }
        }
    }
    if chart_written == Some(false) {
        return ExitCode::from(2);
    }
    exit_status(&a.result)
}

fn chart_command(args: ChartArgs) -> ExitCode {
    let a = match analyse(&args.analysis, &[args.output.as_path()], args.force) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if !write_chart(&a, &args.output, args.force) {
        return ExitCode::from(2);
    }
    exit_status(&a.result)
}

#[derive(Clone, Copy, ValueEnum)]
enum SourcesFormat {
    Text,
    Json,
}

#[derive(Args)]
struct SourcesArgs {
    #[command(flatten)]
    scan: ScanArgs,
    /// text: a table; json: an array, one object a file.
    #[arg(long, value_enum, default_value = "text")]
    format: SourcesFormat,
    /// Zone to show times in.
    #[arg(long, value_name = "ZONE")]
    display_tz: Option<String>,
}

/// `90s`, `1m`, `5m`, `1h` → microseconds.
fn parse_duration(text: &str) -> Result<Micros> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a duration (30s, 1m, 1h)"))?;
    let secs = match unit {
        "s" => n,
        "m" | "" => n * 60,
        "h" => n * 3600,
        _ => bail!("`{text}` is not a duration (30s, 1m, 1h)"),
    };
    if secs <= 0 {
        bail!("a duration must be positive: `{text}`");
    }
    Ok(secs * time::MICROS_PER_SEC)
}

fn parse_zone(text: &str) -> Result<Zone> {
    text.parse::<Zone>().map_err(anyhow::Error::msg)
}

/// Everything a scanning command needs, checked before any file is read.
struct Prepared {
    rules: RuleSet,
    options: ScanOptions,
    tz_given: Option<Zone>,
}

fn prepare(args: &ScanArgs) -> Result<Prepared, ExitCode> {
    let usage = |e: anyhow::Error| {
        eprintln!("postmortem: error: {e:#}");
        ExitCode::from(2)
    };
    let tz_given = args.tz.as_deref().map(parse_zone).transpose().map_err(usage)?;
    let bucket = parse_duration(&args.bucket).map_err(usage)?;
    if let Some(threads) = args.threads {
        if threads == 0 {
            return Err(usage(anyhow::anyhow!("--threads must be at least 1")));
        }
        // The global pool can only be set once; a second call fails harmlessly.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
    }
    let rules = RuleSet::load(&args.rules, !args.no_builtin_rules).map_err(|errors| {
        for error in errors {
            eprintln!("postmortem: error: {error}");
        }
        ExitCode::from(1)
    })?;
    let options = ScanOptions {
        zone: tz_given.unwrap_or_else(Zone::local),
        year: args.year,
        no_mmap: args.no_mmap,
        bucket,
        max_line: args.max_line.max(256),
        ..ScanOptions::default()
    };
    Ok(Prepared { rules, options, tz_given })
}

fn run_scan(args: &ScanArgs, prepared: &Prepared) -> ScanResult {
    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let result = postmortem::scan_paths(&args.paths, &prepared.rules, &prepared.options, &Bar(bar.as_ref()));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for problem in &result.problems {
        eprintln!("postmortem: {}", postmortem::text::clean_line(problem.to_string().as_bytes(), 2000));
    }
    result
}

/// Says on stderr which files had times without a zone read in this machine's zone:
/// a wrong guess there shifts a whole log against the others.
fn note_assumed_zone(result: &ScanResult, zone: Zone) {
    let assumed: Vec<&str> = result
        .files
        .iter()
        .filter(|f| f.zone.assumed && f.timestamped > 0)
        .map(|f| f.display.as_str())
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

/// The progress bar on stderr, advanced a chunk at a time (never per line).
struct Bar<'a>(Option<&'a indicatif::ProgressBar>);

impl postmortem::scan::Progress for Bar<'_> {
    fn start(&self, total: u64) {
        if let Some(bar) = self.0 {
            bar.set_length(total);
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = self.0 {
            bar.inc(bytes);
        }
    }
}

/// 2 if any file could not be read, 1 if nothing usable was read at all, else 0.
fn exit_status(result: &ScanResult) -> ExitCode {
    if result.problems.iter().any(|p| p.level == Level::Error) {
        ExitCode::from(2)
    } else if result.files.iter().all(|f| f.timestamped == 0) {
        eprintln!("postmortem: error: no usable input: no file had a line with a timestamp");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writing to a closed pipe (`| head`) ends the program quietly with success.
fn finish_output(written: io::Result<()>) -> Result<(), ExitCode> {
    match written.and_then(|()| io::stdout().flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("postmortem: error: <stdout>: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// The timeline's window and presentation, checked before any file is read.
struct TimelineView {
    since: Option<Micros>,
    until: Option<Micros>,
    gap: Micros,
    display: Option<Zone>,
}

impl TimelineView {
    fn from_args(args: &TimelineArgs, zone: Zone) -> Result<TimelineView> {
        let user_time = |text: &Option<String>, flag: &str| {
            text.as_deref()
                .map(|t| time::parse_user_time(t, zone))
                .transpose()
                .map_err(anyhow::Error::msg)
                .with_context(|| flag.to_string())
        };
        Ok(TimelineView {
            since: user_time(&args.since, "--since")?,
            until: user_time(&args.until, "--until")?,
            gap: parse_duration(&args.gap).context("--gap")?,
            display: args.display_tz.as_deref().map(parse_zone).transpose().context("--display-tz")?,
        })
    }
}

fn timeline_command(args: TimelineArgs) -> ExitCode {
    let mut prepared = match prepare(&args.scan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let view = match TimelineView::from_args(&args, prepared.options.zone) {
        Ok(view) => view,
        Err(e) => {
            eprintln!("postmortem: error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let TimelineView {
        since,
        until,
        gap,
        display,
    } = view;
    prepared.options.gap = gap;
    prepared.options.keep_lines = args.raw;
    let mut result = run_scan(&args.scan, &prepared);
    if prepared.tz_given.is_none() {
        note_assumed_zone(&result, prepared.options.zone);
    }
    // Episodes come from all the logs (a rate needs the minutes before the window for
    // its baseline); the window then keeps those that overlap it, and the events in it.
    let episodes = timeline::within(timeline::build(&result, &prepared.rules), since, until);
    result.retain_window(since, until);
    let zone = render::display_zone(display.or(prepared.tz_given), &result.files);
    let raw_events = args.raw.then_some(&result.events[..]);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match args.format {
        TimelineFormat::Text => {
            let colour = render::use_colour(io::stdout().is_terminal());
            render::write_timeline_text(&mut out, &episodes, raw_events, &result.files, &prepared.rules, zone, colour)
        }
        TimelineFormat::Jsonl => render::write_records(
            &mut out,
            render::RecordStyle::Jsonl,
            &episodes,
            raw_events,
            &result.files,
            &prepared.rules,
        ),
        TimelineFormat::Timesketch => render::write_records(
            &mut out,
            render::RecordStyle::Timesketch,
            &episodes,
            raw_events,
            &result.files,
            &prepared.rules,
        ),
    };
    if let Err(code) = finish_output(written.and_then(|()| out.flush())) {
        return code;
    }
    exit_status(&result)
}

fn sources_command(args: SourcesArgs) -> ExitCode {
    let prepared = match prepare(&args.scan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let display = match args.display_tz.as_deref().map(parse_zone).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("postmortem: error: --display-tz: {e:#}");
            return ExitCode::from(2);
        }
    };
    let result = run_scan(&args.scan, &prepared);
    let zone = render::display_zone(display.or(prepared.tz_given), &result.files);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match args.format {
        SourcesFormat::Text => render::write_sources_text(&mut out, &result.files, zone),
        SourcesFormat::Json => render::write_sources_json(&mut out, &result.files),
    };
    if let Err(code) = finish_output(written.and_then(|()| out.flush())) {
        return code;
    }
    exit_status(&result)
}

/// Loads rules, printing every problem; `None` if any.
fn load_rules(files: &[PathBuf], builtin: bool) -> Option<RuleSet> {
    RuleSet::load(files, builtin)
        .map_err(|errors| {
            for error in errors {
                eprintln!("postmortem: error: {error}");
            }
        })
        .ok()
}

fn rules_command(command: RulesCommand) -> ExitCode {
    let mut out = String::new();
    match command {
        RulesCommand::List { selection, patterns } => {
            let Some(set) = load_rules(&selection.rules, !selection.no_builtin_rules) else {
                return ExitCode::from(1);
            };
            let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in set.rules() {
                match rule.plain_pattern() {
                    Some(pattern) if patterns => out.push_str(&format!("{pattern}\n")),
                    _ if patterns => {}
                    _ => out.push_str(&format!("{:<width$}  {:<19} {}\n", rule.id, rule.category.name(), rule.title)),
                }
            }
        }
        RulesCommand::Show { id, selection } => {
            let Some(set) = load_rules(&selection.rules, !selection.no_builtin_rules) else {
                return ExitCode::from(1);
            };
            match postmortem::rules::builtin_text(id.as_deref(), &set) {
                Some(text) => out.push_str(&text),
                None => {
                    eprintln!(
                        "postmortem: error: no rule `{}` (see `postmortem rules list`)",
                        id.unwrap_or_default()
                    );
                    return ExitCode::from(1);
                }
            }
        }
        RulesCommand::Check { files } => {
            let Some(set) = load_rules(&files, files.is_empty()) else {
                return ExitCode::from(1);
            };
            let problems = postmortem::rules::check(&set);
            for problem in &problems {
                eprintln!("{problem}");
            }
            if !problems.is_empty() {
                return ExitCode::from(1);
            }
            let checked: usize = set.rules().iter().map(|r| r.examples.len() + r.counterexamples.len()).sum();
            out.push_str(&format!(
                "{} rules, {checked} examples and counterexamples: all as expected\n",
                set.rules().len()
            ));
        }
    }
    match finish_output(io::stdout().write_all(out.as_bytes())) {
        Ok(()) | Err(_) => ExitCode::SUCCESS,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Draft(args) => draft_command(args),
        Command::Chart(args) => chart_command(args),
        Command::Timeline(args) => timeline_command(args),
        Command::Sources(args) => sources_command(args),
        Command::Rules(command) => rules_command(command),
        Command::Synth(args) => synth_command(args),
    }
}
