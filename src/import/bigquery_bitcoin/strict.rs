//! One JSON line → `serde_json::Value`, refusing duplicate keys: a first pass walks the text
//! with a serde visitor that keeps the keys of each object and stops at the first key seen
//! twice, naming its path; only then is the line parsed into a `Value`.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Walks one JSON value; `dup` receives the path of the first duplicated key.
struct Check<'a> {
    path: String,
    dup: &'a RefCell<Option<String>>,
}

impl Check<'_> {
    fn child(&self, path: String) -> Check<'_> {
        Check { path, dup: self.dup }
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq.next_element_seed(self.child(format!("{}[{i}]", self.path)))?.is_some() {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = BTreeSet::new();
        while let Some(k) = map.next_key::<String>()? {
            // An empty key is named `""`, so the refusal still names a field.
            let name = if k.is_empty() { "\"\"".to_owned() } else { k.clone() };
            let path = if self.path.is_empty() { name } else { format!("{}.{name}", self.path) };
            if !keys.insert(k) {
                *self.dup.borrow_mut() = Some(path);
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value_seed(self.child(path))?;
        }
        Ok(())
    }
}

/// Parses one line; `Err((field, message))` for a duplicate key or text that is not JSON.
pub(super) fn parse(text: &str) -> Result<Value, (String, String)> {
    let dup = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let checked = Check { path: String::new(), dup: &dup }.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = checked {
        return Err(match dup.into_inner() {
            Some(path) => (
                path,
                "found this key twice in one object: expected each key once (which value is meant is ambiguous)"
                    .to_owned(),
            ),
            None => {
                ("row".to_owned(), format!("found text that is not JSON ({e}): expected one transaction object a line"))
            }
        });
    }
    serde_json::from_str(text).map_err(|e| {
        ("row".to_owned(), format!("found text that is not JSON ({e}): expected one transaction object a line"))
    })
}
