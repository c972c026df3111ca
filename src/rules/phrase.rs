//! What a rule's lines say happened, in a sentence of ours built from what the rule
//! captured: `cron started {command}` becomes "cron started `/usr/local/bin/optimize
//! --all`". Braces name a captured field (quoted when shown), `{a|b}` the first of several
//! that the line has, and `{message}` what the line says after its family's header.

use std::fmt;

/// A piece of a phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Our words.
    Text(String),
    /// The value of the first of these fields the line has, quoted when shown.
    Field(Vec<String>),
}

/// A rule's phrase, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Phrase {
    pub pieces: Vec<Piece>,
}

/// A placeholder every line has: what it says after its family's header.
pub const MESSAGE: &str = "message";

impl Phrase {
    /// Parses `text`; every field must be one of `fields` (the rule's captures, and
    /// `message`).
    pub fn parse(text: &str, fields: &[&str]) -> Result<Phrase, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("phrase `{text}`: a `{{` is not closed"))?
                + open;
            let names: Vec<String> = rest[open + 1..close].split('|').map(|n| n.trim().to_string()).collect();
            for name in &names {
                if name != MESSAGE && !fields.contains(&name.as_str()) {
                    return Err(format!(
                        "phrase `{text}`: `{name}` is not captured by the pattern (captured: {}; and `message`)",
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
            return Err(format!("phrase `{text}`: a `}}` is not opened"));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Phrase { pieces })
    }

    /// The phrase with each field's value, or `None` when a field is missing: then the
    /// rule's title says it instead. `value` looks a field up by name.
    pub fn fill<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> Option<Vec<Filled>> {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(t) => Some(Filled::Text(t.clone())),
                Piece::Field(names) => names
                    .iter()
                    .find_map(|n| value(n).filter(|v| !v.trim().is_empty()))
                    .map(|v| Filled::Quote(v.trim().to_string())),
            })
            .collect()
    }
}

/// A piece of a filled phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filled {
    Text(String),
    Quote(String),
}

impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => f.write_str(t)?,
                Piece::Field(names) => write!(f, "{{{}}}", names.join("|"))?,
            }
        }
        Ok(())
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
    fn a_phrase_names_only_what_the_pattern_captures() {
        let error = Phrase::parse("{table} locked", &["command"]).unwrap_err();
        assert!(error.contains("`table` is not captured"), "{error}");
        assert!(Phrase::parse("{message} ran", &[]).is_ok());
        assert!(Phrase::parse("broken {field", &["field"]).is_err());
    }
}
