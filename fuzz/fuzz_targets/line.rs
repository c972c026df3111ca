//! Each format's line parser on any line: where the timestamp is, the timestamp, and the
//! request fields of access lines. The first byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, line)) = data.split_first() else { return };
    let format = Format::ALL[usize::from(pick) % Format::ALL.len()];
    if let Some(at) = format.stamp_at(line) {
        if let Some(stamp) = format.parse_stamp(at) {
            assert!(stamp.len <= at.len());
        }
    }
    if let Some(request) = format.request(line) {
        assert!((100..600).contains(&request.status), "{}", request.status);
    }
});
