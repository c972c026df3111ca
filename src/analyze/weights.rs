//! Every number the analysis weighs evidence with, in one place, with its reason. They
//! were set on the seed scenarios (the five outages of `fixtures/scenarios`) and are
//! pinned by the unit tests beside them: change one and those say what moved.

use crate::format::SourceKind;
use crate::rules::Category;
use crate::time::Micros;

const MINUTE: Micros = 60 * 1_000_000;

/// Symptom episodes closer than this belong to one incident: an error spike that pauses
/// for a few minutes and comes back is the same outage seen twice.
pub const INCIDENT_MERGE_GAP: Micros = 10 * MINUTE;

/// How much a mechanism's category says about a cause; `None` for categories that are
/// not mechanisms. A corrupt table explains failures outright; a lock or a dry pool
/// nearly so; slow queries and database errors often; an upstream error only says that
/// something behind the web server failed; an application's error says little, and a
/// restart least: it is a supervisor's answer to a failure, which, where a line names it
/// (a panic, an exception), says more.
pub fn specificity(category: Category) -> Option<f64> {
    Some(match category {
        Category::DbCorruption => 1.0,
        Category::TableLock | Category::PoolExhaustion => 0.95,
        Category::Deadlock | Category::ResourceExhaustion => 0.9,
        Category::SlowQuery | Category::DbError => 0.8,
        Category::UpstreamError => 0.55,
        Category::AppError => 0.2,
        Category::Restart => 0.15,
        _ => return None,
    })
}

/// Deeper layers are likelier causes of what the layers above them show: the web server
/// reports what the application suffered, which reports what the database did.
pub fn layer(kind: SourceKind) -> f64 {
    match kind {
        SourceKind::System => 1.0,
        SourceKind::Db => 0.95,
        SourceKind::App => 0.8,
        SourceKind::Web => 0.6,
    }
}

/// How well a trigger explains a mechanism: maintenance and migrations lock and slow
/// the database; a release changes code and pools; a surge exhausts capacity. A config
/// change, a command an administrator ran or a cron job may cause anything, so they fit
/// any mechanism, less well.
pub fn compatibility(trigger: Category, mechanism: Option<Category>) -> f64 {
    use Category::*;
    match (trigger, mechanism) {
        (Maintenance | Migration, Some(TableLock | SlowQuery | DbCorruption | Deadlock | DbError)) => 1.0,
        (Deploy, Some(PoolExhaustion | AppError | SlowQuery | UpstreamError | DbError | Deadlock)) => 1.0,
        (TrafficSurge, Some(SlowQuery | PoolExhaustion | ResourceExhaustion | UpstreamError)) => 1.0,
        (ConfigChange | AdminAction, _) => 0.8,
        (CronJob, _) => 0.7,
        _ => 0.5,
    }
}

/// A mechanism a rule names with at least this specificity (a lock, a pool, a full disk,
/// slow queries: a resource or a state) outranks any that a rule names less well (an
/// application's error, a proxy's upstream error, a restart) or none does.
pub const NAMED_MECHANISM: f64 = 0.8;

/// A message no rule names, at warning level or above, is a mechanism only when it is new
/// at the onset (first seen within the mechanism's window) or bursting: then it says how
/// it failed, about as much as a slow query does. One there all along says nothing.
pub const NEW_AT_ONSET: f64 = 0.6;

/// A mechanism is under way when the symptom starts: begun up to this long before it …
pub const MECHANISM_LEAD: Micros = 30 * MINUTE;
/// … or this long after (the first lines of a lock may be logged after the first 5xx) …
pub const MECHANISM_LAG: Micros = 15 * MINUTE;
/// … and not over more than this long before the symptom starts.
pub const MECHANISM_ENDED_BEFORE: Micros = 5 * MINUTE;
/// A mechanism that began within this of the symptom's start counts as on time.
pub const MECHANISM_ON_TIME: Micros = MINUTE;
/// What a mechanism loses for starting early, at [`MECHANISM_LEAD`]: a little, because
/// causes do come first.
pub const EARLY_PENALTY: f64 = 0.3;
/// What it loses for starting late, at [`MECHANISM_LAG`]: more, because an effect of the
/// outage (errors that follow the failures) starts late too.
pub const LATE_PENALTY: f64 = 0.6;
/// Half of a mechanism's score is how much of the symptom it spans: a cause lasts as
/// long as its effect; half is granted to any candidate in the window.
pub const SPAN_SHARE: f64 = 0.5;
/// A mechanism seen once scores this share of one seen often ([`REPEATED_AT`] lines or
/// more), growing with the logarithm of its count in between: one line may be noise.
pub const SINGLE_LINE_SHARE: f64 = 0.7;
pub const REPEATED_AT: f64 = 100.0;

/// A trigger comes before the mechanism; one logged up to this long after it still
/// counts (clocks and log buffering differ between hosts).
pub const TRIGGER_LATE_BY: Micros = 2 * MINUTE;
/// What a trigger loses for being as early as the whole `--lookback`: half. A deploy the
/// night before can cause an outage at the next peak, but a closer one is likelier.
pub const TRIGGER_AGE_PENALTY: f64 = 0.5;
/// An episode whose rule and subject come this many times or more in one source is
/// routine (the same job every ten minutes) …
pub const ROUTINE_AT: usize = 3;
/// … and keeps this share of its trigger score.
pub const ROUTINE_SHARE: f64 = 0.2;
/// A change no rule names (a rare line, see `timeline::changes`) fits any mechanism, less
/// well than a deploy or a migration fits theirs …
pub const CHANGE_COMPATIBILITY: f64 = 0.6;
/// … and the nearer it stands before the onset, the likelier: at this many minutes before,
/// it keeps half its weight. Only when no rule names a trigger is it a trigger.
pub const CHANGE_HALF_MINUTES: f64 = 15.0;

