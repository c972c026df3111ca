//! The command line's arguments (clap derive) and the small parsers they need: sizes,
//! durations, zones. Each scanning command's arguments become a [`Config`] here, checked
//! before any file is read.

use super::output::{fail, status};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use postmortem::rules::RuleSet;
use postmortem::scan::FileZone;
use postmortem::text::PathPattern;
use postmortem::time::{self, Micros, UserTime, Window, Zone};
use postmortem::Config;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `--version` says: the program's version and its JSON report's schema.
pub fn version_text() -> String {
    format!(
        "{} (JSON report schema {})",
        env!("CARGO_PKG_VERSION"),
        postmortem::report::SCHEMA_VERSION
    )
}

#[derive(Parser)]
#[command(
    name = "postmortem",
    version = version_text(),
    about = "Reconstruct the timeline of a production outage from its logs",
    after_help = "Exit status: 0 when the run did what it was asked; 1 when the input gave nothing to work with (no line of the logs could be placed in time, or a rule file does not load or check); 2 when something failed (a file could not be read or written, a wrong command line)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// The main job: find the incident in the logs and draft its postmortem, every
    /// statement citing its lines.
    Draft(DraftArgs),
    /// Draw the incident: requests and failures per bucket, the window, the key moments (SVG).
    Chart(ChartArgs),
    /// The merged, time-ordered stream of what the rules found, collapsed into episodes.
    Timeline(TimelineArgs),
    /// What was understood of each source (--files: each file): format, zone, lines,
    /// first and last time; the fields a JSON access log was read by, and those a JSON
    /// log's errors are placed by.
    Sources(SourcesArgs),
    /// Scan logs into a partial (SHARD.pmscan) to draft later with others: a fleet's
    /// logs scanned where they lie, drafted as if one run had read them all
    /// (docs/partials.md).
    Scan(ScanCommandArgs),
    /// The rules: list them, show them as written, check rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a deterministic incident archive (logs/ and truth.json) for demos, tests and
    /// benchmarks.
    Synth(SynthArgs),
    /// Print the version (as --version does).
    Version,
    /// Print a shell's completion script: `postmortem completions bash >
    /// /etc/bash_completion.d/postmortem`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): `postmortem manual > postmortem.1`, and each command's
    /// own with all its options: `postmortem manual draft > postmortem-draft.1`.
    Manual {
        /// The command whose page to print (draft, chart, timeline, sources, scan, rules, synth,
        /// completions); none for the main page.
        command: Option<String>,
    },
}

#[derive(Args)]
pub struct SynthArgs {
    /// One of: table-lock, cms-corruption, pool-after-deploy, cron-migration, traffic-surge, fpm-saturation, quiet-day.
    #[arg(long)]
    pub scenario: String,
    /// Directory to write into (logs in DIR/logs, the truth in DIR/truth.json).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// About how large the archive should be (bytes, or with KiB, MiB, GiB); default small.
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// Seed of the generator: the same seed, the same archive.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the access log as this server does instead of the scenario's own format.
    /// The same requests, so the same outage to find.
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(postmortem::synth::WEB_FORMATS.map(|(name, _)| name)))]
    pub web: Option<String>,
}

