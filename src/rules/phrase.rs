//! What a rule's lines say happened, in a sentence of ours built from what the rule
//! captured: `cron started {command}` becomes "cron started `/usr/local/bin/optimize
//! --all`". Braces name a captured field (quoted when shown), `{a|b}` the first of several
//! that the line has, `{message}` what the line says after its family's header, and
//! `{entry}` the rest of a multi-line entry (a slow-log entry's statement).
//! Square brackets hold a part that is left out when a field in it is missing:
//! `statements took {duration_ms} ms[, such as {statement}]`.

use std::fmt;

/// A piece of a phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Our words.
    Text(String),
    /// The value of the first of these fields the line has, quoted when shown.
    Field(Vec<String>),
    /// Pieces said only when every field in them is there.
    Optional(Vec<Piece>),
}

/// A rule's phrase, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Phrase {
    pub pieces: Vec<Piece>,
}

/// A placeholder every line has: what it says after its family's header.
pub const MESSAGE: &str = "message";
/// A placeholder for the rest of a multi-line entry (a slow-log entry's statement),
/// where the format has such entries.
pub const ENTRY: &str = "entry";

/// The text and fields of `text`, which holds no brackets.
fn plain_pieces(text: &str, whole: &str, fields: &[&str]) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("phrase `{whole}`: a `{{` is not closed"))?
            + open;
        let names: Vec<String> = rest[open + 1..close].split('|').map(|n| n.trim().to_string()).collect();
        for name in &names {
            if name != MESSAGE && name != ENTRY && !fields.contains(&name.as_str()) {
                return Err(format!(
                    "phrase `{whole}`: `{name}` is not captured by the pattern (captured: {}; and `message`, `entry`)",
                    if fields.is_empty() {
                        "nothing".to_string()
                    } else {
                        fields.join(", ")
                    }
                ));
            }
        }
        pieces.push(Piece::Field(names));
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("phrase `{whole}`: a `}}` is not opened"));
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

impl Phrase {
    /// Parses `text`; every field must be one of `fields` (the rule's captures, and
    /// `message`).
    pub fn parse(text: &str, fields: &[&str]) -> Result<Phrase, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            pieces.extend(plain_pieces(&rest[..open], text, fields)?);
            let close = rest[open..]
                .find(']')
                .ok_or_else(|| format!("phrase `{text}`: a `[` is not closed"))?
                + open;
            let inner = &rest[open + 1..close];
            if inner.contains('[') {
                return Err(format!("phrase `{text}`: brackets do not nest"));
            }
            pieces.push(Piece::Optional(plain_pieces(inner, text, fields)?));
            rest = &rest[close + 1..];
        }
        if rest.contains(']') {
            return Err(format!("phrase `{text}`: a `]` is not opened"));
        }
        pieces.extend(plain_pieces(rest, text, fields)?);
        Ok(Phrase { pieces })
    }

    /// The phrase with each field's value, or `None` when a field outside brackets is
    /// missing: then the rule's title says it instead. `value` looks a field up by name.
    pub fn fill<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> Option<Vec<Filled>> {
        fill_pieces(&self.pieces, &value)
    }
}

fn fill_pieces<'a>(pieces: &[Piece], value: &impl Fn(&str) -> Option<&'a str>) -> Option<Vec<Filled>> {
    let mut filled = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => filled.push(Filled::Text(t.clone())),
            Piece::Field(names) => filled.push(
                names
                    .iter()
                    .find_map(|n| value(n).filter(|v| !v.trim().is_empty()))
                    .map(|v| Filled::Quote(v.trim().to_string()))?,
            ),
            Piece::Optional(inner) => filled.extend(fill_pieces(inner, value).unwrap_or_default()),
        }
    }
    Some(filled)
}

/// A piece of a filled phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filled {
    Text(String),
    Quote(String),
}

impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn write(f: &mut fmt::Formatter<'_>, pieces: &[Piece]) -> fmt::Result {
            for piece in pieces {
                match piece {
                    Piece::Text(t) => f.write_str(t)?,
                    Piece::Field(names) => write!(f, "{{{}}}", names.join("|"))?,
                    Piece::Optional(inner) => {
                        f.write_str("[")?;
                        write(f, inner)?;
                        f.write_str("]")?;
                    }
                }
            }
            Ok(())
        }
        write(f, &self.pieces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_filled_and_quoted() {
        let phrase = Phrase::parse("cron started {command}", &["user", "command"]).unwrap();
        let filled = phrase
            .fill(|n| (n == "command").then_some("/usr/local/bin/optimize --all"))
            .unwrap();
        assert_eq!(
            filled,
            [
                Filled::Text("cron started ".into()),
                Filled::Quote("/usr/local/bin/optimize --all".into())
            ]
        );
        let alternatives = Phrase::parse("the application threw {exception|php_exception}", &["exception", "php_exception"]).unwrap();
        assert_eq!(
            alternatives.fill(|n| (n == "php_exception").then_some("PDOException")).unwrap()[1],
            Filled::Quote("PDOException".into())
        );
        // A field the line lacks: no phrase (the title says it).
        assert_eq!(phrase.fill(|_| None), None);
        assert_eq!(phrase.to_string(), "cron started {command}");
    }

    #[test]
    fn a_bracketed_part_is_said_only_when_its_fields_are_there() {
        let phrase = Phrase::parse("statements took {ms} ms[, such as {statement}]", &["ms", "statement"]).unwrap();
        let with = phrase
            .fill(|n| match n {
                "ms" => Some("18450"),
                "statement" => Some("SELECT 1"),
                _ => None,
            })
            .unwrap();
        assert_eq!(with.len(), 5);
        assert_eq!(with[3], Filled::Text(", such as ".into()));
        assert_eq!(with[4], Filled::Quote("SELECT 1".into()));
        let without = phrase.fill(|n| (n == "ms").then_some("18450")).unwrap();
        assert_eq!(
            without,
            [
                Filled::Text("statements took ".into()),
                Filled::Quote("18450".into()),
                Filled::Text(" ms".into())
            ]
        );
        assert_eq!(phrase.to_string(), "statements took {ms} ms[, such as {statement}]");
        assert!(Phrase::parse("a [b [c]]", &[]).is_err());
        assert!(Phrase::parse("a [b", &[]).is_err());
        assert!(Phrase::parse("a b]", &[]).is_err());
        assert!(Phrase::parse("[{missing}]", &["other"]).is_err());
    }

    #[test]
    fn a_phrase_names_only_what_the_pattern_captures() {
        let error = Phrase::parse("{table} locked", &["command"]).unwrap_err();
        assert!(error.contains("`table` is not captured"), "{error}");
        assert!(Phrase::parse("{message} ran", &[]).is_ok());
        assert!(Phrase::parse("broken {field", &["field"]).is_err());
    }
}
