//! The shapes of tracebacks and stacks, as the runtimes print them: which line names the
//! error (Python's last line, a Java exception or its `Caused by:`, Go's `panic:`), and
//! which lines are only its frames. A person quotes the line that names the error; the
//! scan makes a template of it even where it continues a multi-line entry with no time of
//! its own, and the timeline never takes a frame for a change.

use crate::text::without_program;

/// Whether a message names an exception as a traceback's last line does: a class name
/// ending in `Error` or `Exception` (dotted or not), then `:` and what it said, or
/// nothing (`KeyError: 'eur'`, `java.lang.IllegalStateException: pool closed`,
/// `Caused by: java.net.SocketTimeoutException: Read timed out`); or as Go's runtime
/// starts a crash (src/runtime/panic.go: `panic: ` and the value, `fatal error: ` when it
/// throws), after which the program exits with status 2.
pub fn names_an_exception(message: &str) -> bool {
    let message = without_program(message.trim());
    if ["panic: ", "fatal error: "].iter().any(|go| message.starts_with(go)) {
        return true;
    }
    let message = message.strip_prefix("Caused by: ").unwrap_or(message);
    let name = message.split([':', ' ']).next().unwrap_or_default();
    let rest = &message[name.len()..];
    // Python's and Java's `Class: message`; Rails' `Class (message):`.
    let named_first = is_exception_class(name) && (rest.is_empty() || rest.starts_with(':') || rest.starts_with(" ("));
    // Ruby's uncaught exception: ``app.rb:12:in `settle': message (ClassError)``, with a
    // straight quote since Ruby 3.4 (`in 'Ledger#settle'`).
    let named_last = (message.contains(":in `") || message.contains(":in '"))
        && message
            .strip_suffix(')')
            .and_then(|m| m.rsplit_once(" ("))
            .is_some_and(|(said, class)| !said.is_empty() && is_exception_class(class));
    named_first || named_last
}

/// Whether a word is an exception's class: `KeyError`, `java.lang.IllegalStateException`,
/// `Foo::BarError`.
pub fn is_exception_class(name: &str) -> bool {
    let class = name.rsplit(['.', ':']).next().unwrap_or_default();
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$' | ':'))
        && class.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && (class.ends_with("Error") || class.ends_with("Exception"))
}

/// Whether a message is part of a traceback or a stack (its header, a frame, the code a
/// frame shows, the line that names the error, how many frames were left out): part of a
/// failure, never a change.
pub fn in_a_traceback(message: &str) -> bool {
    let message = without_program(message);
    // The code a Python frame shows (four spaces in), a Java frame (a tab in).
    let indented = message.starts_with("    ") || message.starts_with('\t');
    let trimmed = message.trim_start();
    indented
        || names_an_exception(trimmed)
        || trimmed.starts_with("Traceback (most recent call last)")
        || trimmed.starts_with("File \"")
        || trimmed.starts_with("goroutine ")
        || (trimmed.starts_with("at ") && trimmed.ends_with(')') && trimmed.contains('('))
        || (trimmed.starts_with("... ") && trimmed.ends_with(" more"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_a_traceback_are_known_and_a_change_is_not_one() {
        for line in [
            "python3[3100]: Traceback (most recent call last):",
            "python3[3100]:   File \"/srv/app/feed.py\", line 61, in main",
            "python3[3100]:     rate = rates[currency]",
            "KeyError: 'eur'",
            "\tat com.shop.Pool.get(Pool.java:88)",
            "at com.shop.Pool.get(Pool.java:88)",
            "... 42 more",
            "goroutine 41 [running]:",
        ] {
            assert!(in_a_traceback(line), "{line}");
        }
        for line in [
            "release tool: rolling out checkout 2025.03.04-1",
            "deploy finished at 14:02 (3 hosts)",
            "at last, the cache is warm",
        ] {
            assert!(!in_a_traceback(line), "{line}");
        }
    }

    #[test]
    fn the_line_that_names_the_error_is_told_from_its_frames() {
        for line in [
            "KeyError: 'eur'",
            "python3[3100]: ValueError: invalid literal for int() with base 10: 'x'",
            "java.lang.IllegalStateException: pool closed",
            "Caused by: java.net.SocketTimeoutException: Read timed out",
            "ZeroDivisionError",
            "Error: connect ECONNREFUSED 10.0.0.5:5432",
            "NoMethodError (undefined method `name' for nil:NilClass):",
            "/srv/app/settle.rb:12:in `settle': stock went negative (Ledger::BalanceError)",
            "/srv/app/settle.rb:12:in 'Ledger#settle': stock went negative (Ledger::BalanceError)",
            "ordersvc[4121]: panic: runtime error: index out of range [1] with length 1",
            "fatal error: concurrent map writes",
        ] {
            assert!(names_an_exception(line), "{line}");
        }
        for line in [
            "Traceback (most recent call last):",
            "  File \"/srv/app/feed.py\", line 61, in main",
            "    rate = rates[currency]",
            "\tat com.shop.Pool.get(Pool.java:88)",
            "no Exception: here",
            "errorHandler registered",
            "RuntimeError happened twice",
            "retrying (attempt 2 of 5)",
            "see the manual (ConfigError)",
            "Kernel panic - not syncing: Fatal exception",
            "http: panic serving 10.0.0.7:51234: runtime error: invalid memory address",
        ] {
            assert!(!names_an_exception(line), "{line}");
        }
    }
}
