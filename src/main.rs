//! The `postmortem` command line: parses arguments, runs the library, renders its report,
//! and maps the outcome to an exit code (0 success, 1 no usable input, 2 usage or I/O
//! errors).

mod cli;

use clap::Parser;
use cli::args::{
    self, ChartArgs, Cli, Command, DraftArgs, DraftFormat, SourcesArgs, SourcesFormat, SynthArgs, TimelineArgs, TimelineFormat,
};
use cli::output::{self, error_line, finish_output, print_problems, status, Bar, Files, Outcome};
use postmortem::error::Problem;
use postmortem::render::{self, RecordStyle, SourceRows, View};
use postmortem::report::{Report, SourcesReport, TimelineReport};
use postmortem::Config;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Draft(args) => draft_command(args),
        Command::Chart(args) => chart_command(args),
        Command::Timeline(args) => timeline_command(args),
        Command::Sources(args) => sources_command(args),
        Command::Scan(args) => scan_command(args),
        Command::Rules(command) => cli::rules::run(command),
        Command::Synth(args) => synth_command(args),
        Command::Version => match finish_output(io::stdout().write_all(format!("postmortem {}\n", args::version_text()).as_bytes())) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "postmortem", &mut script);
            match finish_output(io::stdout().write_all(&script)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
        Command::Manual { command } => manual_command(command.as_deref()),
    }
}

/// The main manual page, or one command's (`postmortem-draft(1)`), as roff on stdout.
fn manual_command(command: Option<&str>) -> ExitCode {
    let root = <Cli as clap::CommandFactory>::command();
    let page = match command {
        None => root,
        Some(name) => match root.find_subcommand(name) {
            // Named as man(1) finds a command's page: `man postmortem-draft`.
            Some(sub) => sub.clone().name(format!("postmortem-{name}")),
            None => {
                error_line(&format!("manual {name}: no such command"));
                return status::failure();
            }
        },
    };
    let mut roff = Vec::new();
    let rendered = clap_mangen::Man::new(page).render(&mut roff);
    match finish_output(rendered.and_then(|()| io::stdout().write_all(&roff))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// A run's report with the problems met said on stderr, or, when the run gave none, the
/// problems and why: a usage error, exit status 2.
fn reported<T>(outcome: Result<T, postmortem::Error>, problems: impl Fn(&T) -> &[Problem], verbose: bool) -> Result<T, ExitCode> {
    match outcome {
        Ok(report) => {
            print_problems(problems(&report), verbose);
            Ok(report)
        }
        Err(e) => {
            print_problems(e.problems(), verbose);
            error_line(&e.to_string());
            Err(status::failure())
        }
    }
}

/// A command's run, its stages' times said on stderr after it with `--timings`.
fn timed(timings: bool, run: impl FnOnce() -> Result<ExitCode, ExitCode>) -> ExitCode {
    if timings {
        postmortem::timings::record();
    }
    let code = run().unwrap_or_else(|code| code);
    for stage in postmortem::timings::take() {
        output::say(&format!("postmortem: timings: {}", postmortem::timings::line(&stage)));
    }
    code
}

/// Whether no file gave a line with a timestamp: nothing to draft or to put in time.
fn read_nothing(sources: &[postmortem::report::Source]) -> bool {
    sources.iter().all(|s| s.timestamped == 0)
}

/// The draft's report.
fn analyse(scan: &args::ScanArgs, config: &Config) -> Result<Report, ExitCode> {
    let bar = Bar::new(scan.quiet);
    let outcome = postmortem::draft(&scan.paths, config, &bar);
    bar.finish();
    reported(outcome, |r: &Report| &r.problems, scan.verbose)
}

fn draft_command(args: DraftArgs) -> ExitCode {
    let outputs: Vec<&Path> = args.output.iter().chain(args.chart.iter()).map(|p| p.as_path()).collect();
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.analysis.config()?;
        output::refuse_existing(&outputs, args.force)?;
        let quiet = args.analysis.scan.quiet;
        let report = analyse(&args.analysis.scan, &config)?;
        let mut files = Files::new(outputs.clone(), args.force, quiet);
        let outcome = Outcome::of(&report.problems, &report.sources);
        let mut view = View::plain(report.display_zone);
        view.mermaid = match args.mermaid {
            args::Mermaid::Always => true,
            args::Mermaid::Never => false,
            args::Mermaid::Auto => args.output.is_some() || !io::stdout().is_terminal(),
        };
        let mut chart_failed = false;
        // A run that failed writes no file: no chart to draw.
        if let (Some(path), None) = (&args.chart, outcome.failure()) {
            match output::chart(&report, path) {
                Some(svg) => files.files.push((path, svg)),
                None => chart_failed = true,
            }
            // The draft links to the chart when both are files, so the pair renders together.
            if let (Some(output), false) = (&args.output, chart_failed) {
                view.chart_link = Some(output::relative_link(output, path));
            }
        }
        let text = postmortem::timings::stage("render", || match args.format {
            DraftFormat::Markdown => render::write_draft(&report, &view),
            DraftFormat::Json => render::draft_json(&report),
        });
        match &args.output {
            Some(path) => files.files.insert(0, (path, text.into_bytes())),
            // What could be read is printed, whatever the outcome; where nothing could,
            // nothing is: a "no incident" draft would read like a result.
            None if read_nothing(&report.sources) => {}
            None => finish_output(io::stdout().write_all(text.as_bytes()))?,
        }
        if chart_failed {
            return Ok(files.refuse("the chart could not be drawn"));
        }
        Ok(files.write(&outcome))
    };
    timed(args.analysis.scan.timings, run)
}

fn chart_command(args: ChartArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.analysis.config()?;
        output::refuse_existing(&[args.output.as_path()], args.force)?;
        let quiet = args.analysis.scan.quiet;
        let report = analyse(&args.analysis.scan, &config)?;
        let outcome = Outcome::of(&report.problems, &report.sources);
        let mut files = Files::new(vec![args.output.as_path()], args.force, quiet);
        // A run that failed draws nothing; one that did not and has nothing to chart fails.
        if outcome.failure().is_none() {
            match output::chart(&report, &args.output) {
                Some(svg) => files.files.push((args.output.as_path(), svg)),
                None => return Ok(status::failure()),
            }
        }
        Ok(files.write(&outcome))
    };
    timed(args.analysis.scan.timings, run)
}

