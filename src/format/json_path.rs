//! A JSON line's values by where they sit: each scalar with the keys that lead to it
//! (`httpRequest.status`, `properties.requestUri`), in the order the line writes them.
//!
//! [`super::json::Record`] finds the first value of a known key at any depth, which is
//! what a logger's `msg` or `level` needs. An access record read by meaning needs more:
//! Google's LogEntry has `httpRequest.status` beside a `jsonPayload` that may hold a
//! `status` of its own, and a CDN's record is known by names we learn from its head
//! ([`super::families::json_access`]), not by a fixed table. So this walker follows the
//! line's objects and says each value's path; values inside arrays (a header's list, a
//! WAF's matched rules) are skipped, being no field of the record.
//!
//! Like the rest of the JSON reading, it never refuses a line: it reads what it can of
//! one cut short or malformed, and stops there. Strings are skipped with `memchr`, so
//! their text is never taken for structure; escapes are decoded only in the values kept.

use std::borrow::Cow;

/// How deep a value may sit to be visited; deeper objects are walked through, their
/// values not visited. Every access field we know sits at depth 3 at most.
pub(crate) const MAX_DEPTH: usize = 6;

/// One value of a line: a string's text (escapes as written) or a number's or literal's
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scalar<'a> {
    /// The value's bytes: a string's text without its quotes.
    pub raw: &'a [u8],
    /// The line from the value's first byte on (a stamp parser reads from there).
    pub from: &'a [u8],
    pub quoted: bool,
    /// Whether a string holds an escape (`\"`, `\/`, `\u00e9`).
    pub escaped: bool,
}

impl<'a> Scalar<'a> {
    /// The value's text, escapes decoded.
    pub fn text(&self) -> Cow<'a, [u8]> {
        if self.escaped {
            Cow::Owned(super::json::unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// The value as a number: a JSON number, or a string that holds one (`"503"`,
    /// `"0.012"`), or a duration written with its unit in seconds (`"0.123s"`, Google's).
    pub fn number(&self) -> Option<f64> {
        let text = self.raw.strip_suffix(b"s").filter(|_| self.quoted).unwrap_or(self.raw);
        if let Some(value) = plain_decimal(text) {
            return Some(value);
        }
        if text.is_empty()
            || !text
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        {
            return None;
        }
        std::str::from_utf8(text).ok()?.parse().ok()
    }
}

/// A number written as digits with at most one point and fifteen digits (`0.049`,
/// `30001`), as nearly every duration and status is: read without the general parser.
/// The digits make an integer an `f64` holds exactly, and so does the power of ten it is
/// divided by, so the quotient is the correctly rounded value the parser would give.
#[inline]
fn plain_decimal(text: &[u8]) -> Option<f64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut decimals = None;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' => mantissa = mantissa * 10 + u64::from(b - b'0'),
            b'.' if decimals.is_none() && i > 0 && i + 1 < text.len() => decimals = Some(text.len() - i - 1),
            _ => return None,
        }
    }
    const POWERS: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    Some(mantissa as f64 / POWERS[decimals.unwrap_or(0)])
}

