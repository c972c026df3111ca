//! Every timestamp parser on any bytes; what parses is resolved to an instant in a zone
//! with daylight saving time, and that instant printed (RFC 3339, milliseconds) and read
//! back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::time::{self, TimeContext, YearPlan, Zone};

fuzz_target!(|text: &[u8]| {
    let parsers: [fn(&[u8]) -> Option<time::RawStamp>; 9] = [
        time::parse_iso,
        time::parse_clf,
        time::parse_syslog,
        time::parse_ctime,
        time::parse_mysql_short,
        time::parse_log4j_short,
        time::parse_glog,
        time::parse_epoch,
        time::parse_any,
    ];
    let zone: Zone = "America/New_York".parse().expect("a known zone");
    for parse in parsers {
        let Some(stamp) = parse(text) else { continue };
        assert!(stamp.len <= text.len());
        let mut ctx = TimeContext::new(
            zone,
            YearPlan {
                first_year: 2024,
                first_month: 1,
            },
        );
        if let Some(instant) = ctx.resolve(&stamp) {
            // Printed to the millisecond: read back, the instant cut to its millisecond.
            let printed = time::rfc3339_utc(instant);
            let again = time::parse_iso(printed.as_bytes()).and_then(|s| ctx.resolve(&s));
            assert_eq!(again, Some(instant.div_euclid(1000) * 1000), "{printed}");
        }
    }
});
