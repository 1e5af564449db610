//! The whole rendered tree (paths, modes, contents) of every builtin answer
//! combination, as insta snapshots kept in `snapshots/` at the repository root.
//! The combinations are the builtin template's own smoke matrix (`_smoke`).

use scaffold::answers::{AnswerInput, DataItem, DataOrigin};
use scaffold::generate::render_with;
use scaffold::source::{DEFAULT_BUILTIN, Source};
use scaffold::spec::Spec;
use serde_json::{Map, Value};

fn combinations() -> Vec<Map<String, Value>> {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    let spec = Spec::load(&source).unwrap();
    let mut combinations = spec
        .smoke
        .map(|smoke| smoke.combinations)
        .unwrap_or_default();
    if combinations.is_empty() {
        combinations.push(Map::new());
    }
    combinations
}

fn snapshot_name(combination: &Map<String, Value>) -> String {
    let mut name = String::from("service");
    let mut sorted: Vec<_> = combination.iter().collect();
    sorted.sort_by_key(|(key, _)| *key);
    for (key, value) in sorted {
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let value: String = value
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        name.push_str(&format!("__{key}-{}", value.trim_matches('-')));
    }
    name
}

fn render(combination: &Map<String, Value>) -> scaffold::tree::Tree {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    let spec = Spec::load(&source).unwrap();
    let mut data = vec![DataItem::parse("project_name=demo").unwrap()];
    data.extend(combination.iter().map(|(key, value)| DataItem {
        key: key.clone(),
        value: value.clone(),
        origin: DataOrigin::Data,
    }));
    let input = AnswerInput {
        folder_name: "demo".into(),
        data,
        defaults: true,
        ..AnswerInput::default()
    };
    render_with(source, spec, input, None)
        .unwrap_or_else(|err| panic!("{}: {err}", snapshot_name(combination)))
        .tree
}

#[test]
fn every_builtin_combination_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"_commit: \S+", "_commit: [scaffold version]");
    settings.bind(|| {
        for combination in combinations() {
            let tree = render(&combination);
            insta::assert_snapshot!(snapshot_name(&combination), tree.dump());
        }
    });
}

#[test]
fn every_builtin_combination_renders_identically_twice() {
    for combination in combinations() {
        assert_eq!(
            render(&combination),
            render(&combination),
            "{}",
            snapshot_name(&combination)
        );
    }
}
