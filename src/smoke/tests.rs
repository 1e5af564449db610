use super::*;

fn report(render: RenderOutcome, checks: Vec<CheckReport>) -> SmokeReport {
    SmokeReport {
        template: "t".into(),
        checks: checks.iter().map(|check| check.command.clone()).collect(),
        combinations: vec![CombinationReport {
            combination: Combination::new(
                1,
                1,
                serde_json::from_str(r#"{"a": "x<y", "b": true}"#).unwrap(),
                &spec("b: true\na: x\n"),
            ),
            render: RenderReport {
                outcome: render,
                elapsed: Duration::from_millis(5),
            },
            checks,
            project: PathBuf::from("p"),
        }],
        target_dir: PathBuf::from("target"),
        kept: None,
        elapsed: Duration::from_secs(1),
    }
}

fn spec(text: &str) -> Spec {
    Spec::parse("copier.yml", text).unwrap()
}

#[test]
fn label_lists_the_varied_answers_in_question_order_or_says_defaults() {
    let report = report(RenderOutcome::Identical { files: 1 }, Vec::new());
    assert_eq!(report.combinations[0].combination.label(), "b=true a=x<y");
    let defaults = Combination::new(1, 1, Map::new(), &spec(""));
    assert_eq!(defaults.label(), "defaults");
}

#[test]
fn a_template_without_smoke_settings_renders_its_defaults_once() {
    let spec = spec("a: x\n");
    let combinations = combinations(&spec).unwrap();
    assert_eq!(combinations.len(), 1);
    assert_eq!(combinations.get(0).unwrap().label(), "defaults");
    assert!(combinations.get(1).is_none());
}

#[test]
fn xml_escape_handles_markup_and_characters_xml_cannot_hold() {
    assert_eq!(
        xml_escape("a<b>&\"c\" 'd'\n\u{1b}[31m"),
        "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;\n\\u{1b}[31m"
    );
}

#[test]
fn junit_counts_failures_and_carries_the_failing_output() {
    let failing = CheckReport {
        command: "cargo test".into(),
        rendered: "cargo test".into(),
        outcome: CheckOutcome::Failed { code: Some(101) },
        elapsed: Duration::from_millis(1500),
        output: "error[E0308]: mismatched types\n --> src/lib.rs:2:5".into(),
    };
    let passing = CheckReport {
        command: "cargo fmt --check".into(),
        rendered: "cargo fmt --check".into(),
        outcome: CheckOutcome::Passed,
        elapsed: Duration::from_millis(100),
        output: String::new(),
    };
    let xml = report(
        RenderOutcome::Identical { files: 3 },
        vec![passing, failing],
    )
    .junit();
    assert!(
        xml.contains(r#"<testsuites name="scaffold smoke t" tests="3" failures="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="b=true a=x&lt;y" tests="3" failures="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="exit status 101">error[E0308]"#),
        "{xml}"
    );
    assert!(xml.contains("--&gt; src/lib.rs:2:5</failure>"), "{xml}");
}

#[test]
fn a_failed_render_skips_the_checks_in_junit() {
    let skipped = CheckReport {
        command: "true".into(),
        rendered: "true".into(),
        outcome: CheckOutcome::Skipped,
        elapsed: Duration::ZERO,
        output: String::new(),
    };
    let xml = report(
        RenderOutcome::Failed {
            message: "a.jinja:3: undefined value".into(),
        },
        vec![skipped],
    )
    .junit();
    assert!(
        xml.contains(r#"<failure message="render failed">a.jinja:3: undefined value</failure>"#),
        "{xml}"
    );
    assert!(xml.contains("<skipped "), "{xml}");
}

#[test]
fn compare_folders_names_every_difference() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for root in [first.path(), second.path()] {
        fs::create_dir(root.join("src")).unwrap();
        fs::write(root.join("src/same.rs"), "same").unwrap();
    }
    fs::write(first.path().join("src/changed.rs"), "one").unwrap();
    fs::write(second.path().join("src/changed.rs"), "two").unwrap();
    fs::write(first.path().join("only-first"), "").unwrap();
    fs::write(second.path().join("only-second"), "").unwrap();
    assert_eq!(
        compare_folders(first.path(), second.path()).unwrap(),
        ["only-first", "only-second", "src/changed.rs"]
    );
}
