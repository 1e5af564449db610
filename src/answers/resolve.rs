//! Resolving the questions one by one, in file order, as Copier's `_ask`
//! does: `when`, given data, the answers file, defaults, prompts.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::context::{Fixed, Scope, Store};
use super::question::{Bound, Refusal, ResolvedChoice};
use super::{
    AnswerError, AnswerInput, Answers, DataItem, DataOrigin, PromptRequest, Prompter, conf,
    display_value,
};
use crate::jinja::Environment as Renderer;
use crate::spec::{AnswerType, Question, Spec};

/// Resolves every question of `spec`, asking `prompter` where allowed.
pub fn resolve(
    spec: &Spec,
    env: &Renderer,
    input: &AnswerInput,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Answers, AnswerError> {
    let known = || {
        spec.questions
            .iter()
            .map(|question| question.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut given: HashMap<&str, &DataItem> = HashMap::new();
    for item in &input.data {
        let strict = input.strict_data && !matches!(item.origin, DataOrigin::File(_));
        if strict && spec.question(&item.key).is_none() {
            return Err(AnswerError::Unknown {
                key: item.key.clone(),
                origin: format!("--data {}", item.key),
                known: known(),
            });
        }
        given.insert(&item.key, item);
    }
    if let Some(file) = input.answers_file.as_ref().filter(|file| file.strict) {
        if let Some(key) = file
            .values
            .keys()
            .find(|key| !key.starts_with('_') && spec.question(key).is_none())
        {
            return Err(AnswerError::Unknown {
                key: key.clone(),
                origin: format!("answers file `{}`", file.path),
                known: known(),
            });
        }
    }

    let store = Store::new(
        Fixed {
            folder_name: input.folder_name.clone(),
            src_path: input.src_path.clone(),
            commit: input.commit.clone(),
            conf: conf(input),
            operation: input.operation.clone().unwrap_or_else(|| "copy".into()),
        },
        input.answers_file_name.clone(),
        input.external.clone(),
    );
    let answers = Answers {
        store: Arc::clone(&store),
    };
    add_data(&store, spec, input);
    let mut external =
        super::external::Pending::new(&spec.external_data, &input.external, &input.conf.dst_path);
    for question in &spec.questions {
        external.load(env, &store, false)?;
        let bound = Bound {
            env,
            store: &store,
            question,
        };
        let context = answers.context();
        let asked = question
            .when
            .holds(env, &format!("{}.when", question.name), &context)?;
        let given = given.get(question.name.as_str()).copied();
        if !asked && question.default.is_none() && given.is_none() {
            // Copier leaves such a question undefined.
            continue;
        }
        let Some(value) = answer(
            &bound,
            input,
            given,
            asked,
            &context,
            prompter.as_deref_mut(),
        )?
        else {
            continue;
        };
        let mut values = store.write();
        let jinja = crate::answers::to_jinja(&value);
        values.map.insert(question.name.clone(), (value, jinja));
        values.order.push(question.name.clone());
        if asked && !question.secret {
            values.recorded.push(question.name.clone());
        }
    }
    external.load(env, &store, true)?;
    order_recorded(&store, input);
    Ok(answers)
}

/// The answer to one question, or `None` when it stays undefined.
fn answer<'p>(
    bound: &Bound<'_>,
    input: &AnswerInput,
    given: Option<&DataItem>,
    asked: bool,
    context: &minijinja::Value,
    prompter: Option<&mut (dyn Prompter + 'p)>,
) -> Result<Option<Value>, AnswerError> {
    let question = bound.question;
    let env = bound.env;
    let kind = bound.kind()?;
    let choices = bound.choices(kind)?;
    let recorded = input
        .answers_file
        .as_ref()
        .filter(|_| asked)
        .and_then(|file| file.values.get(&question.name).map(|value| (file, value)));
    let value = if let Some(item) = given {
        let origin = item.describe(question);
        accept(bound, kind, &choices, &item.value, &origin)?
    } else if let Some((file, value)) = recorded
        .filter(|(file, value)| file.strict || accept(bound, kind, &choices, value, "").is_ok())
    {
        let origin = format!("answers file `{}`", file.path);
        accept(bound, kind, &choices, value, &origin)?
    } else if !asked
        || input.defaults
        || !question
            .ask
            .holds(env, &format!("{}.ask", question.name), context)?
    {
        match bound.default()? {
            Some(default) => {
                let checked = asked && !question.secret;
                template_default(bound, kind, &choices, &default, checked)?
            }
            None if asked && input.defaults => {
                return Err(AnswerError::Required {
                    question: question.name.clone(),
                    flag: flag_of(question),
                });
            }
            None => return Ok(None),
        }
    } else if let Some(prompter) = prompter {
        ask(bound, kind, choices, prompter)?
    } else {
        return Err(AnswerError::Missing {
            question: question.name.clone(),
            flag: flag_of(question),
        });
    };
    Ok(Some(value))
}

fn flag_of(question: &Question) -> String {
    if question.has_flag_name() {
        question.flag()
    } else {
        format!("--data {}", question.name)
    }
}

/// Every `--data` value is a variable from the start, as in Copier (a
/// question's is cast when the question comes); data that answers no question
/// stays one.
fn add_data(store: &Arc<Store>, spec: &Spec, input: &AnswerInput) {
    let mut values = store.write();
    for item in &input.data {
        let jinja = crate::answers::to_jinja(&item.value);
        let earlier = values
            .map
            .insert(item.key.clone(), (item.value.clone(), jinja));
        // A question's own entry in `order` comes when it is answered.
        if earlier.is_none() && spec.question(&item.key).is_none() {
            values.order.push(item.key.clone());
        }
    }
}

/// Copier lists recorded answers as its answer maps merge: those of the
/// answers file first, then those given as data, then the rest as asked.
fn order_recorded(store: &Arc<Store>, input: &AnswerInput) {
    let file_rank: HashMap<&str, usize> = input
        .answers_file
        .iter()
        .flat_map(|file| file.values.keys())
        .enumerate()
        .map(|(rank, key)| (key.as_str(), rank))
        .collect();
    let data_rank: HashMap<&str, usize> = input
        .data
        .iter()
        .enumerate()
        .map(|(rank, item)| (item.key.as_str(), rank))
        .collect();
    let mut values = store.write();
    let mut recorded: Vec<(usize, usize, String)> = values
        .recorded
        .drain(..)
        .enumerate()
        .map(
            |(asked, name)| match (file_rank.get(name.as_str()), data_rank.get(name.as_str())) {
                (Some(&rank), _) => (0, rank, name),
                (None, Some(&rank)) => (1, rank, name),
                (None, None) => (2, asked, name),
            },
        )
        .collect();
    recorded.sort();
    values.recorded = recorded.into_iter().map(|(_, _, name)| name).collect();
}

/// Casts, checks choices and runs the validator on an answer the user gave.
fn accept(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: &[ResolvedChoice],
    value: &Value,
    origin: &str,
) -> Result<Value, AnswerError> {
    let invalid = |reason: String| AnswerError::Invalid {
        question: bound.question.name.clone(),
        value: display_value(value),
        origin: origin.to_owned(),
        reason,
    };
    let parsed = match bound.parse(kind, choices, value) {
        Ok(parsed) => parsed,
        Err(Refusal::Invalid(reason)) => return Err(invalid(reason)),
        Err(Refusal::Failed(err)) => return Err(err),
    };
    match bound.validate(&parsed) {
        Ok(()) => Ok(parsed),
        Err(Refusal::Invalid(reason)) => Err(invalid(reason)),
        Err(Refusal::Failed(err)) => Err(err),
    }
}

/// The template's own default: a bad one is the template's fault. Computed
/// values (`when: false`) and secrets are not validated, as in Copier.
fn template_default(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: &[ResolvedChoice],
    value: &Value,
    validate: bool,
) -> Result<Value, AnswerError> {
    let bad = |reason: String| AnswerError::BadDefault {
        question: bound.question.name.clone(),
        value: display_value(value),
        reason,
    };
    let parsed = match bound.parse(kind, choices, value) {
        Ok(parsed) => parsed,
        Err(Refusal::Invalid(reason)) => return Err(bad(reason)),
        Err(Refusal::Failed(err)) => return Err(err),
    };
    if validate {
        match bound.validate(&parsed) {
            Ok(()) => {}
            Err(Refusal::Invalid(reason)) => return Err(bad(reason)),
            Err(Refusal::Failed(err)) => return Err(err),
        }
    }
    Ok(parsed)
}

fn ask(
    bound: &Bound<'_>,
    kind: AnswerType,
    choices: Vec<ResolvedChoice>,
    prompter: &mut dyn Prompter,
) -> Result<Value, AnswerError> {
    let question = bound.question;
    let context = Scope::value(bound.store, Vec::new());
    let render_opt = |field: &str, text: &Option<String>| -> Result<Option<String>, AnswerError> {
        text.as_ref()
            .map(|text| {
                bound
                    .env
                    .render(&format!("{}.{field}", question.name), text, &context)
            })
            .transpose()
            .map_err(AnswerError::from)
    };
    let default = match bound.default()? {
        Some(default) => bound.parse(kind, &choices, &default).unwrap_or(default),
        None => Value::Null,
    };
    let request = PromptRequest {
        question,
        kind,
        help: render_opt("help", &question.help)?,
        default,
        // Typed as the answer will be, so the prompt finds the default among them.
        choices: choices
            .into_iter()
            .filter(|choice| choice.disabled.is_none())
            .map(|choice| ResolvedChoice {
                value: super::cast::cast_scalar(kind, &choice.value).unwrap_or(choice.value),
                ..choice
            })
            .collect(),
        placeholder: render_opt("placeholder", &question.placeholder)?,
        multiline: question.multiline.holds(
            bound.env,
            &format!("{}.multiline", question.name),
            &context,
        )?,
    };
    let all_choices = bound.choices(kind)?;
    loop {
        let value = prompter
            .ask(&request)
            .map_err(|message| AnswerError::Prompt {
                question: question.name.clone(),
                message,
            })?;
        let checked = bound
            .parse(kind, &all_choices, &value)
            .and_then(|parsed| bound.validate(&parsed).map(|()| parsed));
        match checked {
            Ok(parsed) => return Ok(parsed),
            Err(Refusal::Invalid(reason)) => prompter.refuse(&reason),
            Err(Refusal::Failed(err)) => return Err(err),
        }
    }
}
