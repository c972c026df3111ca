//! A rule file with any text: it loads or is refused with problems that name a line;
//! what loads compiles into every format's matcher, which then reads a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::Format;
use postmortem::rules::RuleSet;

fuzz_target!(|text: &str| {
    match RuleSet::from_text("fuzz.toml", text) {
        Ok(rules) => {
            for &format in Format::ALL {
                let matcher = rules.matcher(format);
                let line = b"2024-01-21 15:30:00,123 ERROR shop: Lock wait timeout exceeded on table orders";
                if matcher.hits().next_hit(line, 0).is_some() {
                    let _ = matcher.match_line(line);
                }
            }
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
});