#[derive(Subcommand)]
pub enum RulesCommand {
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
pub struct RuleSelection {
    /// Add the rules of a TOML rule file (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Leave the built-in rules out.
    #[arg(long)]
    pub no_builtin_rules: bool,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Log files or directories (walked recursively); `-` reads stdin. Compressed files,
    /// container logs (Docker, CRI, `docker compose`, Loki jsonl), journald exports and
    /// journal files, Kubernetes events, OTLP/JSON and log platforms' JSON and CSV exports
    /// are read as the lines they hold (see docs/formats.md).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Zone of timestamps that carry none: an IANA name (any case), an offset (-05:00,
    /// -0500, +5), an abbreviation (EST, CEST) or UTC; PATTERN=ZONE for the files a pattern
    /// names (repeatable: 'db/*=UTC'). Default: the zone the other logs' offsets imply,
    /// else this machine's.
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Vec<String>,
    /// Zone to show times in (and to read --since/--until in). Default: --tz, else the
    /// zone most logs carry, else UTC.
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub display_tz: Option<String>,
    /// Only what happened at or after this time: 2025-03-04 09:40, 09:40 (the logs'
    /// day), RFC 3339, or -2h / +30m from the logs' end / start; read in the display zone.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Only what happened before this time (the same forms as --since).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
    /// Year of the first line of logs that print no year (syslog). Default: inferred.
    #[arg(long)]
    pub year: Option<i32>,
    /// Worker threads (default: one a core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Read files with read() instead of mapping them.
    #[arg(long)]
    pub no_mmap: bool,
    /// Width of a time bucket for traffic series: 30s, 1m, 5m, 1h.
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub bucket: String,
    /// Lines longer than this many bytes are cut (and counted).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_line: usize,
    /// Add the rules of a TOML rule file (repeatable); a rule with a built-in id replaces it.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Leave the built-in rules out.
    #[arg(long)]
    pub no_builtin_rules: bool,
    /// Report clocks found off between hosts, but leave their times as logged.
    #[arg(long)]
    pub no_skew: bool,
    /// Hide the progress bar and the `wrote FILE` line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Say every note and warning on its own line: the same message of many files is
    /// otherwise said once, with their count and the first few names.
    #[arg(long, short)]
    pub verbose: bool,
    /// The fields a JSON access log's records are read by, where they are not found:
    /// status=FIELD,path=FIELD,time=FIELD[:s|ms|us|ns], and as wanted method=FIELD,
    /// client=FIELD, duration=FIELD:UNIT, request=FIELD (a whole request line in place of
    /// path). A nested field's keys are joined by `.`: httpRequest.status.
    #[arg(long, value_name = "FIELDS", value_parser = parse_access_fields)]
    pub access_fields: Option<postmortem::format::AccessFields>,
    /// Say on stderr how long each stage took (discover, probe, scan, clocks, timeline,
    /// analysis, report, render) and how fast the logs were read.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Args)]
pub struct ScanCommandArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The partial to write (by convention SHARD.pmscan: `draft`, `chart`, `timeline`
    /// and `sources` read files so named as partials).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite --output if it exists.
    #[arg(long)]
    pub force: bool,
    /// As `draft --gap`: the partial is drafted only with the same.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub gap: String,
}

impl ScanCommandArgs {
    /// The configuration of `scan`: what decides how lines are read; the flags that only
    /// decide what a draft shows are refused, as they would be ignored.
    pub fn config(&self) -> Result<Config, ExitCode> {
        let shown = [
            (self.scan.display_tz.is_some(), "--display-tz"),
            (self.scan.since.is_some(), "--since"),
            (self.scan.until.is_some(), "--until"),
            (self.scan.no_skew, "--no-skew"),
        ];
        if let Some((_, flag)) = shown.iter().find(|(given, _)| *given) {
            return Err(fail(anyhow::anyhow!(
                "{flag} is for the run that drafts from the partials, not for scan"
            )));
        }
        let mut config = self.scan.config()?;
        config.gap = parse_duration(&self.gap).context("--gap").map_err(fail)?;
        Ok(config)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TimelineFormat {
    Text,
    Jsonl,
    Timesketch,
}

#[derive(Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Print every event instead of collapsing runs into episodes.
    #[arg(long)]
    pub raw: bool,
    /// text: aligned, coloured on a terminal; jsonl: one JSON object a line;
    /// timesketch: JSON lines for Timesketch's import.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TimelineFormat,
    /// Events of one rule and source further apart than this start a new episode.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub gap: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DraftFormat {
    Markdown,
    Json,
}

/// When the Markdown draft carries its Mermaid chart of key moments.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mermaid {
    /// In a file (--output) or a pipe, not on a terminal, where it shows as code.
    Auto,
    Always,
    Never,
}

/// What finding and explaining an incident needs: shared by `draft` and `chart`.
#[derive(Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Draft incident N (numbered in time order) instead of the largest.
    #[arg(long, value_name = "N")]
    pub incident: Option<usize>,
    /// How far before the symptom to look for triggers (deploys, migrations, cron jobs).
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub lookback: String,
    /// Events of one rule and source further apart than this start a new episode.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub gap: String,
    /// A spike of failed requests shorter than this is a blip, not an incident.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub min_duration: String,
    /// A spike with fewer failed requests (or, in a slowdown, slowly served ones) than this is
    /// a blip, not an incident.
    #[arg(long, default_value_t = postmortem::analyze::weights::MIN_FAILED_REQUESTS, value_name = "N")]
    pub min_failed: u64,
}

#[derive(Args)]
pub struct DraftArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// markdown: the document to edit; json: the same, for machines (schema in docs/draft.md).
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: DraftFormat,
    /// Write the draft to this file instead of stdout: atomically, and only when the run
    /// succeeds.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also draw the chart (SVG) into this file; with --output, the draft links to it.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Overwrite --output and --chart if they exist (a draft is often edited by hand: off by default).
    #[arg(long)]
    pub force: bool,
    /// The Mermaid chart of key moments: auto puts it in a file or a pipe, not on a terminal.
    #[arg(long, value_enum, default_value = "auto")]
    pub mermaid: Mermaid,
}

#[derive(Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// The SVG file to write.
    #[arg(long, short, value_name = "FILE.svg")]
    pub output: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SourcesFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// text: a table, one row a source (the pieces of one stream together); json: an
    /// array, one object a file.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SourcesFormat,
    /// In the table, one row a file, not a source.
    #[arg(long)]
    pub files: bool,
}

