use super::*;

#[test]
fn template_references_are_recognised() {
    assert_eq!(
        TemplateRef::parse("gh:org/tpl"),
        TemplateRef::Git {
            url: "https://github.com/org/tpl.git".into(),
            given: "gh:org/tpl".into(),
        }
    );
    let local_git = TemplateRef::parse("git+file:///srv/tpl");
    assert_eq!(
        local_git,
        TemplateRef::Git {
            url: "file:///srv/tpl".into(),
            given: "git+file:///srv/tpl".into(),
        }
    );
    assert_eq!(
        local_git.describe(),
        "git+file:///srv/tpl",
        "_src_path is recorded as given, as Copier records it"
    );
    assert_eq!(
        TemplateRef::parse("builtin:service"),
        TemplateRef::Builtin("service".into())
    );
    assert_eq!(
        TemplateRef::parse("./my-template"),
        TemplateRef::Local("./my-template".into())
    );
    assert!(matches!(
        TemplateRef::parse("https://example.com/t.git"),
        TemplateRef::Git { .. }
    ));
}

#[test]
fn builtin_service_template_is_embedded() {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    assert!(
        source
            .read("templates/service/copier.yml")
            .unwrap()
            .is_some()
    );
    assert!(builtin_names().contains(&"service".to_owned()));
}

#[test]
fn builtin_versions_come_from_the_current_templates_or_a_frozen_release() {
    let current = Source::builtin_at(DEFAULT_BUILTIN, BUILTIN_VERSION).unwrap();
    assert_eq!(current.version(), Some(BUILTIN_VERSION));
    let old = Source::builtin_at(DEFAULT_BUILTIN, "0.0.1").unwrap();
    assert_eq!(old.version(), Some("0.0.1"));
    assert_eq!(
        old.read("templates/service/CHANGES.md").unwrap().as_deref(),
        Some(&b"Nothing yet.\n"[..])
    );
    let walked: Vec<String> = old
        .walk("templates/service")
        .unwrap()
        .into_iter()
        .map(|file| file.path)
        .collect();
    assert_eq!(walked, ["CHANGES.md", "README.md.jinja", "copier.yml"]);
    let err = Source::builtin_at(DEFAULT_BUILTIN, "0.0.0")
        .unwrap_err()
        .to_string();
    assert!(err.contains("version 0.0.0 is not embedded"), "{err}");
    assert!(err.contains("0.0.1"), "{err}");
}

#[test]
fn module_paths_cannot_leave_the_source() {
    let source = Source::builtin(DEFAULT_BUILTIN).unwrap();
    assert_eq!(
        source.resolve("../../modules/websocket").unwrap(),
        "modules/websocket"
    );
    assert!(source.resolve("../../../etc").is_err());
}
