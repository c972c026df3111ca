//! Wrapped lines (container runtimes, compose, Loki, log shippers): any bytes, read as
//! their head's readings say, and as each wrapper. Nothing panics or hangs, every outer
//! line gives exactly one line (so that citations keep the file's line numbers), and a
//! mapped range and a stream give the same lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::source::{readings_of, streamed_unwrapped_lines, unwrapped_lines, Wrapper, WrapperKind};

fuzz_target!(|data: &[u8]| {
    let outer = data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    let kinds = [WrapperKind::DockerJson, WrapperKind::Cri, WrapperKind::Loki, WrapperKind::Compose, WrapperKind::Shipper];
    let readings = readings_of(data).into_iter().map(|r| r.wrapper);
    let each_kind = kinds.into_iter().flat_map(|kind| [false, true].map(|stamped| Wrapper { kind, stamped, part: None }));
    for wrapper in readings.chain(each_kind) {
        let (lines, not_records) = unwrapped_lines(wrapper, data);
        let count = lines.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(count, outer, "{wrapper:?}");
        assert!(not_records as usize <= outer);
        assert_eq!(streamed_unwrapped_lines(wrapper, data), lines, "{wrapper:?}");
    }
});
