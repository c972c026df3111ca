//! Templates: what a line says with what varies masked. `process 4242 still waiting for
//! ShareLock on transaction 7 after 1000.123 ms` and the same with other numbers are one
//! template, `process <*> still waiting for ShareLock on transaction <*> after <*> ms`.
//! Every timestamped line that is not an access line has one, whatever software wrote it
//! and whatever words it used: this is how the tool sees what no rule names.
//!
//! Masked: tokens holding a digit (numbers, ids, hex, IPs, ports, versions, durations,
//! dates), very long tokens (hashes, base64), quoted text, and month and weekday names.
//! A route a client asked for (`/basket/items`, `/wp-login.php`) is masked whole; a path on
//! the host is masked segment by segment (`/var/www/shop/releases/<*>/index.php`), and
//! `key=value` pairs value by value. The rest, words, stays: that is the message's shape.
//!
//! A template's key is a hash of its text, so the tables of chunks and threads merge
//! exactly. Each source keeps a bounded table ([`MAX_TEMPLATES`]): per template its
//! count, level, first and last lines, and its earliest few lines whole (a rare line is
//! judged by each of its occurrences). Lines past the bound are counted, not kept.

use super::keys::Mark;
use super::keys::PrehashedKey;
use crate::format::Level;
use crate::text::clean_line;
use crate::time::Micros;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

pub use super::keys::TemplateKey;

/// Bytes of a message that make its template: two messages alike for this long are one.
const TEMPLATE_BYTES: usize = 512;
/// Tokens this long or longer are ids, hashes or encoded data: masked.
const LONG_TOKEN: usize = 24;
/// Templates kept apart per source (and per chunk while scanning); lines of further ones
/// are counted as `other`.
pub const MAX_TEMPLATES: usize = 4096;
/// Occurrences kept whole per template: a rare line is judged by each of them.
pub const EARLIEST: usize = 4;
/// Characters of a line kept as an occurrence's text.
const OCCURRENCE_CHARS: usize = 300;
/// Characters of a template's text kept for display.
const TEXT_CHARS: usize = 200;

/// What the template's text shows where something varied.
pub const MASK: &str = "<*>";
/// Templates of one shape that differ in one word only, at one place (not the first),
/// this many or more, are one message with a value there ([`Templates::cluster`]): a
/// user name, a table, a file asked for. A message's own words at a place are a closed
/// set, a few states (`lost`, `restored`, `degraded`); values are an open one. Five
/// keeps four states apart and joins the fifth value of anything.
pub const VALUES_AT: usize = 5;
/// A message seen at most this many times is rare: each of its lines may mark a change
/// (`timeline::changes` offers each as a candidate), which joining would hide among the
/// others. So templates are joined only when one of them is more than rare, or a warning
/// or worse (a probe storm's 404s, each said a few times, are one message).
pub const RARE_LINES: u64 = 3;

/// A template's shape with one word masked: the word's place, the template's level, and
/// the text with the mask there.
type Shape = (usize, Option<Level>, String);

/// Mixed into the key of a template made by joining others, so that it is never the key
/// of a line's own template.
const CLUSTERED: u64 = 0x636c_7573_7465_7265;

/// Where the masked text goes: a hash, or the text itself.
trait Sink {
    fn literal(&mut self, bytes: &[u8]);
    fn mask(&mut self);
}

