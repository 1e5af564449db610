//! Interactive questions on a terminal, with dialoguer.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};
use serde_json::Value;

use crate::answers::{PromptRequest, Prompter, cast};
use crate::spec::AnswerType;

/// Asks on the controlling terminal (stderr), re-asking on invalid answers.
#[derive(Default)]
pub struct TerminalPrompter {
    theme: ColorfulTheme,
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => serde_norway::to_string(other)
            .map(|text| text.trim_end().to_owned())
            .unwrap_or_default(),
    }
}

impl Prompter for TerminalPrompter {
    fn ask(&mut self, request: &PromptRequest<'_>) -> Result<Value, String> {
        let question = request.question;
        let mut prompt = match &request.help {
            Some(help) => format!("{} ({})", help.trim(), question.name),
            None => question.name.clone(),
        };
        if let Some(placeholder) = &request.placeholder {
            prompt.push_str(&format!(" [e.g. {placeholder}]"));
        }
        let failed = |err: dialoguer::Error| err.to_string();

        if !request.choices.is_empty() {
            let labels: Vec<&str> = request
                .choices
                .iter()
                .map(|choice| choice.label.as_str())
                .collect();
            if question.multiselect {
                let chosen: Vec<bool> = request
                    .choices
                    .iter()
                    .map(|choice| match &request.default {
                        Value::Array(items) => items.contains(&choice.value),
                        _ => false,
                    })
                    .collect();
                let picked = MultiSelect::with_theme(&self.theme)
                    .with_prompt(prompt)
                    .items(&labels)
                    .defaults(&chosen)
                    .interact()
                    .map_err(failed)?;
                return Ok(Value::Array(
                    picked
                        .into_iter()
                        .map(|index| request.choices[index].value.clone())
                        .collect(),
                ));
            }
            let default = request
                .choices
                .iter()
                .position(|choice| choice.value == request.default)
                .unwrap_or(0);
            let picked = Select::with_theme(&self.theme)
                .with_prompt(prompt)
                .items(&labels)
                .default(default)
                .interact()
                .map_err(failed)?;
            return Ok(request.choices[picked].value.clone());
        }

        if request.kind == AnswerType::Bool {
            let answer = Confirm::with_theme(&self.theme)
                .with_prompt(prompt)
                .default(request.default.as_bool().unwrap_or(false))
                .interact()
                .map_err(failed)?;
            return Ok(Value::Bool(answer));
        }

        let raw = if question.secret {
            let typed = Password::with_theme(&self.theme)
                .with_prompt(format!("{prompt} (leave empty for the default)"))
                .allow_empty_password(true)
                .interact()
                .map_err(failed)?;
            if typed.is_empty() {
                text_of(&request.default)
            } else {
                typed
            }
        } else {
            Input::<String>::with_theme(&self.theme)
                .with_prompt(prompt)
                .default(text_of(&request.default))
                .allow_empty(true)
                .interact_text()
                .map_err(failed)?
        };
        cast(request.kind, question, &raw).or_else(|reason| {
            self.refuse(&reason);
            self.ask(request)
        })
    }

    fn refuse(&mut self, message: &str) {
        eprintln!("  {} {message}", console_cross());
    }
}

fn console_cross() -> &'static str {
    "✘"
}
