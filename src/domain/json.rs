//! Reading JSON text into a `serde_json::Value`. Natively with serde_json's parser; in the
//! WebAssembly module with the JavaScript engine's own `JSON.parse` (ECMAScript, present
//! wherever the module runs, not a web API), converted to the same `Value`: the module then
//! carries no JSON parser of its own. Writing JSON is serde_json's everywhere.

use serde_json::Value;

/// How deep arrays and objects may nest: serde_json's limit, kept on both paths so the widget
/// reads the same texts natively and in the browser. serde_json refuses the 128th level
/// (at most 127 are read), where it is opened. Every walk over a `Value` from outside (the
/// conversion below, the readers of WordPress and schema.org, dropping the value) may then
/// recurse, as its depth is bounded.
pub const MAX_DEPTH: usize = 128;

/// What a reader is told when a text nests deeper than [`MAX_DEPTH`].
pub const TOO_DEEP: &str = "arrays and objects nested deeper than 127 levels";

/// Why a text is not JSON: the parser's words, and where (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub detail: String,
    pub line: usize,
    pub column: usize,
}

#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text).map_err(|error| {
        // serde_json's message ends with " at line L column C"; the position is kept apart.
        let message = error.to_string();
        let detail = message
            .rfind(" at line ")
            .map_or(message.as_str(), |at| &message[..at]);
        // Its "recursion limit exceeded" in the words the browser build uses.
        let detail = if detail == "recursion limit exceeded" {
            TOO_DEEP
        } else {
            detail
        }
        .to_owned();
        JsonError {
            detail,
            line: error.line(),
            column: error.column(),
        }
    })
}

#[cfg(target_arch = "wasm32")]
pub fn parse(text: &str) -> Result<Value, JsonError> {
    match js_sys::JSON::parse(text) {
        // The engine parses any depth; the conversion stops where serde_json would, and the
        // error names that place, as serde_json does.
        Ok(value) => from_js(&value, 0).ok_or_else(|| {
            let (line, column) = too_deep_at(text).unwrap_or((1, 1));
            JsonError {
                detail: TOO_DEEP.to_owned(),
                line,
                column,
            }
        }),
        Err(error) => {
            let message: String = js_sys::Error::from(error).message().into();
            let (line, column) = position(&message, text);
            // The engine's words without the position it appends (V8: "… in JSON at
            // position 12 (line 1 column 13)"; SpiderMonkey: "… at line 1 column 13 of the
            // JSON data"), which the message shows in the reader's language.
            let detail = [" in JSON at position", " at line "]
                .iter()
                .filter_map(|marker| message.find(marker))
                .min()
                .map_or(message.as_str(), |at| &message[..at])
                .trim_start_matches("JSON.parse: ")
                .to_owned();
            Err(JsonError {
                detail,
                line,
                column,
            })
        }
    }
}