/// A word-at-a-time hash (FxHash's step): the same on every machine and run, and cheap
/// on short tokens. A template's text always reaches it in the same pieces, so the same
/// template always gets the same key.
#[derive(serde::Serialize, serde::Deserialize)]
struct Hash(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hash {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Sink for Hash {
    #[inline]
    fn literal(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        // The length of the piece goes in too: `ab` then `c` is not `a` then `bc`.
        self.add(u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 56));
    }

    #[inline]
    fn mask(&mut self) {
        // A word no text makes: a mask and the literal `<*>` differ.
        self.add(u64::MAX);
    }
}

impl Sink for Vec<u8> {
    fn literal(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn mask(&mut self) {
        self.extend_from_slice(MASK.as_bytes());
    }
}

/// What a byte is to the masking: part of a token (a digit or not), a blank, a quote, or
/// another delimiter (kept as it is).
const PLAIN: u8 = 0;
const DIGIT: u8 = 1;
const BLANK: u8 = 2;
const QUOTE: u8 = 3;
const DELIMITER: u8 = 4;

const CLASSES: [u8; 256] = {
    let mut classes = [PLAIN; 256];
    let mut b = b'0';
    while b <= b'9' {
        classes[b as usize] = DIGIT;
        b += 1;
    }
    classes[b' ' as usize] = BLANK;
    classes[b'\t' as usize] = BLANK;
    classes[b'"' as usize] = QUOTE;
    classes[b'\'' as usize] = QUOTE;
    let delimiters = b",;:=()[]{}<>|/\\@&?!#*+";
    let mut i = 0;
    while i < delimiters.len() {
        classes[delimiters[i] as usize] = DELIMITER;
        i += 1;
    }
    classes
};

const CALENDAR_NAMES: [&[u8; 3]; 19] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri",
    b"Sat", b"Sun",
];

/// Feeds `message`'s template to `sink`.
fn mask(message: &[u8], sink: &mut impl Sink) {
    let message = &message[..message.len().min(TEMPLATE_BYTES)];
    let mut at = 0;
    let mut last_blank = false;
    while at < message.len() {
        let b = message[at];
        match CLASSES[b as usize] {
            PLAIN | DIGIT => {
                let start = at;
                let mut digits = false;
                while at < message.len() {
                    let class = CLASSES[message[at] as usize];
                    if class > DIGIT {
                        break;
                    }
                    digits |= class == DIGIT;
                    at += 1;
                }
                let token = &message[start..at];
                let varies = digits || token.len() >= LONG_TOKEN || (token.len() == 3 && CALENDAR_NAMES.iter().any(|name| *name == token));
                if varies {
                    sink.mask();
                } else {
                    sink.literal(token);
                }
                last_blank = false;
            }
            BLANK => {
                // Runs of blanks are one: alignment varies.
                if !last_blank {
                    sink.literal(b" ");
                }
                last_blank = true;
                at += 1;
            }
            class => {
                last_blank = false;
                if let Some(end) = (b == b'/').then(|| route_end(message, at)).flatten() {
                    sink.mask();
                    at = end;
                    continue;
                }
                // Quoted text at the start of a token is a value: masked whole. (An
                // apostrophe inside a word, `can't`, never starts one.)
                let opens = class == QUOTE && (at == 0 || CLASSES[message[at - 1] as usize] > DIGIT);
                if let Some(close) = opens.then(|| closing_quote(message, at)).flatten() {
                    sink.literal(&[b]);
                    sink.mask();
                    sink.literal(&[b]);
                    at = close + 1;
                    continue;
                }
                sink.literal(&[b]);
                at += 1;
            }
        }
    }
}

/// The first segments of paths on a host (`/var/log/…`, `/etc/…`): a path that starts with
/// one names a file, and keeps its words. Any other path standing as a token (`/basket`,
/// `/api/v2/orders?page=3`, `/wp-login.php`) is what a client asked for, a route: it
/// varies from line to line of one message, and is masked whole.
const HOST_ROOTS: [&[u8]; 22] = [
    b"bin", b"boot", b"data", b"dev", b"etc", b"home", b"lib", b"lib64", b"media", b"mnt", b"nix", b"opt", b"proc", b"root", b"run",
    b"sbin", b"snap", b"srv", b"sys", b"tmp", b"usr", b"var",
];

/// Where the route starting at `at` (a `/` that opens a token) ends, or `None` when it is
/// no route: not at the start of a token, a host's path, or `//`.
fn route_end(message: &[u8], at: usize) -> Option<usize> {
    let opens_token = at == 0 || matches!(message[at - 1], b' ' | b'\t' | b'=' | b'(' | b'[');
    if !opens_token || message.get(at + 1) == Some(&b'/') {
        return None;
    }
    let ends_token = |b: u8| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b',' | b';' | b')' | b']');
    // The first segment decides, and no host root is longer than a few bytes: what is no
    // route is known without reading on (`=//=//…` must not be read to its end at every
    // `/`). The whole token is read only when it is masked, and then skipped.
    let first_end = message[at + 1..]
        .iter()
        .take(MAX_HOST_ROOT + 1)
        .position(|&b| ends_token(b) || matches!(b, b'/' | b'?' | b'#'))
        .map_or((at + 1 + MAX_HOST_ROOT + 1).min(message.len()), |n| at + 1 + n);
    if !is_route(&message[at..first_end]) {
        return None;
    }
    let end = message[at..].iter().position(|&b| ends_token(b)).map_or(message.len(), |n| at + n);
    Some(end)
}

