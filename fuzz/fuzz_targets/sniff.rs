//! Format detection on any head of a file, then the sniffed format's parsers on each of
//! its lines: nothing may panic, loop or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::sniff;

fuzz_target!(|head: &[u8]| {
    let sniffed = sniff(head);
    assert!(sniffed.matched <= sniffed.sampled);
    for line in head.split(|&b| b == b'\n') {
        if let Some(at) = sniffed.format.stamp_at(line) {
            let _ = sniffed.format.parse_stamp(at);
        }
        let _ = sniffed.format.request(line);
    }
});
