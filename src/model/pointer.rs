//! RFC 6901 JSON pointers as the controller uses them for `claimsProperty`.

/// Normalises a claims property: trims it, maps empty to `default`, and prepends the `/` the
/// controller adds when it is missing (so `email` becomes `/email`).
pub fn normalize(raw: &str, default: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        default.to_string()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

/// Checks the escapes of a pointer: `~` must be followed by `0` or `1`.
pub fn check_syntax(pointer: &str) -> Result<(), String> {
    let mut chars = pointer.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') | Some('1') => {}
                _ => {
                    return Err(format!(
                        "\"{pointer}\" has a \"~\" that is not followed by 0 or 1 (write ~0 for ~ and ~1 for /)"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Resolves a normalised pointer in a JSON value: `~1` is `/`, `~0` is `~`, and array elements are
/// addressed by index (serde_json implements RFC 6901 exactly, so it is used as is).
pub fn resolve<'a>(value: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    value.pointer(pointer)
}

/// Like [`resolve`], starting from an object's map (saves wrapping, and cloning, the map).
pub fn resolve_in<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    pointer: &str,
) -> Option<&'a serde_json::Value> {
    let rest = pointer.strip_prefix('/')?;
    let (first, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let key = first.replace("~1", "/").replace("~0", "~");
    let value = object.get(&key)?;
    if tail.is_empty() {
        Some(value)
    } else {
        value.pointer(tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prepends_slash_and_defaults() {
        assert_eq!(normalize("email", "/sub"), "/email");
        assert_eq!(normalize("  ", "/sub"), "/sub");
        assert_eq!(normalize("/realm/user", "/sub"), "/realm/user");
    }

    #[test]
    fn resolves_escapes_and_indices() {
        let v = json!({"a/b": "x", "m~n": "y", "list": ["p", "q"]});
        assert_eq!(resolve(&v, "/a~1b"), Some(&json!("x")));
        assert_eq!(resolve(&v, "/m~0n"), Some(&json!("y")));
        assert_eq!(resolve(&v, "/list/1"), Some(&json!("q")));
        let map = v.as_object().unwrap();
        for p in ["/a~1b", "/m~0n", "/list/1", "/list", "/missing", "/list/9"] {
            assert_eq!(resolve_in(map, p), resolve(&v, p), "{p}");
        }
    }

    #[test]
    fn rejects_bad_escape() {
        assert!(check_syntax("/a~2").is_err());
        assert!(check_syntax("/a~").is_err());
        assert!(check_syntax("/a~0~1").is_ok());
    }
}
