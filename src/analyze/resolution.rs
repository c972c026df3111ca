//! What ended an incident: an administrator's action, a rollback or deploy, a restart,
//! or a schema change (an index), close to when the mechanism stopped.

use super::weights::{FIX_AFTER_END, FIX_BEFORE_STOP};
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

/// The episode (index) that ended the incident, if one stands out: of the actions after
/// its start and not in its chain, the one closest to when the mechanism (or, without
/// one, the symptom) stopped.
pub(super) fn find(incident: &Incident, episodes: &[Episode], mechanism: Option<usize>) -> Option<usize> {
    let stopped = mechanism.map_or(incident.end, |m| episodes[m].end);
    let in_chain: Vec<usize> = incident.chain.iter().map(|l| l.episode).collect();
    (0..episodes.len())
        .filter(|i| !in_chain.contains(i))
        .filter(|&i| can_fix(episodes[i].category))
        .filter(|&i| {
            episodes[i].start > incident.start
                && episodes[i].start >= stopped - FIX_BEFORE_STOP
                && episodes[i].start <= incident.end + FIX_AFTER_END
        })
        .min_by_key(|&i| ((episodes[i].start - stopped).abs(), i))
}
