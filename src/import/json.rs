//! Strict JSON for the readers of JSON exports ([`super::ethereum_etl`] JSON lines and
//! [`super::bitcoin_rpc`] documents).
//!
//! `serde_json` keeps the last of two equal keys in one object without a word: an object
//! `{"value": 1, "value": 2}` would silently read as 2. Evidence must not depend on which
//! copy a parser happens to keep, so [`StrictValue`] refuses such an object, naming the key.
//! Numbers keep their exact text (the crate's `arbitrary_precision` feature), so amounts are
//! read from the digits as written, never through `f64`. Memory is bounded by one value: the
//! readers parse one line (ethereum-etl) or one document (Bitcoin Core RPC) at a time.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The key under which `serde_json` (with `arbitrary_precision`) hands over a number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON value read with duplicate keys refused at every depth.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictValue(pub Value);

/// The message of a duplicate key, without position (the caller adds file, line or record).
#[must_use]
pub fn duplicate_key_message(key: &str) -> String {
    format!("duplicate key {key:?} in one object: expected each key once (which copy counts cannot be told)")
}

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("a number that is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if first && key == NUMBER_TOKEN {
                // A number, handed over as its exact text.
                let text: String = map.next_value()?;
                let n: Number = text.parse().map_err(|_| de::Error::custom(format!("not a number: {text}")))?;
                return Ok(Value::Number(n));
            }
            first = false;
            if out.contains_key(&key) {
                return Err(de::Error::custom(duplicate_key_message(&key)));
            }
            let StrictValue(v) = map.next_value_seed(StrictSeed)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

struct StrictSeed;

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = StrictValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StrictValue, D::Error> {
        StrictValue::deserialize(d)
    }
}

/// Parses one JSON text strictly.
///
/// # Errors
/// `serde_json`'s error (syntax, or a duplicate key named by [`duplicate_key_message`]).
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<StrictValue>(text).map(|v| v.0)
}

/// The message of a `serde_json` error without its ` at line L column C` tail, and the column.
#[must_use]
pub fn error_parts(e: &serde_json::Error) -> (String, usize) {
    let what = e.to_string();
    let what = what.split(" at line ").next().unwrap_or_default().to_owned();
    (what, e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for text in [r#"{"value": 1, "value": 2}"#, r#"{"a": [{"b": 1, "c": {"d": 1, "d": 1}}]}"#] {
            let e = from_str(text).err().map(|e| error_parts(&e).0);
            let key = if text.contains("\"d\"") { "d" } else { "value" };
            assert_eq!(e, Some(duplicate_key_message(key)), "{text}");
        }
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        let v = from_str(
            r#"{"v": 115792089237316195423570985008687907853269984665640564039457584007913129639935, "e": 1e+30, "f": 0.10000000, "n": -5, "o": {"x": [1, null, true, "s"]}}"#,
        );
        let v = v.ok().unwrap_or_default();
        assert_eq!(
            v["v"].to_string(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        );
        assert_eq!(v["e"].to_string(), "1e+30");
        assert_eq!(v["f"].to_string(), "0.10000000");
        assert_eq!(v["n"].to_string(), "-5");
        assert_eq!(v["o"]["x"].to_string(), r#"[1,null,true,"s"]"#);
    }

    #[test]
    fn a_stream_of_documents_is_read_strictly() {
        let docs: Vec<Result<StrictValue, _>> =
            serde_json::Deserializer::from_str("{\"a\":1}\n{\"a\":1,\"a\":2}").into_iter::<StrictValue>().collect();
        assert!(docs.first().is_some_and(Result::is_ok));
        assert!(docs.get(1).is_some_and(|d| d.as_ref().err().is_some_and(|e| e.to_string().contains("\"a\""))));
    }
}