/// Calls `visit` with each scalar of the object `line` holds (outside arrays, at most
/// [`MAX_DEPTH`] deep), the keys of the objects it is in (outermost first) and its own
/// key; stops when `visit` returns `false`.
pub(crate) fn walk<'a>(line: &'a [u8], mut visit: impl FnMut(&[&'a [u8]], &'a [u8], Scalar<'a>) -> bool) {
    // The keys of the objects the walk is in, and the key whose value comes next.
    let mut path: [&[u8]; MAX_DEPTH] = [b""; MAX_DEPTH];
    // Containers the walk is in, as bits (1: an object), innermost lowest; how many, and
    // how many of them are arrays.
    let mut kinds: u64 = 0;
    let mut depth = 0usize;
    let mut arrays = 0usize;
    let mut deeper = 0usize;
    let mut key: Option<&'a [u8]> = None;
    let mut expect_key = false;
    let mut at = 0;
    while at < line.len() {
        let byte = line[at];
        match byte {
            b'{' | b'[' => {
                // Past the 64 containers the kinds can hold, only their count is kept:
                // the walk goes through them, visiting nothing, and on past their end.
                if depth == 64 || deeper > 0 {
                    deeper += 1;
                    at += 1;
                    continue;
                }
                let object = byte == b'{';
                // An object that is a key's value adds the key to the path.
                if depth > 0 && arrays == 0 {
                    let level = depth - 1;
                    if level < MAX_DEPTH {
                        path[level] = key.unwrap_or(b"");
                    }
                }
                kinds = (kinds << 1) | u64::from(object);
                depth += 1;
                arrays += usize::from(!object);
                expect_key = object;
                key = None;
                at += 1;
            }
            b'}' | b']' => {
                if deeper > 0 {
                    deeper -= 1;
                    at += 1;
                    continue;
                }
                if depth == 0 {
                    return;
                }
                arrays -= usize::from(kinds & 1 == 0);
                kinds >>= 1;
                depth -= 1;
                key = None;
                expect_key = false;
                at += 1;
            }
            b',' => {
                expect_key = kinds & 1 == 1;
                key = None;
                at += 1;
            }
            b'"' => {
                let (end, escaped) = match super::json::string_close(line, at) {
                    Some(found) => found,
                    // Cut short: the text runs to the line's end.
                    None => (line.len(), memchr::memchr(b'\\', &line[at..]).is_some()),
                };
                let text = &line[at + 1..end];
                if expect_key && kinds & 1 == 1 {
                    key = Some(text);
                    expect_key = false;
                    // The colon, and the spaces about it, are skipped here: most keys are
                    // followed by `":` at once.
                    at = end + 1;
                    while let Some(b' ' | b':' | b'\t') = line.get(at) {
                        at += 1;
                    }
                    continue;
                } else if let Some(name) = key.take() {
                    let scalar = Scalar {
                        raw: text,
                        from: &line[at + 1..],
                        quoted: true,
                        escaped,
                    };
                    if !visit_value(&path, depth, arrays, name, scalar, &mut visit) {
                        return;
                    }
                }
                at = end + 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b':' => at += 1,
            _ => {
                // A number or a literal, to the next delimiter.
                let len = scalar_len(&line[at..]);
                if let Some(name) = key.take() {
                    let scalar = Scalar {
                        raw: &line[at..at + len],
                        from: &line[at..],
                        quoted: false,
                        escaped: false,
                    };
                    if !visit_value(&path, depth, arrays, name, scalar, &mut visit) {
                        return;
                    }
                }
                at += len;
            }
        }
    }
}

/// The length of the number or literal (`503`, `true`) `rest` starts with: to the next
/// delimiter or the line's end.
#[inline]
pub(crate) fn scalar_len(rest: &[u8]) -> usize {
    rest.iter()
        .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(rest.len())
}

/// Whether the walk reads a value starting with `byte` as a number or a literal: every
/// byte but those its other arms take (structure, a quote, a space).
#[inline]
pub(crate) fn starts_scalar(byte: u8) -> bool {
    !matches!(byte, b'{' | b'[' | b'}' | b']' | b',' | b'"' | b' ' | b'\t' | b'\r' | b'\n' | b':')
}

/// Visits a scalar that is the value of `name` in the innermost object, if it is
/// visited at all (outside arrays, not too deep).
#[inline(always)]
fn visit_value<'a>(
    path: &[&'a [u8]; MAX_DEPTH],
    depth: usize,
    arrays: usize,
    name: &'a [u8],
    scalar: Scalar<'a>,
    visit: &mut impl FnMut(&[&'a [u8]], &'a [u8], Scalar<'a>) -> bool,
) -> bool {
    if arrays > 0 || depth == 0 || depth > MAX_DEPTH {
        return true;
    }
    visit(&path[..depth - 1], name, scalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(line: &str) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        walk(line.as_bytes(), |parents, name, scalar| {
            let path: Vec<String> = parents
                .iter()
                .chain([&name])
                .map(|k| String::from_utf8_lossy(k).into_owned())
                .collect();
            out.push((path.join("."), String::from_utf8_lossy(scalar.raw).into_owned(), scalar.quoted));
            true
        });
        out
    }

    #[test]
    fn each_value_comes_with_the_keys_that_lead_to_it() {
        let line = r#"{"timestamp":"2024-03-08T14:02:11.5Z","httpRequest":{"requestMethod":"GET","status":503,"latency":"0.250s"},"jsonPayload":{"status":"ok"},"n":-1.5e3,"up":true}"#;
        assert_eq!(
            scalars(line),
            [
                ("timestamp".into(), "2024-03-08T14:02:11.5Z".into(), true),
                ("httpRequest.requestMethod".into(), "GET".into(), true),
                ("httpRequest.status".into(), "503".into(), false),
                ("httpRequest.latency".into(), "0.250s".into(), true),
                ("jsonPayload.status".into(), "ok".into(), true),
                ("n".into(), "-1.5e3".into(), false),
                ("up".into(), "true".into(), false),
            ]
        );
    }

    #[test]
    fn values_in_arrays_are_no_fields_and_strings_are_never_structure() {
        let line = r#"{"rules":[{"status":200},"x"],"msg":"a } or a \" , \"status\":500","headers":{"h":["a","b"]},"status":502}"#;
        assert_eq!(
            scalars(line),
            [
                ("msg".into(), r#"a } or a \" , \"status\":500"#.into(), true),
                ("status".into(), "502".into(), false),
            ]
        );
    }

    #[test]
    fn a_line_cut_short_or_malformed_gives_what_it_holds() {
        assert_eq!(
            scalars(r#"{"status":503,"path":"/cart"#),
            [("status".into(), "503".into(), false), ("path".into(), "/cart".into(), true)]
        );
        assert!(scalars(r#"]]]}}{"a":1}"#).is_empty());
        assert!(scalars("not json at all").is_empty());
        // Deeper than the walk visits: walked through, the rest still read.
        let deep = format!("{}{{\"x\":1{}", "{\"a\":".repeat(9), "}".repeat(10));
        let line = format!("{{\"status\":1,\"d\":{deep},\"path\":\"/\"}}");
        let paths: Vec<String> = scalars(&line).into_iter().map(|(p, _, _)| p).collect();
        assert_eq!(paths, ["status", "path"]);
        // Nested past 64 containers: walked through, counted, and the rest read.
        let nested = format!(
            "{{\"status\":1,\"a\":{}{},\"path\":\"/\"}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(
            scalars(&nested),
            [("status".into(), "1".into(), false), ("path".into(), "/".into(), true)]
        );
        let unclosed = format!("{{\"status\":1,\"a\":{}", "{\"b\":".repeat(100_000));
        assert_eq!(scalars(&unclosed), [("status".into(), "1".into(), false)]);
    }

    #[test]
    fn numbers_are_read_from_numbers_strings_and_seconds() {
        let number = |raw: &str, quoted| {
            Scalar {
                raw: raw.as_bytes(),
                from: raw.as_bytes(),
                quoted,
                escaped: false,
            }
            .number()
        };
        assert_eq!(number("503", false), Some(503.0));
        assert_eq!(number("503", true), Some(503.0));
        assert_eq!(number("0.250s", true), Some(0.25));
        assert_eq!(number("0.250s", false), None);
        assert_eq!(number("ok", true), None);
        assert_eq!(number("", true), None);
        // The short way and the parser agree.
        for text in [
            "0.049",
            "30001",
            "1709906531.0934",
            "0.1",
            "123456789012345",
            "0.000931",
            "9.99999999999999",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), text.parse().ok(), "{text}");
        }
        for text in [".5", "5.", "1.2.3", "-1", "1e3", "12345678901234567"] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
    }
}
