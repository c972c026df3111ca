//! What ended an incident: the reversal of what set it off, else an administrator's
//! action, a rollback or deploy, or a schema change (an index), close to when the
//! mechanism stopped; a supervisor's own restart only when the recovery followed it.

use super::weights::{FIX_AFTER_END, FIX_BEFORE_STOP, FIX_TOGETHER, RECOVERY_FOLLOWS};
use super::{Incident, Role};
use crate::rules::Category;
use crate::time::Micros;
use crate::timeline::Episode;

/// Categories whose episodes can be a fix.
fn can_fix(category: Category) -> bool {
    matches!(
        category,
        Category::AdminAction | Category::Deploy | Category::Restart | Category::Migration | Category::Maintenance | Category::ConfigChange
    )
}

/// What ended an incident: the action closest to when it stopped, and the actions taken
/// with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The episode (index) closest to when the mechanism stopped.
    pub action: usize,
    /// Other actions within [`FIX_TOGETHER`] of it, in time order.
    pub together: Vec<usize>,
}

/// What ended the incident, if an action stands out. Of the actions after its start and
/// not in its chain, from a little before the mechanism stopped (`stopped`; without one,
/// the symptom) to a little after the recovery:
///
/// 1. one that reverses the trigger (the same values back, see [`reverses`]), the first;
/// 2. else one a person or a tool took (not what a supervisor did by itself), the one
///    closest to when it stopped, or the first of those taken together with it;
/// 3. else a supervisor's restart, only when the recovery followed it within
///    [`RECOVERY_FOLLOWS`]: a restart right after a crash, with failures going on, ended
///    nothing.
///
/// The actions taken within a minute or two of it are part of the fix.
pub(super) fn find(incident: &Incident, episodes: &[Episode], stopped: Option<Micros>) -> Option<Fix> {
    let stopped = stopped.unwrap_or(incident.end);
    let in_chain: Vec<usize> = incident.chain.iter().map(|l| l.episode).collect();
    let trigger = incident.link(Role::Trigger).map(|l| &episodes[l.episode]);
    // A change no rule names is an action too where it puts back what the trigger, a
    // change no rule names in the same log, changed (a switch toggled back).
    let puts_back = |i: usize| {
        let e = &episodes[i];
        trigger.is_some_and(|t| t.category == Category::Change && e.category == Category::Change && e.group == t.group && reverses(t, e))
    };
    let candidates: Vec<usize> = (0..episodes.len())
        .filter(|i| !in_chain.contains(i))
        .filter(|&i| can_fix(episodes[i].category) || puts_back(i))
        .filter(|&i| {
            episodes[i].start > incident.start
                && episodes[i].start >= stopped - FIX_BEFORE_STOP
                && episodes[i].start <= incident.end + FIX_AFTER_END
        })
        .collect();
    let closest = |pool: Vec<usize>| pool.into_iter().min_by_key(|&i| ((episodes[i].start - stopped).abs(), i));
    let by_supervisor = |i: &usize| episodes[*i].category == Category::Restart;
    let reversal = candidates
        .iter()
        .copied()
        .filter(|&i| trigger.is_some_and(|t| reverses(t, &episodes[i])))
        .min_by_key(|&i| (episodes[i].start, i));
    let action = reversal
        .or_else(|| closest(candidates.iter().copied().filter(|i| !by_supervisor(i)).collect()))
        .or_else(|| {
            closest(
                candidates
                    .iter()
                    .copied()
                    .filter(|&i| {
                        // Before the recovery, and close to it: nothing recovered while ongoing.
                        !incident.ongoing && episodes[i].start <= incident.end && incident.end - episodes[i].start <= RECOVERY_FOLLOWS
                    })
                    .collect(),
            )
        })?;
    let mut together: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| i != action && (episodes[i].start - episodes[action].start).abs() <= FIX_TOGETHER)
        .collect();
    // Of actions taken together (a script killed, then the connections it held cut), the
    // first is where the fix began, as the first of a change's steps is where it began;
    // a reversal of the trigger is the fix whatever came with it, and a line that is only
    // rare (a change no rule names) is not where a fix began.
    let action = match together
        .iter()
        .copied()
        .filter(|&i| !by_supervisor(&i) && episodes[i].category != Category::Change)
        .min_by_key(|&i| (episodes[i].start, i))
    {
        Some(first) if reversal.is_none() && episodes[first].start < episodes[action].start => {
            together.retain(|&i| i != first);
            together.push(action);
            first
        }
        _ => action,
    };
    together.sort_by_key(|&i| (episodes[i].start, i));
    Some(Fix { action, together })
}