/// The longest of [`HOST_ROOTS`], in bytes.
const MAX_HOST_ROOT: usize = 5;

/// Whether a token that starts with `/` is a route a client asked for rather than a path
/// on the host (see [`HOST_ROOTS`]) or `//`.
pub fn is_route(token: &[u8]) -> bool {
    let path = token.strip_prefix(b"/").unwrap_or(token);
    let first = path.split(|&b| matches!(b, b'/' | b'?' | b'#')).next().unwrap_or_default();
    token.starts_with(b"/") && !path.starts_with(b"/") && !HOST_ROOTS.contains(&first)
}

/// The quote that closes the one at `open` (a backslash escapes a quote).
fn closing_quote(message: &[u8], open: usize) -> Option<usize> {
    let quote = message[open];
    let mut at = open + 1;
    while at < message.len() {
        match message[at] {
            b'\\' => at += 2,
            b if b == quote => return Some(at),
            _ => at += 1,
        }
    }
    None
}

use crate::text::{joined, DETAIL_JOIN};

/// Feeds the template of a message and of its detail, where it has one, to `sink`.
fn mask_said(message: &[u8], detail: &[u8], sink: &mut impl Sink) {
    mask(message, sink);
    if !detail.is_empty() {
        // Through the masking, as if the message went on: `a: b` said in one message or
        // as a message and its detail is one template.
        mask(DETAIL_JOIN, sink);
        mask(detail, sink);
    }
}

/// The key of a message's template.
#[inline]
pub fn key_of(message: &[u8]) -> TemplateKey {
    key_with(message, b"")
}

/// The key of the template of a message with its detail.
#[inline]
pub fn key_with(message: &[u8], detail: &[u8]) -> TemplateKey {
    let mut hash = Hash(0);
    mask_said(message, detail, &mut hash);
    hash.0
}

/// A message's template, as people read it.
pub fn text_of(message: &[u8]) -> String {
    text_with(message, b"")
}

/// The template of a message with its detail, as people read it.
fn text_with(message: &[u8], detail: &[u8]) -> String {
    let mut text = Vec::with_capacity(message.len().min(TEMPLATE_BYTES));
    mask_said(message, detail, &mut text);
    clean_line(&text, TEXT_CHARS)
}

/// One line of a template, kept whole.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Occurrence {
    pub mark: Mark,
    /// The line, cleaned of control characters and cut to a readable length.
    pub line: Box<str>,
    /// What it says after its family's header, the same way.
    pub message: Box<str>,
}

/// What is kept of one template.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    /// The template's text, `<*>` where something varied.
    pub text: Box<str>,
    /// The highest level its lines said they were.
    pub level: Option<Level>,
    pub count: u64,
    pub first: Mark,
    pub last: Mark,
    /// Its earliest lines, by time, then file and place: at most [`EARLIEST`].
    pub earliest: Vec<Occurrence>,
    /// A rule matched at least one of its lines: the rule says what they are.
    pub named: bool,
    /// For a template joined from others (see [`Templates::cluster`]): what varied.
    pub joined: Option<Joined>,
}