fn timeline_command(args: TimelineArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.config()?;
        let bar = Bar::new(args.scan.quiet);
        let outcome = postmortem::timeline(&args.scan.paths, &config, &bar);
        bar.finish();
        let report = reported(outcome, |r: &TimelineReport| &r.problems, args.scan.verbose)?;
        if read_nothing(&report.sources) {
            return Ok(Outcome::of(&report.problems, &report.sources).exit());
        }
        let mut view = View::plain(report.display_zone);
        view.colour = render::use_colour(io::stdout().is_terminal());
        view.width = output::output_width();
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let written = postmortem::timings::stage("render", || match args.format {
            TimelineFormat::Text => render::write_timeline_text(&mut out, &report, &view),
            TimelineFormat::Jsonl => render::write_records(&mut out, RecordStyle::Jsonl, &report),
            TimelineFormat::Timesketch => render::write_records(&mut out, RecordStyle::Timesketch, &report),
        });
        finish_output(written.and_then(|()| out.flush()))?;
        Ok(Outcome::of(&report.problems, &report.sources).exit())
    };
    timed(args.scan.timings, run)
}

fn sources_command(args: SourcesArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.config()?;
        let bar = Bar::new(args.scan.quiet);
        let outcome = postmortem::sources(&args.scan.paths, &config, &bar);
        bar.finish();
        let report = reported(outcome, |r: &SourcesReport| &r.problems, args.scan.verbose)?;
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let written = postmortem::timings::stage("render", || match args.format {
            SourcesFormat::Text => {
                let rows = if args.files { SourceRows::Files } else { SourceRows::Sources };
                render::write_sources_text(&mut out, &report.sources, &report.problems, report.display_zone, rows)
            }
            SourcesFormat::Json => render::write_sources_json(&mut out, &report.sources),
        });
        finish_output(written.and_then(|()| out.flush()))?;
        Ok(Outcome::of(&report.problems, &report.sources).exit())
    };
    timed(args.scan.timings, run)
}

/// Writes the partial of the logs, even when some file could not be read: its problems
/// travel in it and are said again by the draft, as one run over every file would say
/// them. The exit status says them too.
fn scan_command(args: args::ScanCommandArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.config()?;
        output::refuse_existing(&[args.output.as_path()], args.force)?;
        let bar = Bar::new(args.scan.quiet);
        let partial = postmortem::scan_partial(&args.scan.paths, &config, &bar);
        bar.finish();
        let problems: Vec<Problem> = partial.found_problems.iter().chain(&partial.probe_problems).cloned().collect();
        print_problems(&problems, args.scan.verbose);
        let encoded = postmortem::timings::stage("write", || partial.encode());
        let bytes = match encoded {
            Ok(bytes) => bytes,
            Err(e) => {
                error_line(&format!("{}: cannot encode the partial: {e}", args.output.display()));
                return Err(status::failure());
            }
        };
        let mut files = Files::new(vec![args.output.as_path()], args.force, args.scan.quiet);
        files.files.push((args.output.as_path(), bytes));
        let failed = problems.iter().any(|p| p.level == postmortem::error::Level::Error);
        let written = files.write(&Outcome::Success);
        Ok(if failed && written == ExitCode::SUCCESS {
            status::failure()
        } else {
            written
        })
    };
    timed(args.scan.timings, run)
}

fn synth_command(args: SynthArgs) -> ExitCode {
    let size = match args.size.as_deref().map(args::parse_size).transpose() {
        Ok(size) => size,
        Err(e) => return output::fail(e.context("--size")),
    };
    // clap took only the names it lists.
    let web = args.web.as_deref().and_then(postmortem::synth::WebFormat::from_name);
    match postmortem::synth::write_served_by(&args.scenario, web, &args.out, size, args.seed) {
        Ok(truth) => {
            let incident = match &truth.incident {
                Some(i) => format!("an incident from {} to {}", i.start, i.end),
                None => "no incident".to_string(),
            };
            let line = format!(
                "{}: {incident} in {} (naive times in {})\n",
                truth.scenario,
                args.out.display(),
                truth.tz
            );
            if let Err(code) = finish_output(io::stdout().write_all(line.as_bytes())) {
                return code;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            error_line(&format!("{}: {e}", args.out.display()));
            status::failure()
        }
    }
}