/// `1GiB`, `64MiB`, `500KiB`, `1000000` → bytes.
pub fn parse_size(text: &str) -> Result<u64> {
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

/// `90s`, `1m`, `5m`, `1h` → microseconds.
pub fn parse_duration(text: &str) -> Result<Micros> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let Ok(n) = number.parse::<i64>() else {
        bail!("`{text}` is not a duration (30s, 1m, 1h)")
    };
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

/// A zone as typed for `flag`; a note on how an ambiguous one was read goes to stderr.
pub fn parse_zone(text: &str, flag: &str) -> Result<Zone> {
    let reading = time::read_zone(text)
        .map_err(anyhow::Error::msg)
        .with_context(|| flag.to_string())?;
    if let Some(note) = reading.note {
        super::output::say(&format!("postmortem: note: {flag}: {note}"));
    }
    Ok(reading.zone)
}

/// The `--tz` values: at most one zone for all, and any number of `PATTERN=ZONE`.
fn parse_zones(values: &[String]) -> Result<(Option<Zone>, Vec<FileZone>)> {
    let mut all = None;
    let mut by_pattern = Vec::new();
    for value in values {
        match value.split_once('=') {
            Some((pattern, zone)) if !pattern.trim().is_empty() => by_pattern.push(FileZone {
                pattern: PathPattern::new(pattern.trim()).with_context(|| format!("--tz {pattern}="))?,
                zone: parse_zone(zone, &format!("--tz {pattern}="))?,
            }),
            Some(_) => bail!("--tz `{value}`: a pattern goes before `=` (--tz 'db/*.log=UTC')"),
            None if all.is_some() => bail!("--tz is given twice without a pattern: give one zone for all, and PATTERN=ZONE for the others"),
            None => all = Some(parse_zone(value, "--tz")?),
        }
    }
    Ok((all, by_pattern))
}

/// `--since` / `--until`, as typed (they are placed against the logs once read).
fn parse_time(text: &Option<String>, flag: &str) -> Result<Option<UserTime>> {
    text.as_deref()
        .map(str::parse::<UserTime>)
        .transpose()
        .map_err(anyhow::Error::msg)
        .with_context(|| flag.to_string())
}

/// Loads rules, printing every problem; `None` if any.
pub fn load_rules(files: &[PathBuf], builtin: bool) -> Option<RuleSet> {
    RuleSet::load(files, builtin)
        .map_err(|errors| {
            for error in errors {
                super::output::error_line(&error.to_string());
            }
        })
        .ok()
}

/// `--access-fields`: see [`postmortem::format::AccessFields::parse_spec`].
fn parse_access_fields(spec: &str) -> Result<postmortem::format::AccessFields, String> {
    postmortem::format::AccessFields::parse_spec(spec)
}

impl ScanArgs {
    /// The configuration these arguments ask for, checked before any file is read: a
    /// usage error exits 2, a broken rule file 1.
    pub fn config(&self) -> Result<Config, ExitCode> {
        let (zone, file_zones) = parse_zones(&self.tz).map_err(fail)?;
        let display_zone = self
            .display_tz
            .as_deref()
            .map(|z| parse_zone(z, "--display-tz"))
            .transpose()
            .map_err(fail)?;
        let window = Window {
            since: parse_time(&self.since, "--since").map_err(fail)?,
            until: parse_time(&self.until, "--until").map_err(fail)?,
        };
        let bucket = parse_duration(&self.bucket).context("--bucket").map_err(fail)?;
        if let Some(threads) = self.threads {
            if threads == 0 {
                return Err(fail(anyhow::anyhow!("--threads must be at least 1")));
            }
            // The global pool can only be set once; a second call fails harmlessly.
            let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
        }
        let rules = load_rules(&self.rules, !self.no_builtin_rules).ok_or(status::unusable_input())?;
        let mut config = Config::new(rules);
        config.zone = zone;
        config.file_zones = file_zones;
        config.display_zone = display_zone;
        config.window = window;
        config.no_skew = self.no_skew;
        config.year = self.year;
        config.no_mmap = self.no_mmap;
        config.bucket = bucket;
        config.max_line = self.max_line;
        config.access_fields = self.access_fields.clone();
        Ok(config)
    }
}

impl AnalysisArgs {
    /// The configuration of `draft` and `chart`.
    pub fn config(&self) -> Result<Config, ExitCode> {
        let mut config = self.scan.config()?;
        config.lookback = parse_duration(&self.lookback).context("--lookback").map_err(fail)?;
        config.gap = parse_duration(&self.gap).context("--gap").map_err(fail)?;
        config.incident = self.incident;
        config.min_duration = parse_duration(&self.min_duration).context("--min-duration").map_err(fail)?;
        config.min_failed = self.min_failed;
        Ok(config)
    }
}

impl TimelineArgs {
    /// The configuration of `timeline`.
    pub fn config(&self) -> Result<Config, ExitCode> {
        let mut config = self.scan.config()?;
        config.gap = parse_duration(&self.gap).context("--gap").map_err(fail)?;
        config.keep_lines = self.raw;
        Ok(config)
    }
}

impl SourcesArgs {
    /// The configuration of `sources`.
    pub fn config(&self) -> Result<Config, ExitCode> {
        self.scan.config()
    }
}