/// What varies in a template joined from templates that differ in one word.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Joined {
    /// The word's place among the template's blank-separated words.
    pub place: usize,
    /// How many different words stood there.
    pub values: u32,
    /// A few of them, in order: [`JOINED_EXAMPLES`] at most.
    pub examples: Vec<Box<str>>,
}

/// Words kept as examples of what varied in a joined template.
pub const JOINED_EXAMPLES: usize = 4;

impl Template {
    fn absorb(&mut self, other: Template) {
        if let Some(theirs) = other.joined {
            match &mut self.joined {
                Some(mine) if mine.place == theirs.place => {
                    mine.values += theirs.values;
                    mine.examples.extend(theirs.examples);
                    mine.examples.sort();
                    mine.examples.dedup();
                    mine.examples.truncate(JOINED_EXAMPLES);
                }
                Some(_) => {}
                None => self.joined = Some(theirs),
            }
        }
        self.count += other.count;
        self.level = self.level.max(other.level);
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.named |= other.named;
        self.earliest.extend(other.earliest);
        self.earliest.sort_by_key(|o| o.mark);
        self.earliest.truncate(EARLIEST);
    }
}

/// The templates of a chunk while it is scanned, then of a source group.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Templates {
    pub by_key: HashMap<TemplateKey, Template, BuildHasherDefault<PrehashedKey>>,
    /// Lines with a template (timestamped records, and the exception lines that continue
    /// them), kept apart or not.
    pub lines: u64,
    /// Lines of templates past [`MAX_TEMPLATES`], counted only.
    pub other: u64,
}

