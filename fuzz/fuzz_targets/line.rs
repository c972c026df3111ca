//! Each format's line parser on any line: where the timestamp is, the timestamp, the
//! level, message and detail (a JSON record's error field) of its head, and the request
//! fields of access lines and their details (user agent, upstream, host), each within the
//! line; a JSON log's class fields. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, line)) = data.split_first() else { return };
    let format = Format::ALL[usize::from(pick) % Format::ALL.len()];
    if let Some(at) = format.stamp_at(line) {
        if let Some(stamp) = format.parse_stamp(at) {
            assert!(stamp.len <= at.len());
            let stamp_end = line.len() - at.len() + stamp.len;
            if let Some(head) = format.head(line, stamp_end) {
                // What a template and a quote are made of is within the line.
                assert!(head.message.len() <= line.len() && head.detail.len() <= line.len());
                let _ = postmortem::scan::templates::key_with(head.message, head.detail);
            }
        }
    }
    if let Some(request) = format.request(line) {
        assert!((100..600).contains(&request.status), "{}", request.status);
        let details = format.details(line, request.details_at as usize);
        for value in [&details.user_agent, &details.upstream, &details.host].into_iter().flatten() {
            assert!(value.len() <= line.len());
        }
    }
    // A JSON log's class fields, chosen from the bytes as from a head, then read from
    // them as from a line: bounded in number, name and value.
    let classes = postmortem::format::app_keys::classes_in_head(line, |_, _| false);
    assert!(classes.len() <= postmortem::format::app_keys::MAX_CLASS_KEYS);
    postmortem::format::app_keys::class_values(line, &classes, |index, value| {
        assert!(index < classes.len() && value.len() <= postmortem::format::app_keys::MAX_CLASS_VALUE);
    });
});
