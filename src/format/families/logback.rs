//! Spring Boot, Logback and log4j with ISO dates: `… INFO 4242 --- [main] c.s.App : …`,
//! `… INFO [main] c.s.App - …`, `… [main] INFO …`.

use crate::format::levels::{contains_level, starts_with_level};
use crate::format::{Family, SourceKind};

pub struct Logback;

impl Family for Logback {
    const NAME: &'static str = "logback";
    const KIND: SourceKind = SourceKind::App;
    const ABOUT: &'static str = "Spring Boot/Logback/log4j with ISO dates";

    fn looks_like(line: &[u8]) -> bool {
        let Some(stamp) = Self::parse_stamp(line) else { return false };
        let rest = &line[stamp.len..];
        let level_then_thread = starts_with_level(rest) && rest.iter().take(48).any(|&b| b == b'[');
        let thread_then_level = rest.trim_ascii_start().starts_with(b"[") && contains_level(rest);
        level_then_thread || thread_then_level
    }
}