impl Templates {
    /// Whether it is what a scan keeps of a chunk (see [`super::partial`]): bounded as a
    /// scan bounds it, its times plausible, none joined yet.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.by_key.len() > MAX_TEMPLATES {
            return Err("more templates than a scan keeps");
        }
        let counts = [self.lines, self.other].into_iter().chain(self.by_key.values().map(|t| t.count));
        if !counts.into_iter().all(super::keys::is_plausible_count) {
            return Err("templates of more lines than any log holds");
        }
        let plausible = |m: &Mark| super::keys::is_plausible(m.time);
        for template in self.by_key.values() {
            if template.earliest.len() > EARLIEST || template.joined.is_some() {
                return Err("a template unlike those a scan keeps");
            }
            if !plausible(&template.first) || !plausible(&template.last) || !template.earliest.iter().all(|o| plausible(&o.mark)) {
                return Err("a template out of time");
            }
        }
        Ok(())
    }

    /// Gives every line the time `time` (lines read before their chunk's first time,
    /// when the time before the chunk is known).
    pub fn retime(&mut self, time: Micros) {
        for template in self.by_key.values_mut() {
            template.first.time = time;
            template.last.time = time;
            for occurrence in &mut template.earliest {
                occurrence.mark.time = time;
            }
        }
    }

    /// Moves every time by `delta` (a clock found off).
    pub fn shift(&mut self, delta: Micros) {
        for template in self.by_key.values_mut() {
            template.first.time += delta;
            template.last.time += delta;
            for occurrence in &mut template.earliest {
                occurrence.mark.time += delta;
            }
        }
    }

    /// Adds a line whose message is `message` (and `detail`, a structured error, where it
    /// has one); its template's key. `line` is the whole line (kept as one of the earliest
    /// occurrences).
    pub fn add(&mut self, message: &[u8], detail: &[u8], level: Option<Level>, named: bool, mark: Mark, line: &[u8]) -> TemplateKey {
        let key = key_with(message, detail);
        self.lines += 1;
        let full = self.by_key.len() >= MAX_TEMPLATES;
        match self.by_key.get_mut(&key) {
            Some(template) => {
                template.count += 1;
                template.level = template.level.max(level);
                template.named |= named;
                if mark < template.first {
                    template.first = mark;
                }
                if mark > template.last {
                    template.last = mark;
                }
                if template.earliest.len() < EARLIEST || template.earliest.last().is_some_and(|o| mark < o.mark) {
                    template.earliest.push(Occurrence {
                        mark,
                        line: clean_line(line, OCCURRENCE_CHARS).into(),
                        message: clean_line(&joined(message, detail, OCCURRENCE_CHARS), OCCURRENCE_CHARS).into(),
                    });
                    template.earliest.sort_by_key(|o| o.mark);
                    template.earliest.truncate(EARLIEST);
                }
            }
            None if full => self.other += 1,
            None => {
                self.by_key.insert(
                    key,
                    Template {
                        text: text_with(message, detail).into(),
                        level,
                        count: 1,
                        first: mark,
                        last: mark,
                        earliest: vec![Occurrence {
                            mark,
                            line: clean_line(line, OCCURRENCE_CHARS).into(),
                            message: clean_line(&joined(message, detail, OCCURRENCE_CHARS), OCCURRENCE_CHARS).into(),
                        }],
                        named,
                        joined: None,
                    },
                );
            }
        }
        key
    }

    /// Places the lines of a chunk in their file (see [`super::hits::Hits::place`]).
    pub fn place(&mut self, file: u32, lines_before: u64) {
        self.each_place(&mut |f, line| {
            *f = file;
            *line += lines_before + 1;
        });
    }

    /// Calls `visit` with the file and line number of every line it keeps.
    pub fn each_place(&mut self, visit: &mut impl FnMut(&mut u32, &mut u64)) {
        let mut mark = |mark: &mut Mark| visit(&mut mark.file, &mut mark.line);
        for template in self.by_key.values_mut() {
            mark(&mut template.first);
            mark(&mut template.last);
            for occurrence in &mut template.earliest {
                mark(&mut occurrence.mark);
            }
        }
    }

    /// Joins the templates that are one message with a value at one place (see
    /// [`VALUES_AT`]), the way Drain groups lines of one shape by their similarity: after
    /// the masking, `Invalid user admin from <*>`, `Invalid user oracle from <*>` and three
    /// more are `Invalid user <*> from <*>`. Returns each joined template's key with the
    /// key of the one it became, for the hits to follow. Deterministic: templates and
    /// shapes are taken in the order of their keys and texts, whatever order the lines
    /// came in. Templates whose text was cut for display are left as they are.
    pub fn cluster(&mut self) -> HashMap<TemplateKey, TemplateKey> {
        let mut keys: Vec<TemplateKey> = self.by_key.keys().copied().collect();
        keys.sort_unstable();
        // Each template under each shape it has with one word masked: (place, level,
        // shape). Templates of different levels are never one message.
        let mut shapes: std::collections::BTreeMap<Shape, Vec<TemplateKey>> = Default::default();
        for &key in &keys {
            let text = &self.by_key[&key].text;
            if text.chars().count() >= TEXT_CHARS {
                continue;
            }
            let tokens: Vec<&str> = text.split(' ').collect();
            for place in 1..tokens.len() {
                if tokens[place].is_empty() || tokens[place].contains(MASK) {
                    continue;
                }
                let mut shape = tokens.clone();
                shape[place] = MASK;
                shapes
                    .entry((place, self.by_key[&key].level, shape.join(" ")))
                    .or_default()
                    .push(key);
            }
        }
        // The largest groups first (then by place and shape), each template in one.
        let mut groups: Vec<(Shape, Vec<TemplateKey>)> = shapes
            .into_iter()
            .filter(|((_, level, _), keys)| {
                keys.len() >= VALUES_AT && (*level >= Some(Level::Warning) || keys.iter().any(|k| self.by_key[k].count > RARE_LINES))
            })
            .collect();
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        let mut renamed: HashMap<TemplateKey, TemplateKey> = HashMap::new();
        for ((place, _, shape), members) in groups {
            let members: Vec<TemplateKey> = members
                .into_iter()
                .filter(|k| !renamed.contains_key(k) && self.by_key.contains_key(k))
                .collect();
            if members.len() < VALUES_AT {
                continue;
            }
            // Into a template that already reads so (a value with a digit was masked
            // already), or a new one.
            let into = self
                .by_key
                .iter()
                .filter(|(k, t)| *t.text == *shape && !members.contains(k))
                .map(|(k, _)| *k)
                .min()
                .unwrap_or_else(|| {
                    let mut hash = Hash(0);
                    hash.literal(shape.as_bytes());
                    hash.add(CLUSTERED);
                    hash.0
                });
            // What stood at the place, template by template.
            let mut words: Vec<Box<str>> = members
                .iter()
                .filter_map(|k| self.by_key[k].text.split(' ').nth(place).map(Box::from))
                .collect();
            words.sort();
            let values = u32::try_from(words.len()).unwrap_or(u32::MAX);
            words.truncate(JOINED_EXAMPLES);
            let joined = Joined {
                place,
                values,
                examples: words,
            };
            match self.by_key.get_mut(&into) {
                Some(existing) => {
                    existing.joined = Some(joined);
                }
                None => {
                    let first = &self.by_key[&members[0]];
                    let template = Template {
                        text: shape.clone().into(),
                        count: 0,
                        earliest: Vec::new(),
                        named: false,
                        joined: Some(joined),
                        ..first.clone()
                    };
                    self.by_key.insert(into, template);
                }
            }
            for key in members {
                let Some(template) = self.by_key.remove(&key) else { continue };
                if let Some(joined) = self.by_key.get_mut(&into) {
                    joined.absorb(template);
                }
                renamed.insert(key, into);
            }
        }
        renamed
    }

    /// Takes in the templates of `other`, keeping at most [`MAX_TEMPLATES`]: the most
    /// frequent, ties to the smaller key, so that the order of merging does not matter.
    pub fn absorb(&mut self, other: Templates) {
        self.lines += other.lines;
        self.other += other.other;
        for (key, template) in other.by_key {
            match self.by_key.get_mut(&key) {
                Some(mine) => mine.absorb(template),
                None => {
                    self.by_key.insert(key, template);
                }
            }
        }
        if self.by_key.len() > MAX_TEMPLATES {
            let mut ranked: Vec<(u64, TemplateKey)> = self.by_key.iter().map(|(k, t)| (t.count, *k)).collect();
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (count, key) in ranked.drain(MAX_TEMPLATES..) {
                self.by_key.remove(&key);
                self.other += count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(message: &str) -> String {
        text_of(message.as_bytes())
    }

    /// A table of `messages` at warning level, the `n`th said at second `n`.
    fn table(messages: &[&str]) -> Templates {
        table_at(messages, Some(Level::Warning))
    }

    fn table_at(messages: &[&str], level: Option<Level>) -> Templates {
        let mut table = Templates::default();
        for (n, message) in messages.iter().enumerate() {
            let mark = Mark {
                time: n as i64 * 1_000_000,
                file: 0,
                offset: n as u64,
                line: n as u64,
            };
            table.add(message.as_bytes(), b"", level, false, mark, message.as_bytes());
        }
        table
    }

    #[test]
    fn rare_lines_without_a_level_stay_apart_and_frequent_ones_join() {
        // Five flags flipped once each: each may be what changed, and stays a rare line.
        let flags = ["search_next", "fast_cart", "new_tax", "gift_wrap", "eu_vat"].map(|f| format!("flag {f} flipped by alice"));
        let mut found = table_at(&flags.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert!(found.cluster().is_empty());
        assert_eq!(found.by_key.len(), 5);
        // Said often, the same shape is one message with a value.
        let often: Vec<&str> = flags.iter().flat_map(|f| std::iter::repeat_n(f.as_str(), 4)).collect();
        let mut found = table_at(&often, None);
        assert_eq!(found.cluster().len(), 5);
        assert_eq!(texts(&found), ["flag <*> flipped by alice"]);
        // Lines of other levels are other messages.
        let mut mixed = table_at(&flags.iter().map(String::as_str).collect::<Vec<_>>(), Some(Level::Warning));
        let mark = Mark {
            time: 0,
            file: 0,
            offset: 99,
            line: 99,
        };
        mixed.add(b"flag beta flipped by alice", b"", Some(Level::Error), false, mark, b"x");
        mixed.cluster();
        assert_eq!(texts(&mixed), ["flag <*> flipped by alice", "flag beta flipped by alice"]);
    }

    fn texts(table: &Templates) -> Vec<String> {
        let mut texts: Vec<String> = table.by_key.values().map(|t| t.text.to_string()).collect();
        texts.sort();
        texts
    }

    #[test]
    fn one_message_with_a_value_at_one_place_is_one_template() {
        let users = ["admin", "oracle", "test", "ftp", "guest"].map(|u| format!("Invalid user {u} from 203.0.113.9 port 4411"));
        let mut said: Vec<&str> = users.iter().map(String::as_str).collect();
        said.push("Invalid user admin from 198.51.100.7 port 5120");
        let mut found = table(&said);
        let renamed = found.cluster();
        assert_eq!(texts(&found), ["Invalid user <*> from <*> port <*>"]);
        assert_eq!(renamed.len(), 5);
        let joined = found.by_key.values().next().unwrap();
        assert_eq!((joined.count, joined.first.line, joined.last.line), (6, 0, 5));
        assert_eq!(&*joined.earliest[0].message, "Invalid user admin from 203.0.113.9 port 4411");
        // The same lines in another order: the same template, the same key.
        said.reverse();
        let mut again = table(&said);
        again.cluster();
        assert_eq!(again.by_key.keys().collect::<Vec<_>>(), found.by_key.keys().collect::<Vec<_>>());
    }

    #[test]
    fn a_few_states_and_first_words_stay_apart() {
        // Four states of one link: its own words, not a value.
        let states = ["lost", "restored", "degraded", "flapping"].map(|s| format!("link to the primary {s}"));
        let mut found = table(&states.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(found.cluster().is_empty());
        assert_eq!(found.by_key.len(), 4);
        // What differs in the first word is another message.
        let verbs = ["Started", "Stopped", "Reloaded", "Starting", "Stopping"].map(|v| format!("{v} the cache service"));
        let mut found = table(&verbs.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(found.cluster().is_empty());
    }

    #[test]
    fn values_join_the_template_that_already_masks_them() {
        // `favicon2.ico` has a digit: masked as the lines are read; the five without one
        // join it.
        let files = ["favicon2.ico", "robots.txt", "sitemap.xml", ".env", "admin.php", "index.bak"].map(|f| format!("Unknown action {f}"));
        let mut found = table(&files.iter().map(String::as_str).collect::<Vec<_>>());
        let masked = key_of(b"Unknown action favicon2.ico");
        let renamed = found.cluster();
        assert_eq!(texts(&found), ["Unknown action <*>"]);
        assert!(renamed.values().all(|k| *k == masked));
        assert_eq!(found.by_key[&masked].count, 6);
    }

    #[test]
    fn what_varies_is_masked_and_words_stay() {
        assert_eq!(
            t("process 4242 still waiting for ShareLock on transaction 7 after 1000.123 ms"),
            "process <*> still waiting for ShareLock on transaction <*> after <*> ms"
        );
        assert_eq!(
            t("Table './shop/orders' is marked as crashed and should be repaired"),
            "Table '<*>' is marked as crashed and should be repaired"
        );
        assert_eq!(
            t("connect to 10.0.4.17:5432 failed after 30s (attempt 3 of 5)"),
            "connect to <*>:<*> failed after <*> (attempt <*> of <*>)"
        );
        assert_eq!(t("GET /products/4711/reviews?page=2 took 812ms"), "GET <*> took <*>");
        assert_eq!(
            t("nothing mapped at /wp-login.php for 203.0.113.40"),
            t("nothing mapped at /.env for 203.0.113.41")
        );
        assert_eq!(t("refused path=/basket (halted)"), "refused path=<*> (halted)");
        assert_eq!(
            t("open /var/www/shop/releases/42/index.php failed"),
            "open /var/www/shop/releases/<*>/index.php failed"
        );
        assert_eq!(t("wrote /srv/spool/part.tmp"), "wrote /srv/spool/part.tmp");
        assert_eq!(t("a//b // c 1/2"), "a//b // c <*>/<*>");
        assert_eq!(
            t("job 9f1c2a4e-77b0-4c61-9d3e-0b5c8e1f2a33 done user=alice  region=eu-west-1"),
            "job <*> done user=alice region=<*>"
        );
        assert_eq!(
            t("mod_jk child workerEnv in error state 6"),
            "mod_jk child workerEnv in error state <*>"
        );
        assert_eq!(
            t("can't reach the ledger since Tue Dec 06"),
            "can't reach the ledger since <*> <*> <*>"
        );
    }

    #[test]
    fn a_message_with_its_detail_is_the_template_of_the_same_text_in_one_message() {
        assert_eq!(
            key_with(b"sync failed", b"quota 5 exhausted"),
            key_of(b"sync failed: quota 7 exhausted")
        );
        assert_ne!(key_with(b"sync failed", b"quota 5 exhausted"), key_of(b"sync failed"));
    }

    #[test]
    fn one_message_with_other_values_is_one_template() {
        let a = key_of(b"worker 12 gave up on order 998877 after 3 tries");
        let b = key_of(b"worker 7 gave up on order 1234 after 11 tries");
        assert_eq!(a, b);
        assert_ne!(a, key_of(b"worker 7 gave up on basket 1234 after 11 tries"));
        // A mask is not the text `<*>`.
        assert_ne!(key_of(b"value 7"), key_of(b"value <*>"));
    }

    fn mark(time: i64, line: u64) -> Mark {
        Mark {
            time,
            file: 0,
            offset: line * 10,
            line,
        }
    }

    #[test]
    fn tables_merge_the_same_in_any_order() {
        let lines: Vec<(i64, &str)> = (0..40)
            .map(|i| {
                (
                    i * 7 % 13,
                    if i % 5 == 0 {
                        "cache miss for key 17"
                    } else {
                        "deploy finished in 12 s"
                    },
                )
            })
            .collect();
        let table = |part: &[(i64, &str)], from: usize| {
            let mut t = Templates::default();
            for (i, (time, text)) in part.iter().enumerate() {
                t.add(text.as_bytes(), b"", None, false, mark(*time, (from + i) as u64), text.as_bytes());
            }
            t
        };
        let whole = table(&lines, 0);
        let mut halves = table(&lines[20..], 20);
        halves.absorb(table(&lines[..20], 0));
        assert_eq!(whole, halves);
        let miss = &whole.by_key[&key_of(b"cache miss for key 3")];
        assert_eq!(miss.count, 8);
        assert_eq!(miss.earliest.len(), EARLIEST);
        assert!(miss.earliest.windows(2).all(|w| w[0].mark < w[1].mark));
    }

    #[test]
    fn a_flood_of_distinct_messages_stays_bounded() {
        let mut table = Templates::default();
        for i in 0..(MAX_TEMPLATES + 500) {
            let word: String = format!("{i:x}")
                .chars()
                .map(|c| (b'g' + u8::try_from(c.to_digit(16).unwrap()).unwrap()) as char)
                .collect();
            let message = format!("unknown table {word}");
            table.add(message.as_bytes(), b"", None, false, mark(i as i64, i as u64), message.as_bytes());
        }
        assert_eq!(table.by_key.len(), MAX_TEMPLATES);
        assert_eq!(table.other, 500);
        assert_eq!(table.lines, (MAX_TEMPLATES + 500) as u64);
    }
}
