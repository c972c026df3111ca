//! What ended an incident: an administrator's action, a rollback or deploy, a restart,
//! or a schema change (an index), close to when the mechanism stopped.

use super::weights::{FIX_AFTER_END, FIX_BEFORE_STOP, FIX_TOGETHER};
use super::Incident;
use crate::rules::Category;
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

/// What ended the incident, if an action stands out: of the actions after its start and
/// not in its chain, the one closest to when the mechanism (or, without one, the symptom)
/// stopped, with those taken within a minute or two of it.
pub(super) fn find(incident: &Incident, episodes: &[Episode], mechanism: Option<usize>) -> Option<Fix> {
    let stopped = mechanism.map_or(incident.end, |m| episodes[m].end);
    let in_chain: Vec<usize> = incident.chain.iter().map(|l| l.episode).collect();
    let candidates: Vec<usize> = (0..episodes.len())
        .filter(|i| !in_chain.contains(i))
        .filter(|&i| can_fix(episodes[i].category))
        .filter(|&i| {
            episodes[i].start > incident.start
                && episodes[i].start >= stopped - FIX_BEFORE_STOP
                && episodes[i].start <= incident.end + FIX_AFTER_END
        })
        .collect();
    let action = *candidates.iter().min_by_key(|&&i| ((episodes[i].start - stopped).abs(), i))?;
    let mut together: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| i != action && (episodes[i].start - episodes[action].start).abs() <= FIX_TOGETHER)
        .collect();
    together.sort_by_key(|&i| (episodes[i].start, i));
    Some(Fix { action, together })
}