/// A change that names nothing that failed (a restart of another service, a file the
/// failing lines never mention) may still have set it off through what they share (a
/// host's memory, a cache), but that shows within minutes: at this many minutes before
/// the onset it keeps half its weight, as a change no rule names does. One that names
/// what failed decays over the whole `--lookback` ([`TRIGGER_AGE_PENALTY`]).
pub const UNRELATED_HALF_MINUTES: f64 = CHANGE_HALF_MINUTES;

/// What a change keeps of its weight `before` (µs) the onset, halving at `half_minutes`.
pub fn halved_at(before: Micros, half_minutes: f64) -> f64 {
    1.0 / (1.0 + before as f64 / MINUTE as f64 / half_minutes)
}

/// Triggers scoring less are not worth naming.
pub const MIN_TRIGGER_SCORE: f64 = 0.2;
/// A cron job started at most this long before a maintenance or migration is where it
/// came from (the command's first statement follows within seconds).
pub const ORIGIN_WITHIN: Micros = 5 * MINUTE;
/// A second mechanism of another category scoring at least this share of the first
/// runs alongside it and is part of the story (a migration's lock waits and its slow
/// queries).
pub const NEAR_TIE: f64 = 0.8;
/// Alternatives listed, at most.
pub const ALTERNATIVES: usize = 4;

/// Confidence in a chain from its trigger's and mechanism's scores: both found, their
/// mean; a mechanism alone, most of its score (what set it off is unknown); a trigger
/// alone, half of its score (how it caused the symptom is unknown).
pub fn confidence(trigger: Option<f64>, mechanism: Option<f64>) -> f64 {
    match (trigger, mechanism) {
        (Some(t), Some(m)) => (0.5 * m + 0.5 * t).min(1.0),
        (None, Some(m)) => 0.6 * m,
        (Some(t), None) => 0.5 * t,
        (None, None) => 0.0,
    }
}

/// An echo does not lead the failures: lines that began more than this before users saw
/// errors were there first, and are not a copy of them (a bucket of the series, and the
/// seconds by which two hosts' clocks or buffers may differ).
pub const ECHO_NO_LEAD: Micros = MINUTE;
/// Lines whose per-minute counts move with the failed requests' at least this closely
/// (Pearson's r over the incident and the time before it) track them …
pub const ECHO_CORRELATION: f64 = 0.8;
/// … and with between these many lines per failed request they are one line for each:
/// an echo. A mechanism that tracks the failures too (a lock waited on by some of the
/// requests) is written far less or far more often than once a request.
pub const ECHO_PER_FAILURE: (f64, f64) = (0.5, 2.0);

/// A condition reprinted by its writer (a pool still full, an alarm still set) is one
/// condition while each gap is at most this many times the first …
pub const REPRINT_SLACK: f64 = 1.5;
/// … and no longer than this: a writer that reprints a state reprints it within minutes.
pub const REPRINT_WITHIN: Micros = 15 * MINUTE;

/// The fix is looked for from this long before the mechanism stopped …
pub const FIX_BEFORE_STOP: Micros = 10 * MINUTE;
/// … to this long after the symptom's end (recovery shows a little after the action).
pub const FIX_AFTER_END: Micros = 5 * MINUTE;
/// A supervisor's own restart (systemd, after a crash) ended the incident only when the
/// symptom was back at its baseline within this after it: a restart that failures
/// outlast by more fixed nothing.
pub const RECOVERY_FOLLOWS: Micros = 5 * MINUTE;
/// Actions this close to the fix are part of it: the commands of one fix are typed within
/// a minute or two of each other (kill the script, then its query).
pub const FIX_TOGETHER: Micros = 2 * MINUTE;

/// Endpoints named as hardest hit, at most.
pub const HARDEST_HIT: usize = 5;
/// Flags a proxy gave failed requests, named at most: the few that carry
/// the failures (a proxy that failed most requests for no healthy upstream, a few for
/// a timeout).
pub const PROXY_REASONS: usize = 3;
/// An endpoint is hit hard only with at least this many requests in the window …
pub const HIT_MIN_REQUESTS: u64 = 20;
/// … and this share of the window's requests (an endpoint with 5 of 3,656 failed is not
/// what users met) …
pub const HIT_MIN_SHARE: f64 = 0.01;
/// … of which at least this share failed.
pub const HIT_MIN_RATIO: f64 = 0.1;

/// The size of an incident worth a postmortem, where an access log covers it: it lasts at
/// least this long (the defaults of `--min-duration` and `--min-failed`) …
pub const MIN_INCIDENT_DURATION: Micros = 5 * MINUTE;
/// … and fails at least this many requests. Less is a blip (the few seconds of 503s of a
/// routine restart): noted, not drafted.
pub const MIN_FAILED_REQUESTS: u64 = 50;
/// An endpoint is called unaffected only with this many requests and none failed: a
/// single lucky request says nothing.
pub const UNAFFECTED_MIN_REQUESTS: u64 = 10;
