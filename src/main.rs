//! The `postmortem` command line: parses arguments, runs the library, renders its report,
//! and maps the outcome to an exit code (0 success, 1 no usable input, 2 usage or I/O
//! errors).

mod cli;

use clap::Parser;
use cli::args::{
    self, ChartArgs, Cli, Command, DraftArgs, DraftFormat, SourcesArgs, SourcesFormat, SynthArgs, TimelineArgs, TimelineFormat,
};
use cli::output::{self, error_line, finish_output, print_problems, Bar};
use postmortem::render::{self, RecordStyle, View};
use postmortem::report::Report;
use postmortem::Config;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Draft(args) => draft_command(args),
        Command::Chart(args) => chart_command(args),
        Command::Timeline(args) => timeline_command(args),
        Command::Sources(args) => sources_command(args),
        Command::Rules(command) => cli::rules::run(command),
        Command::Synth(args) => synth_command(args),
    }
}

/// The draft's report, with the problems met and the zone note said on stderr.
fn analyse(paths: &[PathBuf], config: &Config, quiet: bool) -> Result<Report, ExitCode> {
    let bar = Bar::new(quiet);
    let outcome = postmortem::draft(paths, config, &bar);
    bar.finish();
    match outcome {
        Ok(report) => {
            print_problems(&report.problems);
            if config.zone.is_none() {
                output::note_assumed_zone(&report.sources, config.naive_zone());
            }
            Ok(report)
        }
        Err(e) => {
            let postmortem::Error::NoSuchIncident { problems, .. } = &e;
            print_problems(problems);
            error_line(&e.to_string());
            Err(ExitCode::from(2))
        }
    }
}

/// Draws the chart into `path`; false (after saying why) when it cannot be.
fn write_chart(report: &Report, path: &Path, force: bool) -> bool {
    match render::chart_svg(report, &View::plain(report.display_zone)) {
        Ok(Some(svg)) => match output::write_atomically(path, svg.as_bytes(), force) {
            Ok(()) => true,
            Err(e) => {
                error_line(&format!("{e:#}"));
                false
            }
        },
        Ok(None) => {
            error_line(&format!("{}: no access log in these logs, nothing to chart", path.display()));
            false
        }
        Err(e) => {
            error_line(&format!("{}: {e}", path.display()));
            false
        }
    }
}

fn draft_command(args: DraftArgs) -> ExitCode {
    let outputs: Vec<&Path> = args.output.iter().chain(args.chart.iter()).map(|p| p.as_path()).collect();
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.analysis.config()?;
        output::refuse_existing(&outputs, args.force)?;
        let report = analyse(&args.analysis.scan.paths, &config, args.analysis.scan.quiet)?;
        // A chart that cannot be drawn is an error, but the draft is still written.
        let chart_written = args.chart.as_ref().map(|path| write_chart(&report, path, args.force));
        let mut view = View::plain(report.display_zone);
        // The draft links to the chart when both are files, so the pair renders together.
        if let (Some(output), Some(chart), Some(true)) = (&args.output, &args.chart, chart_written) {
            view.chart_link = Some(output::relative_link(output, chart));
        }
        let text = match args.format {
            DraftFormat::Markdown => render::write_draft(&report, &view),
            DraftFormat::Json => render::draft_json(&report),
        };
        match &args.output {
            Some(path) => output::write_atomically(path, text.as_bytes(), args.force).map_err(output::fail)?,
            None => finish_output(io::stdout().write_all(text.as_bytes()))?,
        }
        if chart_written == Some(false) {
            return Ok(ExitCode::from(2));
        }
        Ok(output::exit_status(&report.problems, &report.sources))
    };
    run().unwrap_or_else(|code| code)
}

fn chart_command(args: ChartArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.analysis.config()?;
        output::refuse_existing(&[args.output.as_path()], args.force)?;
        let report = analyse(&args.analysis.scan.paths, &config, args.analysis.scan.quiet)?;
        if !write_chart(&report, &args.output, args.force) {
            return Ok(ExitCode::from(2));
        }
        Ok(output::exit_status(&report.problems, &report.sources))
    };
    run().unwrap_or_else(|code| code)
}

fn timeline_command(args: TimelineArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.config()?;
        let bar = Bar::new(args.scan.quiet);
        let report = postmortem::timeline(&args.scan.paths, &config, &bar);
        bar.finish();
        print_problems(&report.problems);
        if config.zone.is_none() {
            output::note_assumed_zone(&report.sources, config.naive_zone());
        }
        let mut view = View::plain(report.display_zone);
        view.colour = render::use_colour(io::stdout().is_terminal());
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let written = match args.format {
            TimelineFormat::Text => render::write_timeline_text(&mut out, &report, &view),
            TimelineFormat::Jsonl => render::write_records(&mut out, RecordStyle::Jsonl, &report),
            TimelineFormat::Timesketch => render::write_records(&mut out, RecordStyle::Timesketch, &report),
        };
        finish_output(written.and_then(|()| out.flush()))?;
        Ok(output::exit_status(&report.problems, &report.sources))
    };
    run().unwrap_or_else(|code| code)
}

fn sources_command(args: SourcesArgs) -> ExitCode {
    let run = || -> Result<ExitCode, ExitCode> {
        let config = args.config()?;
        let bar = Bar::new(args.scan.quiet);
        let report = postmortem::sources(&args.scan.paths, &config, &bar);
        bar.finish();
        print_problems(&report.problems);
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let written = match args.format {
            SourcesFormat::Text => render::write_sources_text(&mut out, &report.sources, report.display_zone),
            SourcesFormat::Json => render::write_sources_json(&mut out, &report.sources),
        };
        finish_output(written.and_then(|()| out.flush()))?;
        Ok(output::exit_status(&report.problems, &report.sources))
    };
    run().unwrap_or_else(|code| code)
}

fn synth_command(args: SynthArgs) -> ExitCode {
    let size = match args.size.as_deref().map(args::parse_size).transpose() {
        Ok(size) => size,
        Err(e) => return output::fail(e.context("--size")),
    };
    match postmortem::synth::write(&args.scenario, &args.out, size, args.seed) {
        Ok(truth) => {
            let incident = match &truth.incident {
                Some(i) => format!("an incident from {} to {}", i.start, i.end),
                None => "no incident".to_string(),
            };
            println!(
                "{}: {incident} in {} (naive times in {})",
                truth.scenario,
                args.out.display(),
                truth.tz
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            error_line(&format!("{}: {e}", args.out.display()));
            ExitCode::from(2)
        }
    }
}
