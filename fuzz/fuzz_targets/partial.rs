//! Scan partials: any bytes as a partial's body (the postcard encoding, past the header and
//! the zstd frame, whose checksum would turn almost every mutation away) and as a whole
//! partial file. Nothing panics, hangs or asks for unbounded memory: a body is refused with
//! a one-line reason, or it passes the checks and its files are put together as a run's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::scan::partial::{self, Partial};
use postmortem::scan::ScanOptions;
use std::sync::OnceLock;

/// The built-in rules, compiled once for all inputs.
static RULES: OnceLock<postmortem::rules::RuleSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let rules = RULES.get_or_init(|| postmortem::rules::RuleSet::load(&[], true).expect("the built-in rules load"));
    let options = ScanOptions::default();
    if let Err(why) = Partial::decode(data) {
        assert!(!why.contains('\n'));
    }
    match Partial::from_body(data) {
        Ok(read) => {
            if read.check(rules.rules().len()).is_ok() {
                let result = partial::combine(read.files, &options);
                let _ = postmortem::timeline::build(result, rules);
            }
        }
        Err(why) => assert!(!why.contains('\n')),
    }
});
