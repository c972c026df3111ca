//! Log text is untrusted: it may carry ANSI escape sequences that would drive a terminal,
//! control characters, or invalid UTF-8. Every message leaves the scan through
//! [`clean_line`], so no renderer ever sees raw log bytes.

/// How many characters of a line an event keeps as its message.
pub const MESSAGE_CHARS: usize = 400;

/// The line as one printable line of text: invalid UTF-8 replaced, ANSI escape
/// sequences removed, tabs turned into spaces, other control characters dropped, and
/// cut at `max_chars` with an ellipsis.
pub fn clean_line(line: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out = String::with_capacity(text.len().min(max_chars + 3));
    let mut chars = text.chars().peekable();
    let mut kept = 0;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
            continue;
        }
        let c = if c == '\t' { ' ' } else { c };
        // C0 and C1 controls, DEL, and the Unicode bidi overrides that can disguise text.
        if c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c) {
            continue;
        }
        if kept == max_chars {
            out.push('…');
            break;
        }
        out.push(c);
        kept += 1;
    }
    out.truncate(out.trim_end().len());
    out
}

/// `1,234`
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Skips the rest of an escape sequence after ESC: CSI (`ESC [ … final`), OSC
/// (`ESC ] … BEL` or `ESC ] … ESC \`), or a two-character sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']') | Some('P') | Some('_') | Some('^') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                    chars.next();
                    break;
                }
            }
        }
        _ => {}
    }
}

/// What joins a record's message and its detail (a structured error) in its template and
/// its quote: `request failed: dial tcp 10.0.0.5:5432: connect: connection refused`.
pub const DETAIL_JOIN: &[u8] = b": ";

/// A message with its detail, as one text of which at most `chars` characters are shown
/// (borrowed where there is no detail; each part cut to what could show, so a field of
/// megabytes is never copied whole).
pub fn joined<'a>(message: &'a [u8], detail: &[u8], chars: usize) -> std::borrow::Cow<'a, [u8]> {
    if detail.is_empty() {
        return message.into();
    }
    // A character is at most four bytes, and a cut through one shows as one replacement:
    // the text is cut to `chars` after. (Control characters and escape sequences, which
    // `clean_line` drops, can make what shows of a hostile message shorter.)
    let bound = chars.saturating_mul(4);
    [
        &message[..message.len().min(bound)],
        DETAIL_JOIN,
        &detail[..detail.len().min(bound)],
    ]
    .concat()
    .into()
}

/// A shell pattern naming files, by `globset`: `*` and `?` stay within one part of a
/// path, `**` crosses parts, `[…]` is a class and `{a,b}` either. A pattern without `/`
/// is matched against the file's name alone (`*.log`), one with `/` against the whole
/// path (`db/**`).
#[derive(Clone, Debug)]
pub struct PathPattern {
    text: String,
    matcher: globset::GlobMatcher,
}

impl PathPattern {
    /// The pattern, or why it is not one (an unclosed `[`, `{`).
    pub fn new(text: &str) -> Result<PathPattern, globset::Error> {
        let matcher = globset::GlobBuilder::new(text).literal_separator(true).build()?.compile_matcher();
        Ok(PathPattern {
            text: text.to_string(),
            matcher,
        })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, path: &str) -> bool {
        let subject = if self.text.contains('/') {
            path
        } else {
            path.rsplit('/').next().unwrap_or(path)
        };
        self.matcher.is_match(subject)
    }
}

/// Two patterns are the same when they are spelt the same.
impl PartialEq for PathPattern {
    fn eq(&self, other: &PathPattern) -> bool {
        self.text == other.text
    }
}

impl Eq for PathPattern {}

/// A message without the `program[pid]: ` a syslog line starts it with: what is quoted
/// is what the program said. The kernel's tag has no pid (`kernel: `) and its messages
/// start with the seconds since boot (`[812345.123456] `, printk's prefix): both go.
pub fn without_program(message: &str) -> &str {
    if let Some(said) = message.strip_prefix("kernel: ") {
        return without_uptime(said);
    }
    let Some(colon) = message.find("]: ") else {
        return without_uptime(message);
    };
    let tag = &message[..colon];
    match tag.split_once('[') {
        Some((program, pid))
            if !program.is_empty()
                && program
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
                && pid.chars().all(|c| c.is_ascii_digit()) =>
        {
            &message[colon + 3..]
        }
        _ => without_uptime(message),
    }
}

/// A kernel message without printk's `[ 5.123456] ` (seconds since boot, dmesg's and
/// syslog's prefix): it varies, and says nothing a reader needs beside the line's time.
fn without_uptime(message: &str) -> &str {
    let Some(rest) = message.strip_prefix('[') else { return message };
    let Some((stamp, said)) = rest.split_once("] ") else {
        return message;
    };
    let stamp = stamp.trim_start();
    let is_uptime = stamp.split_once('.').is_some_and(|(seconds, fraction)| {
        !seconds.is_empty()
            && seconds.bytes().all(|b| b.is_ascii_digit())
            && fraction.len() == 6
            && fraction.bytes().all(|b| b.is_ascii_digit())
    });
    if is_uptime {
        said
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2034), "2,034");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(
            clean_line(b"\x1b[2Kweb-1  | \x1b[31m\x1b[1mWARNING\x1b[0m x", 100),
            "web-1  | WARNING x"
        );
        assert_eq!(clean_line(b"a\tb\x07c\x00d\r", 100), "a bcd");
        assert_eq!(clean_line(b"title \x1b]0;pwned\x07 done", 100), "title  done");
        assert_eq!(clean_line(b"\xff\xfeok", 100), "\u{fffd}\u{fffd}ok");
    }

    #[test]
    fn cuts_long_lines() {
        assert_eq!(clean_line(b"abcdef", 3), "abc…");
    }

    #[test]
    fn patterns_name_files() {
        assert!(glob_matches("*.log", "logs/nginx/access.log"));
        assert!(glob_matches("access.log*", "logs/access.log.1"));
        assert!(!glob_matches("*.log", "logs/access.log.1"));
        assert!(glob_matches("db?/*.log", "db1/mysql.log"));
        assert!(!glob_matches("db?/*.log", "x/db1/mysql.log"));
        assert!(glob_matches("**/db/*", "srv/logs/db/mysql.log"));
        assert!(!glob_matches("logs/*", "logs/db/mysql.log"));
        assert!(glob_matches("logs/**", "logs/db/mysql.log"));
        assert!(glob_matches("app.log", "/var/log/app.log"));
        // Classes and alternatives, as a shell has them.
        assert!(glob_matches("access.log-2025030[1-7]*", "logs/access.log-20250303.gz"));
        assert!(!glob_matches("access.log-2025030[1-7]*", "logs/access.log-20250309.gz"));
        assert!(glob_matches("{nginx,haproxy}/*.log", "haproxy/access.log"));
        // Many stars cost no more than a few.
        let long = "a".repeat(4000);
        assert!(!glob_matches(&"*a".repeat(30).replace("*a*a", "*a*b"), &long));
        // What is no pattern says why.
        assert!(PathPattern::new("db[1-3/*.log").is_err());
    }

    fn glob_matches(pattern: &str, path: &str) -> bool {
        PathPattern::new(pattern).unwrap().matches(path)
    }
}