/// A line's tokens, split at blanks and at what separates a setting from its value.
fn tokens(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '/' | '=' | ',' | ';' | '"' | '\''))
        .filter(|t| !t.is_empty())
}

/// The values of a line: its tokens that hold a digit (`64`, `3.2.0-1`, `8`), in order.
fn values(line: &str) -> Vec<&str> {
    tokens(line).filter(|t| t.bytes().any(|b| b.is_ascii_digit())).collect()
}

/// States a switch is set to, each with its opposite, as people and programs write them.
const OPPOSITES: [(&str, &str); 5] = [
    ("on", "off"),
    ("enabled", "disabled"),
    ("enable", "disable"),
    ("true", "false"),
    ("yes", "no"),
];

/// Whether `a` is `t` with each state it sets turned to its opposite, and nothing else
/// changed (`maintenance mode ON` → `maintenance mode OFF`; `enabled=true` →
/// `enabled=false`).
fn flips_back(t: &str, a: &str) -> bool {
    // A state may stand with punctuation around it (`mode ON.`, `(enabled)`).
    fn trim(token: &str) -> &str {
        token.trim_matches(|c: char| matches!(c, '.' | ':' | '(' | ')' | '[' | ']'))
    }
    let (before, after): (Vec<&str>, Vec<&str>) = (tokens(t).map(trim).collect(), tokens(a).map(trim).collect());
    let opposite = |x: &str, y: &str| {
        OPPOSITES.iter().any(|(p, q)| {
            (x.eq_ignore_ascii_case(p) && y.eq_ignore_ascii_case(q)) || (x.eq_ignore_ascii_case(q) && y.eq_ignore_ascii_case(p))
        })
    };
    let mut differ = before.iter().zip(&after).filter(|(x, y)| x != y).peekable();
    before.len() == after.len() && differ.peek().is_some() && differ.all(|(x, y)| opposite(x, y))
}

/// Whether `action` puts back what `trigger` changed: lines of the same rule (or
/// category) with the same values in another order (`s/workers = 64/workers = 8/`, then
/// `s/workers = 8/workers = 64/`; `3.1.0-1 3.2.0-1`, then `3.2.0-1 3.1.0-1`), or with
/// the states it set turned back ([`flips_back`]).
pub fn reverses(trigger: &Episode, action: &Episode) -> bool {
    let (Some(t), Some(a)) = (&trigger.first_line, &action.first_line) else {
        return false;
    };
    if trigger.signal != action.signal && trigger.category != action.category {
        return false;
    }
    // What was done: the command a rule captured (not who ran it, from where, on which
    // terminal), else the message.
    fn done(line: &crate::scan::hits::FirstLine) -> &str {
        line.fields
            .iter()
            .find(|(name, _)| &**name == "command")
            .map_or(&*line.message, |(_, command)| &**command)
    }
    let (t, a) = (done(t), done(a));
    if flips_back(t, a) {
        return true;
    }
    let (before, after) = (values(t), values(a));
    if before.len() < 2 || before == after {
        return false;
    }
    // The same words around them: `s/timeout = 8/timeout = 64/` puts back no `workers`.
    let (mut words_before, mut words_after) = (words(t), words(a));
    words_before.sort_unstable();
    words_after.sort_unstable();
    let (mut sorted_before, mut sorted_after) = (before, after);
    sorted_before.sort_unstable();
    sorted_after.sort_unstable();
    sorted_before == sorted_after && words_before == words_after
}

