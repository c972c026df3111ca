//! A rule file with any text: it loads or is refused with problems that name a line;
//! what loads compiles into every format's matcher, whose search over a chunk (in groups
//! of patterns, each running ahead) finds every line that a pattern matches alone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::format::Format;
use postmortem::rules::RuleSet;

/// Lines a rule file's patterns may or may not match: a log's usual words, and the
/// file's own text split into lines (its examples are often there).
const LINES: &str = "2024-01-21 15:30:00,123 ERROR shop: Lock wait timeout exceeded on table orders\n\
Jan 21 15:30:01 web1 sudo:   ops : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/systemctl restart shop\n\
\n\
Mar 14 21:20:34 agent1 puppet-agent[10803]: (/Stage[main]/X/File[/etc/x]/content) content changed 'a' to 'b'\n";

fuzz_target!(|text: &str| {
    match RuleSet::from_text("fuzz.toml", text) {
        Ok(rules) => {
            let chunk = format!("{LINES}{text}");
            // As the scan reads them: a line without its `\r`.
            let strip = |line: &[u8]| -> Vec<u8> { line.strip_suffix(b"\r").unwrap_or(line).to_vec() };
            let lines: Vec<Vec<u8>> = chunk.as_bytes().split(|&b| b == b'\n').map(strip).collect();
            for &format in Format::ALL {
                let matcher = rules.matcher(format);
                let alone: Vec<usize> = (0..lines.len()).filter(|&i| matcher.match_line(&lines[i]).is_some()).collect();
                // Walk the chunk as the scan does: from each hit's line to the next hit.
                let (mut hits, mut from, mut found) = (matcher.hits(), 0, Vec::new());
                let bytes = chunk.as_bytes();
                while let Some(hit) = hits.next_hit(bytes, from) {
                    let line = bytes[..hit].iter().filter(|&&b| b == b'\n').count();
                    let start = bytes[..hit].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1).max(from);
                    let end = bytes[hit..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| hit + i);
                    if start <= end && matcher.match_line(&strip(&bytes[start..end])).is_some() {
                        found.push(line);
                    }
                    if end >= bytes.len() {
                        break;
                    }
                    from = end + 1;
                }
                assert_eq!(found, alone, "{}", format.name());
            }
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
});
