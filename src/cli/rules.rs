//! `postmortem rules list|show|check`: the rules in force, as a table, as patterns for
//! `rg -f`, as written, or checked against their own examples.

use super::args::{load_rules, RulesCommand};
use super::output::finish_output;
use super::output::status;
use std::io::{self, Write};
use std::process::ExitCode;

/// Runs one `rules` command.
pub fn run(command: RulesCommand) -> ExitCode {
    let text = match text_of(command) {
        Ok(text) => text,
        Err(code) => return code,
    };
    match finish_output(io::stdout().write_all(text.as_bytes())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// What the command prints, or its exit status after saying what is wrong.
fn text_of(command: RulesCommand) -> Result<String, ExitCode> {
    let mut out = String::new();
    match command {
        RulesCommand::List { selection, patterns } => {
            let set = load_rules(&selection.rules, !selection.no_builtin_rules).ok_or(status::unusable_input())?;
            let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in set.rules() {
                match rule.plain_pattern() {
                    Some(pattern) if patterns => out.push_str(&format!("{pattern}\n")),
                    _ if patterns => {}
                    _ => out.push_str(&format!("{:<width$}  {:<19} {}\n", rule.id, rule.category.name(), rule.title)),
                }
            }
        }
        RulesCommand::Show { id, selection } => {
            let set = load_rules(&selection.rules, !selection.no_builtin_rules).ok_or(status::unusable_input())?;
            match postmortem::rules::builtin_text(id.as_deref(), &set) {
                Some(text) => out.push_str(&text),
                None => {
                    super::output::error_line(&format!("no rule `{}` (see `postmortem rules list`)", id.unwrap_or_default()));
                    return Err(status::unusable_input());
                }
            }
        }
        RulesCommand::Check { files } => {
            let set = load_rules(&files, files.is_empty()).ok_or(status::unusable_input())?;
            let problems = postmortem::rules::check(&set);
            for problem in &problems {
                super::output::say(&problem.to_string());
            }
            if !problems.is_empty() {
                return Err(status::unusable_input());
            }
            let checked: usize = set.rules().iter().map(|r| r.examples.len() + r.counterexamples.len()).sum();
            out.push_str(&format!(
                "{} rules, {checked} examples and counterexamples: all as expected\n",
                set.rules().len()
            ));
        }
    }
    Ok(out)
}
