//! `--timings`: where a run's time went, one line a stage on stderr, for a user who wants
//! to know what a large archive costs and for a maintainer deciding what to speed up.
//!
//! Recording is off unless [`record`] was called (the command line does so for
//! `--timings`); a stage is then timed by wrapping it in [`stage`]. Time is said on
//! stderr only: what a run writes on stdout stays the same, run after run.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One stage of a run, and how long it took.
#[derive(Clone, Debug)]
pub struct Stage {
    pub name: &'static str,
    pub took: Duration,
    /// The bytes it read, for the stage that reads the logs.
    pub bytes: Option<u64>,
}

/// The stages timed so far; `None` while recording is off.
static STAGES: Mutex<Option<Vec<Stage>>> = Mutex::new(None);

/// Starts recording the stages of this run.
pub fn record() {
    *STAGES.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
}

/// Runs `work` as the stage `name`, its time recorded when recording is on.
pub fn stage<T>(name: &'static str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    add(Stage {
        name,
        took: start.elapsed(),
        bytes: None,
    });
    out
}

/// Says that the stage `name`, the last of that name, read `bytes`.
pub fn read_bytes(name: &'static str, bytes: u64) {
    if let Some(stages) = STAGES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        if let Some(stage) = stages.iter_mut().rev().find(|s| s.name == name) {
            stage.bytes = Some(bytes);
        }
    }
}

fn add(stage: Stage) {
    if let Some(stages) = STAGES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        stages.push(stage);
    }
}

/// The stages recorded, in the order they ended; recording stops.
pub fn take() -> Vec<Stage> {
    STAGES.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default()
}

/// A stage as the line `--timings` prints: its name, seconds, and for the stage that
/// read the logs, its bytes and their rate.
pub fn line(stage: &Stage) -> String {
    let seconds = stage.took.as_secs_f64();
    let mut line = format!("{:<9} {seconds:>8.3} s", stage.name);
    if let Some(bytes) = stage.bytes {
        let rate = if seconds > 0.0 { bytes as f64 / seconds / 1e6 } else { 0.0 };
        line.push_str(&format!("  {} bytes, {rate:.0} MB/s", crate::text::thousands(bytes)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_line_says_its_time_and_what_it_read() {
        let scan = Stage {
            name: "scan",
            took: Duration::from_millis(500),
            bytes: Some(1_000_000_000),
        };
        assert_eq!(line(&scan), "scan         0.500 s  1,000,000,000 bytes, 2000 MB/s");
        let clocks = Stage {
            name: "clocks",
            took: Duration::from_micros(1500),
            bytes: None,
        };
        assert_eq!(line(&clocks), "clocks       0.002 s");
    }
}
