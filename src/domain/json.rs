//! Reading JSON text into a `serde_json::Value`. Natively with serde_json's parser; in the
//! WebAssembly module with the JavaScript engine's own `JSON.parse` (ECMAScript, present
//! wherever the module runs, not a web API), converted to the same `Value`: the module then
//! carries no JSON parser of its own. Writing JSON is serde_json's everywhere.

use serde_json::Value;

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
            .map_or(message.as_str(), |at| &message[..at])
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
        Ok(value) => Ok(from_js(&value)),
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

#[cfg(target_arch = "wasm32")]
fn from_js(value: &wasm_bindgen::JsValue) -> Value {
    use wasm_bindgen::JsCast;
    if let Some(text) = value.as_string() {
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
        Value::Array(array.iter().map(|item| from_js(&item)).collect())
    } else if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        let mut map = serde_json::Map::new();
        for entry in js_sys::Object::entries(object).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            if let Some(key) = entry.get(0).as_string() {
                map.insert(key, from_js(&entry.get(1)));
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    }
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
}
