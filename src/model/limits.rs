//! Size caps and character rules for stored text (design §7), shared by every entity.
//!
//! Caps keep one hostile row (a 250 KB paste, an import) from costing every later listing;
//! the character rules keep a value from driving the terminal or posing as another.

use super::error::ValidationErrors;
use crate::text::{escape, is_bidi, is_control, is_invisible};

/// Longest name, in characters.
pub const NAME_MAX_CHARS: usize = 256;
/// Longest URL or issuer, in bytes.
pub const URL_MAX_BYTES: usize = 2 * 1024;
/// Longest other one-line value (audience, kid, external ID, client ID, pointers), in bytes.
pub const TEXT_MAX_BYTES: usize = 2 * 1024;
/// Longest certificate PEM, in bytes.
pub const PEM_MAX_BYTES: usize = 64 * 1024;
/// Longest tags object (as JSON) or scope list, in bytes.
pub const TAGS_MAX_BYTES: usize = 64 * 1024;

/// How strict a field is about its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Characters {
    /// Names: no control characters, and no bidi or invisible ones either, which would let
    /// two different names look the same.
    Name,
    /// Values compared byte for byte (issuer, audience, external ID): no control characters.
    Plain,
    /// Anything (the value is only shown, and escaped when shown).
    Any,
}

/// Records an error for `field` when `value` breaks its cap or its character rule.
pub fn check(
    errors: &mut ValidationErrors,
    field: &'static str,
    value: &str,
    max_bytes: usize,
    characters: Characters,
) {
    if value.len() > max_bytes {
        errors.push(
            field,
            format!(
                "is {} bytes; at most {} are allowed",
                value.len(),
                max_bytes
            ),
        );
        return;
    }
    if characters != Characters::Any
        && let Some(c) = value.chars().find(|c| is_control(*c))
    {
        errors.push(
            field,
            format!(
                "holds the control character {} (in \"{}\"); remove it",
                escape(&c.to_string()),
                escape(value)
            ),
        );
        return;
    }
    if characters == Characters::Name
        && let Some(c) = value.chars().find(|c| is_bidi(*c) || is_invisible(*c))
    {
        errors.push(
            field,
            format!(
                "holds the invisible or bidi character {} (in \"{}\"), which makes two names look alike; remove it",
                escape(&c.to_string()),
                escape(value)
            ),
        );
    }
}

/// Records an error when a name is longer than [`NAME_MAX_CHARS`] or breaks the name rule.
pub fn check_name(errors: &mut ValidationErrors, field: &'static str, value: &str) {
    let chars = value.chars().count();
    if chars > NAME_MAX_CHARS {
        errors.push(
            field,
            format!("is {chars} characters; at most {NAME_MAX_CHARS} are allowed"),
        );
        return;
    }
    check(errors, field, value, usize::MAX, Characters::Name);
}

/// A warning for a value that holds bidi or invisible characters (allowed outside names, but
/// worth knowing: it may not be what it looks like).
pub fn lookalike_warning(label: &str, value: &str) -> Option<String> {
    value
        .chars()
        .find(|c| is_bidi(*c) || is_invisible(*c))
        .map(|c| {
            format!(
                "{label} holds the invisible or bidi character {}: \"{}\" may not be what it looks like",
                escape(&c.to_string()),
                escape(value)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(value: &str, characters: Characters) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        check(&mut errors, "issuer", value, 64, characters);
        errors
    }

    #[test]
    fn control_characters_are_refused_and_named_escaped() {
        let errors = errors_of("https://idp\u{1b}]0;T\u{7}", Characters::Plain);
        let message = errors.for_field("issuer").unwrap();
        assert!(message.contains("\\u{1b}"), "{message}");
        assert!(!message.contains('\u{1b}'));
        assert!(
            errors_of("a\u{9b}b", Characters::Plain)
                .for_field("issuer")
                .is_some()
        );
        assert!(
            errors_of("a\u{0}b", Characters::Plain)
                .for_field("issuer")
                .is_some()
        );
        assert!(
            errors_of("a\u{200b}b", Characters::Plain).is_empty(),
            "allowed outside names"
        );
        assert!(errors_of("a\u{1b}", Characters::Any).is_empty());
    }

    #[test]
    fn names_refuse_lookalikes_and_length() {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, "name", "alice\u{200b}");
        assert!(errors.for_field("name").unwrap().contains("look alike"));
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, "name", &"é".repeat(257));
        assert!(errors.for_field("name").unwrap().contains("257 characters"));
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, "name", &"é".repeat(256));
        assert!(errors.is_empty());
    }

    #[test]
    fn caps_count_bytes() {
        assert!(
            errors_of(&"x".repeat(65), Characters::Any)
                .for_field("issuer")
                .unwrap()
                .contains("65 bytes")
        );
        assert!(errors_of(&"x".repeat(64), Characters::Any).is_empty());
    }
}