/// The words of a line: its tokens that hold no digit.
fn words(line: &str) -> Vec<&str> {
    tokens(line).filter(|t| !t.bytes().any(|b| b.is_ascii_digit())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::SourceKind;
    use crate::scan::hits::Signal;

    fn said(category: Category, message: &str) -> Episode {
        Episode::said(category, SourceKind::System, "auth.log", message)
    }

    #[test]
    fn a_reversal_puts_the_same_values_back() {
        let edit = said(Category::AdminAction, "COMMAND=/usr/bin/sed -i s/pool = 64/pool = 8/ /etc/app.ini");
        let back = said(Category::AdminAction, "COMMAND=/usr/bin/sed -i s/pool = 8/pool = 64/ /etc/app.ini");
        assert!(reverses(&edit, &back));
        let upgrade = said(Category::Deploy, "upgrade app:amd64 3.1.0-1 3.2.0-1");
        let downgrade = said(Category::Deploy, "upgrade app:amd64 3.2.0-1 3.1.0-1");
        assert!(reverses(&upgrade, &downgrade));
        // Decoys: the same command again, another value, an action of another kind, a
        // line with one value.
        assert!(!reverses(&edit, &edit.clone()));
        let other = said(Category::AdminAction, "COMMAND=/usr/bin/sed -i s/pool = 8/pool = 32/ /etc/app.ini");
        assert!(!reverses(&edit, &other));
        let elsewhere = said(
            Category::AdminAction,
            "COMMAND=/usr/bin/sed -i s/timeout = 8/timeout = 64/ /etc/db.ini",
        );
        assert!(!reverses(&edit, &elsewhere));
        let mut restart = said(Category::Restart, "Started app 8 64");
        restart.signal = Signal::Rule(2);
        assert!(!reverses(&edit, &restart));
        // Another administrator, from another folder and terminal, puts it back: what
        // counts is the command a rule captured.
        let by = |who: &str, tty: u32, command: &str| {
            let mut e = said(
                Category::AdminAction,
                &format!("sudo: {who} : TTY=pts/{tty} ; PWD=/home/{who} ; USER=root ; COMMAND={command}"),
            );
            if let Some(line) = e.first_line.as_mut() {
                std::sync::Arc::make_mut(line).fields = vec![("command".into(), command.into())];
            }
            e
        };
        assert!(reverses(
            &by("erin", 4, "/usr/bin/sed -i s/pool = 64/pool = 8/ /etc/app.ini"),
            &by("femi", 1, "/usr/bin/sed -i s/pool = 8/pool = 64/ /etc/app.ini")
        ));
        let once = said(Category::AdminAction, "COMMAND=/usr/bin/systemctl restart app2");
        assert!(!reverses(&once, &once.clone()));
    }

    #[test]
    fn a_switch_turned_back_is_a_reversal() {
        let on = said(Category::Change, "maintenance mode 'eu' set ON for all tenants");
        let off = said(Category::Change, "maintenance mode 'eu' set OFF for all tenants");
        assert!(reverses(&on, &off));
        let enabled = said(Category::Change, "flag new_checkout enabled=true rollout=100");
        assert!(reverses(
            &enabled,
            &said(Category::Change, "flag new_checkout enabled=false rollout=100")
        ));
        // A state beside punctuation.
        assert!(reverses(
            &said(Category::Change, "read-only mode (enabled) by operator"),
            &said(Category::Change, "read-only mode (disabled) by operator")
        ));
        // Decoys: another one turned on, the same line again, the mode off for some
        // tenants only, a state turned back along with another word.
        assert!(!reverses(
            &on,
            &said(Category::Change, "maintenance mode 'us' set ON for all tenants")
        ));
        assert!(!reverses(&on, &on.clone()));
        assert!(!reverses(
            &on,
            &said(Category::Change, "maintenance mode 'eu' set OFF for some tenants")
        ));
        assert!(!reverses(
            &on,
            &said(Category::Change, "maintenance mode 'us' set OFF for all tenants")
        ));
    }
}
