//! The draft's Mermaid timeline of key moments, which GitHub and most Markdown viewers
//! draw as a picture.
//!
//! Mermaid's timeline reads `PERIOD : EVENT : EVENT`, one period a line, `section` lines
//! for groups, and `#NN;` as a character code (decoded after parsing). A period may not
//! hold `:` or `#`, and an event ends at `: `, so every character of ours that is not a
//! letter, digit or plain punctuation is written as its code: `15#58;28` is drawn `15:28`.
//! Moments of the same minute share a period; a timeline that spans days has a section a
//! day.

use super::cut_to;
use crate::time::{display_time, Micros, Zone};
use std::fmt::Write as _;

/// Longest event text, in characters: a card of Mermaid's timeline is narrow, and a
/// longer text wraps into a column taller than the picture.
const EVENT_CHARS: usize = 60;

/// One moment on the picture: when, and what, in a few words.
pub struct Card {
    pub at: Micros,
    pub text: String,
}

/// Text Mermaid draws as written: what could end a period or an event, start a comment
/// or read as HTML, as a character code. The draft's backquotes around log text are left
/// out: a picture has no code spans.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '`' {
            continue;
        }
        if c.is_alphanumeric() || " -_.,/()%@=+'?!*".contains(c) {
            out.push(c);
        } else if !c.is_control() {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

/// The fenced Mermaid block of the cards, in time order, in `zone`.
pub fn timeline_block(cards: &[Card], zone: Zone) -> String {
    let mut out = String::from("```mermaid\ntimeline\n");
    let _ = writeln!(out, "    title {}", mermaid_text(&format!("Key moments ({zone})")));
    let day = |t: Micros| display_time(t, zone)[..10].to_string();
    let minute = |t: Micros| display_time(t, zone)[11..16].to_string();
    let spans_days = cards.windows(2).any(|w| day(w[0].at) != day(w[1].at));
    let mut last: Option<(String, String)> = None;
    for card in cards {
        let (this_day, this_minute) = (day(card.at), minute(card.at));
        let event = mermaid_text(&cut_to(&card.text, EVENT_CHARS));
        match &last {
            Some((d, m)) if *d == this_day && *m == this_minute => {
                let _ = writeln!(out, "             : {event}");
            }
            _ => {
                if spans_days && last.as_ref().is_none_or(|(d, _)| *d != this_day) {
                    let _ = writeln!(out, "    section {}", mermaid_text(&this_day));
                }
                let _ = writeln!(out, "    {} : {event}", mermaid_text(&this_minute));
            }
        }
        last = Some((this_day, this_minute));
    }
    out.push_str("```\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Micros = 60_000_000;
    /// 2024-05-11 22:04:10 UTC.
    const NIGHT: Micros = 1_715_465_050_000_000;

    fn card(at: Micros, text: &str) -> Card {
        Card {
            at,
            text: text.to_string(),
        }
    }

    #[test]
    fn times_are_written_so_mermaid_draws_them_with_a_colon() {
        let block = timeline_block(&[card(NIGHT, "Trigger — 4.12.0 went out")], Zone::UTC);
        assert_eq!(
            block,
            "```mermaid\ntimeline\n    title Key moments (UTC)\n    22#58;04 : Trigger #8212; 4.12.0 went out\n```\n\n"
        );
    }

    #[test]
    fn moments_of_a_minute_share_a_period_and_days_get_sections() {
        let cards = [
            card(NIGHT, "What set it off — `4.12.0` started"),
            card(NIGHT + 12 * 60 * MINUTE, "What users saw — requests failed"),
            card(NIGHT + 12 * 60 * MINUTE + 20_000_000, "How it failed — the pool ran dry"),
            card(NIGHT + 13 * 60 * MINUTE, "Recovery"),
        ];
        let block = timeline_block(&cards, Zone::UTC);
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(
            lines[2..8],
            [
                "    title Key moments (UTC)",
                "    section 2024-05-11",
                "    22#58;04 : What set it off #8212; 4.12.0 started",
                "    section 2024-05-12",
                "    10#58;04 : What users saw #8212; requests failed",
                "             : How it failed #8212; the pool ran dry",
            ]
        );
        assert_eq!(lines[8], "    11#58;04 : Recovery");
        // One day: no sections.
        let block = timeline_block(&cards[1..], Zone::UTC);
        assert!(!block.contains("section"), "{block}");
    }

    #[test]
    fn log_text_cannot_end_a_period_open_a_comment_or_inject_markup() {
        let text = mermaid_text("a: b # c ; <script>x</script> ```\nend");
        for forbidden in [":", "<", ">", "`", "\n", "#96;"] {
            assert!(!text.contains(forbidden), "{text}");
        }
        // Every `#` starts a character code that ends in `;`.
        assert!(text
            .split('#')
            .skip(1)
            .all(|code| code.split(';').next().unwrap().parse::<u32>().is_ok()));
    }
}
