//! How `PyYAML` writes one scalar: whether YAML 1.1 would read it back as a
//! string unquoted, which styles its characters allow, and the escapes of
//! double-quoted text.

use std::sync::LazyLock;

use regex::Regex;

/// Whether `PyYAML`'s YAML 1.1 resolver reads `text`, unquoted, as a string.
pub(super) fn resolves_to_str(text: &str) -> bool {
    static IMPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
            r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+",
            r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|<<|~|null|Null|NULL|=",
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?",
            r")$"
        ))
        .expect("the YAML 1.1 resolver patterns are valid")
    });
    const WORDS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ];
    // Every pattern but the words starts with one of these: most text is
    // decided without compiling the patterns, which costs more than a
    // small render.
    match text.chars().next() {
        None => false,
        Some(first) if first.is_ascii_alphabetic() => !WORDS.contains(&text),
        Some(first) if !"0123456789+-.<~=".contains(first) => true,
        Some(_) => !IMPLICIT.is_match(text),
    }
}

/// `PyYAML`'s `analyze_scalar`, reduced to the choices it feeds.
#[allow(clippy::struct_excessive_bools, reason = "PyYAML's analysis is flags")]
pub(super) struct Analysis {
    pub multiline: bool,
    pub flow_plain: bool,
    pub block_plain: bool,
    pub single_quoted: bool,
}

pub(super) fn is_break(character: char) -> bool {
    matches!(character, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(character: Option<char>) -> bool {
    character.is_none_or(|c| matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c))
}

pub(super) fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single_quoted: true,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut flow_indicators, mut block_indicators) = (false, false);
    if text.starts_with("---") || text.starts_with("...") {
        (flow_indicators, block_indicators) = (true, true);
    }
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading, mut trailing, mut break_space, mut space_break) =
        (false, false, false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (index, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = is_blank(chars.get(index + 1).copied());
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) || (c == '-' && followed_by_whitespace) {
                (flow_indicators, block_indicators) = (true, true);
            }
            if c == '?' || c == ':' {
                flow_indicators = true;
                block_indicators |= followed_by_whitespace;
            }
        } else {
            if ",?[]{}".contains(c) {
                flow_indicators = true;
            }
            if c == ':' {
                flow_indicators = true;
                block_indicators |= followed_by_whitespace;
            }
            if c == '#' && preceded_by_whitespace {
                (flow_indicators, block_indicators) = (true, true);
            }
        }
        line_breaks |= is_break(c);
        if !(c == '\n' || (' '..='~').contains(&c)) {
            let printable = c == '\u{85}'
                || ('\u{a0}'..='\u{d7ff}').contains(&c)
                || ('\u{e000}'..='\u{fffd}').contains(&c)
                || ('\u{10000}'..'\u{10ffff}').contains(&c);
            special |= !printable || c == '\u{feff}';
        }
        let last = index == chars.len() - 1;
        if c == ' ' {
            leading |= index == 0;
            trailing |= last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(c) {
            leading |= index == 0;
            trailing |= last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = is_blank(Some(c));
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single_quoted: true,
    };
    if leading || trailing || line_breaks {
        (analysis.flow_plain, analysis.block_plain) = (false, false);
    }
    if break_space || space_break || special {
        (
            analysis.flow_plain,
            analysis.block_plain,
            analysis.single_quoted,
        ) = (false, false, false);
    }
    analysis.flow_plain &= !flow_indicators;
    analysis.block_plain &= !block_indicators;
    analysis
}

pub(super) fn escape(c: char) -> String {
    match c {
        '\0' => "\\0".into(),
        '\u{7}' => "\\a".into(),
        '\u{8}' => "\\b".into(),
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\u{b}' => "\\v".into(),
        '\u{c}' => "\\f".into(),
        '\r' => "\\r".into(),
        '\u{1b}' => "\\e".into(),
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        '\u{85}' => "\\N".into(),
        '\u{a0}' => "\\_".into(),
        '\u{2028}' => "\\L".into(),
        '\u{2029}' => "\\P".into(),
        c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
        c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
        c => format!("\\U{:08X}", c as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::resolves_to_str;

    #[test]
    fn text_reads_back_as_pyyaml_reads_it() {
        for text in [
            "yES", "demo", "nothing", "Nullable", "1e5", "é", "a: b", "#x", "0.1.2x",
        ] {
            assert!(resolves_to_str(text), "{text} should stay text");
        }
        for text in [
            "",
            "yes",
            "Off",
            "NULL",
            "~",
            "=",
            "<<",
            "1.5",
            "+.inf",
            ".NaN",
            "0x1F",
            "0b10",
            "017",
            "-3",
            "1:30",
            "2024-01-01",
            "2024-1-2 3:04:05Z",
        ] {
            assert!(
                !resolves_to_str(text),
                "{text} should not read back as text"
            );
        }
    }
}
