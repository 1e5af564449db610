//! `scaffold smoke` runs a template's `_smoke.checks` (shell commands) only
//! for builtin templates or with `--trust`.

use super::{copy_fixture, one_line};
use crate::support::Sandbox;

#[test]
fn checks_of_a_template_that_is_not_builtin_need_trust() {
    let sandbox = Sandbox::new();
    copy_fixture("smoke-checks", &sandbox.join("tpl"));
    let target = sandbox.join("target");
    let target = target.to_str().unwrap();
    let assert = sandbox
        .scaffold(&[
            "smoke",
            "--template",
            "tpl",
            "--target-dir",
            target,
            "--keep",
        ])
        .assert()
        .code(2);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains("--trust"), "{stderr}");
    assert!(stderr.contains("_smoke.checks"), "{stderr}");

    sandbox
        .scaffold(&[
            "smoke",
            "--template",
            "tpl",
            "--target-dir",
            target,
            "--render-only",
        ])
        .assert()
        .success();

    let assert = sandbox
        .scaffold(&[
            "smoke",
            "--template",
            "tpl",
            "--target-dir",
            target,
            "--trust",
            "--keep",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let kept = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Rendered projects kept in "))
        .and_then(|rest| rest.strip_suffix(':'))
        .unwrap_or_else(|| panic!("kept folder in: {stdout}"));
    let kept = std::path::Path::new(kept).join("smoke-01");
    assert!(
        kept.join("ran-a-check").exists(),
        "the check ran with --trust: {stdout}"
    );
}

#[test]
fn a_huge_smoke_matrix_is_not_expanded_when_the_template_loads() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("tpl")).unwrap();
    let mut spec = String::from("_smoke:\n  matrix:\n");
    for axis in 0..8 {
        spec.push_str(&format!("    q{axis}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"));
    }
    for axis in 0..8 {
        spec.push_str(&format!("q{axis}:\n  type: int\n  default: 0\n"));
    }
    std::fs::write(sandbox.join("tpl/copier.yml"), spec).unwrap();
    std::fs::write(sandbox.join("tpl/a.txt.jinja"), "{{ q0 }}\n").unwrap();
    sandbox
        .scaffold(&["new", "--help", "-t", "tpl"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success();
    sandbox
        .scaffold(&["new", "demo", "--defaults", "-t", "tpl"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success();
    let assert = sandbox
        .scaffold(&["smoke", "-t", "tpl", "--render-only"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1);
    let stderr = one_line(&assert.get_output().stderr);
    assert!(stderr.contains("100000000 combinations"), "{stderr}");
}
