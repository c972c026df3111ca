//! Spring Boot, Logback and log4j with ISO dates: `… INFO 4242 --- [main] c.s.App : …`,
//! `… INFO [main] c.s.App - …`, `… [main] INFO …`.

use crate::format::levels::{contains_level, generic_head, starts_with_level};
use crate::format::{Family, Head, SourceKind};

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

    /// The level, then the message: in Spring Boot's layout (`%5p ${PID} --- [%t]
    /// %-40.40logger{39} : %m`, and since 3.2 `--- [app] [%t] …`), after the logger's
    /// ` : `, not the pid, thread and logger before it.
    fn head(line: &[u8], stamp_end: usize) -> Option<Head<'_>> {
        let head = generic_head(line.get(stamp_end..)?);
        Some(Head {
            message: spring_boot_message(head.message).unwrap_or(head.message),
            ..head
        })
    }
}

/// What follows Spring Boot's `4242 --- [thread] logger : `, when the message starts so.
fn spring_boot_message(message: &[u8]) -> Option<&[u8]> {
    let digits = message.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = message.get(digits..)?.strip_prefix(b" --- [")?;
    let logger_end = crate::format::find_short(rest, b" : ")?;
    Some(&rest[logger_end + 3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spring_boot_line_says_its_message_after_the_logger() {
        let line = b"2025-03-04T12:00:01.123Z ERROR 4242 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception";
        let stamp = Logback::parse_stamp(line).unwrap().len;
        let head = Logback::head(line, stamp).unwrap();
        assert_eq!(head.level, Some(crate::format::Level::Error));
        assert_eq!(head.message, b"Servlet.service() threw exception");
        // Spring Boot 3.2's application name, and a plain logback line.
        let line = b"2025-03-04T12:00:01.123Z  INFO 4242 --- [stock] [main] c.a.App : started";
        assert_eq!(
            Logback::head(line, Logback::parse_stamp(line).unwrap().len).unwrap().message,
            b"started"
        );
        let line = b"2025-03-04 12:00:01.123 [main] INFO c.a.App - started : ok";
        assert_eq!(
            Logback::head(line, Logback::parse_stamp(line).unwrap().len).unwrap().message,
            b"c.a.App - started : ok"
        );
    }
}