/// The line and column an engine's message names: "line L column C" (V8 and SpiderMonkey),
/// else "position P" (counted in UTF-16 units, as JavaScript counts), else where the token it
/// names first occurs (V8: `Unexpected token '<', "<!doctype "... is not valid JSON`), else
/// the end.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn position(message: &str, text: &str) -> (usize, usize) {
    let number_after = |marker: &str| -> Option<usize> {
        let start = message.find(marker)? + marker.len();
        let digits: String = message[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    if let (Some(line), Some(column)) = (number_after("line "), number_after(" column ")) {
        return (line, column);
    }
    let token = message
        .split_once("token '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(token, _)| token)
        .filter(|token| !token.is_empty());
    let offset = number_after("position ")
        .or_else(|| {
            let at = text.find(token?)?;
            Some(text[..at].encode_utf16().count())
        })
        .unwrap_or(usize::MAX);
    let (mut line, mut column, mut units) = (1, 1, 0);
    for c in text.chars() {
        if units >= offset {
            break;
        }
        units += c.len_utf16();
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Where a text first opens its [`MAX_DEPTH`]th array or object (1-based line, and column in
/// bytes as serde_json counts), outside strings; `None` if it never does. Linear, no recursion.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn too_deep_at(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for (at, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth >= MAX_DEPTH {
                    return Some((line, at - line_start + 1));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                line_start = at + 1;
            }
            _ => {}
        }
    }
    None
}

/// The engine's value as a `Value`, `None` where arrays and objects nest [`MAX_DEPTH`] deep
/// (`depth`: how many enclose this value). The recursion is bounded by that limit: a deep
/// value overflowed the module's stack ("memory access out of bounds") before.
#[cfg(target_arch = "wasm32")]
fn from_js(value: &wasm_bindgen::JsValue, depth: usize) -> Option<Value> {
    use wasm_bindgen::JsCast;
    // The depth of what this value holds, if an array or object may open here.
    let inner = (depth + 1 < MAX_DEPTH).then_some(depth + 1);
    Some(if let Some(text) = value.as_string() {
        Value::String(text)
    } else if let Some(number) = value.as_f64() {
        // Whole numbers as integers, as serde_json reads them (ids, sizes).
        if number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0 {
            Value::from(number as i64)
        } else {
            serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
        }
    } else if let Some(flag) = value.as_bool() {
        Value::Bool(flag)
    } else if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        let inner = inner?;
        let mut items = Vec::new();
        for item in array.iter() {
            items.push(from_js(&item, inner)?);
        }
        Value::Array(items)
    } else if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        let inner = inner?;
        let mut map = serde_json::Map::new();
        for entry in js_sys::Object::entries(object).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            if let Some(key) = entry.get(0).as_string() {
                map.insert(key, from_js(&entry.get(1), inner)?);
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_from_an_engines_message_or_counted() {
        assert_eq!(position("Unexpected token (line 3 column 7)", ""), (3, 7));
        assert_eq!(
            position(
                "JSON.parse: unexpected character at line 2 column 4 of the JSON data",
                ""
            ),
            (2, 4)
        );
        assert_eq!(
            position("Unexpected token } in JSON at position 5", "{\n\"a\":}"),
            (2, 4)
        );
        assert_eq!(position("Unexpected end of JSON input", "{\"a\""), (1, 5));
        assert_eq!(
            position(
                "Unexpected token '<', \"<!doctype \"... is not valid JSON",
                "\n<!doctype html>"
            ),
            (2, 1)
        );
    }

    #[test]
    fn natively_serde_json_reads_it_and_says_where_it_stopped() {
        assert_eq!(
            parse("{\"a\": [1, true]}").unwrap()["a"][1],
            Value::Bool(true)
        );
        let error = parse("{\n  \"a\": }").unwrap_err();
        assert_eq!((error.line, error.column), (2, 8));
        assert_eq!(error.detail, "expected value");
    }

    /// The browser build finds the place by [`too_deep_at`]; natively serde_json does. The
    /// two must name the same line and column, in the same words, for every shape.
    #[test]
    fn nesting_past_the_limit_is_one_error_at_one_place_on_both_paths() {
        let deep = |open: &str, close: &str, levels: usize| {
            format!("{}1{}", open.repeat(levels), close.repeat(levels))
        };
        let cases = [
            deep("[", "]", 128),
            deep("[", "]", 5_000),
            deep("{\"a\":", "}", 128),
            deep("[{\"k\": ", "}]", 200),
            format!("[\"é ]]] [[[ \\\" [\",\n {}", deep("[", "]", 300)),
            format!("{{\"a\": \"{{{{\", \"b\":\n\n{}}}", deep(" [", "]", 130)),
            format!("[\"\\\\\", {}]", deep("[", "]", 127)),
        ];
        for text in &cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.detail, TOO_DEEP, "{text:.60}");
            assert_eq!(
                Some((error.line, error.column)),
                too_deep_at(text),
                "{text:.60}"
            );
        }
        // 127 levels are read, on both paths.
        let deepest = deep("[", "]", 127);
        assert!(parse(&deepest).is_ok());
        assert_eq!(too_deep_at(&deepest), None);
    }
}
