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

/// Resolves `pointer` in a token's payload the way the controller does (go-openapi/jsonpointer,
/// called from `resolveStringClaimSelector`): a missing leading `/` is added; each token is
/// unescaped `~1` → `/` then `~0` → `~`, and any other `~` is left as it is (no error); an array
/// element is addressed by Go's `strconv.Atoi` reading of the token, so `01` and `+1` are index 1.
pub fn resolve_like_controller<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    pointer: &str,
) -> Result<&'a serde_json::Value, String> {
    use serde_json::Value;
    let pointer = if pointer.starts_with('/') {
        pointer.to_string()
    } else {
        format!("/{pointer}")
    };
    let mut tokens = pointer[1..].split('/');
    let first = tokens.next().unwrap_or_default();
    let key = first.replace("~1", "/").replace("~0", "~");
    let mut current = object
        .get(&key)
        .ok_or_else(|| format!("the payload has no member \"{key}\""))?;
    for token in tokens {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Object(map) => map
                .get(&token)
                .ok_or_else(|| format!("object has no member \"{token}\""))?,
            Value::Array(items) => {
                let index =
                    go_atoi(&token).ok_or_else(|| format!("\"{token}\" is not an array index"))?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| items.get(i))
                    .ok_or_else(|| {
                        format!(
                            "index {index} is out of bounds (the array has {})",
                            items.len()
                        )
                    })?
            }
            other => {
                return Err(format!(
                    "\"{token}\" cannot be looked up in a {}",
                    match other {
                        Value::String(_) => "string",
                        Value::Number(_) => "number",
                        Value::Bool(_) => "boolean",
                        _ => "null",
                    }
                ));
            }
        };
    }
    Ok(current)
}

/// Go's `strconv.Atoi`: an optional sign, then decimal digits (leading zeros allowed).
fn go_atoi(token: &str) -> Option<i64> {
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn controller_reading_of_indices_and_escapes() {
        let v = json!({"groups": ["a", "b"], "x~2": "lit", "n": {"k": 1}});
        let map = v.as_object().unwrap();
        assert_eq!(resolve_like_controller(map, "groups/01"), Ok(&json!("b")));
        assert_eq!(resolve_like_controller(map, "/groups/+1"), Ok(&json!("b")));
        assert!(resolve_like_controller(map, "/groups/-1").is_err());
        assert!(resolve_like_controller(map, "/groups/-").is_err());
        assert_eq!(resolve_like_controller(map, "/x~2"), Ok(&json!("lit")));
        assert!(resolve_like_controller(map, "/n/k/z").is_err());
    }

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
