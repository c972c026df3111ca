//! Format detection on any head of a file, then the sniffed format's parsers on each of
//! its lines, and the fields the head names read from each (by the layout of the records
//! before, as by a walk of each alone): nothing may panic, loop or allocate without
//! bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::{sniff, RecordLayout};

fuzz_target!(|head: &[u8]| {
    let sniffed = sniff(head);
    assert!(sniffed.matched <= sniffed.sampled);
    // The fields or columns the head names (a JSON access log's, W3C's), as a file is
    // read by them.
    let columns = sniffed.format.columns_of(head);
    let mut layout = RecordLayout::default();
    for line in head.split(|&b| b == b'\n') {
        if let Some(at) = sniffed.format.stamp_at(line) {
            let _ = sniffed.format.parse_stamp(at);
        }
        if let Some(request) = sniffed.format.request(line) {
            let _ = sniffed.format.details_in(line, request.details_at as usize, columns.as_ref());
        }
        if let Some(columns) = &columns {
            if let Some(at) = columns.stamp_at(line) {
                let _ = columns.parse_stamp(at);
            }
            // Read by the layout of the records before it, a line reads as it reads alone.
            let request = columns.request(line, &mut layout);
            assert_eq!(request, columns.request(line, &mut RecordLayout::default()));
            if let Some(request) = request {
                assert!((100..600).contains(&request.status), "{}", request.status);
            }
        }
    }
});
