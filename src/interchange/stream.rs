//! Walking an import document one record at a time with serde_json's streaming deserializer.
//!
//! A serde visitor cannot return our own error type, so the first real failure is kept in the
//! walk's state and a marker error unwinds the parser; the kept failure is what is reported.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::record::Reader;
use super::{ImportError, ImportSummary, MAX_IMPORT_BYTES};
use crate::store::{ImportSession, Store};

/// A reader that fails (instead of silently stopping) past the import cap, and skips a
/// leading UTF-8 byte order mark, which editors on other systems add.
struct CappedReader<R> {
    inner: R,
    read: u64,
    started: bool,
    over: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            self.started = true;
            let mut head = [0u8; 3];
            let mut got = 0;
            while got < 3 {
                match self.inner.read(&mut head[got..])? {
                    0 => break,
                    n => got += n,
                }
            }
            let keep: &[u8] = if head[..got] == [0xef, 0xbb, 0xbf] {
                &[]
            } else {
                &head[..got]
            };
            if !keep.is_empty() {
                let n = keep.len().min(buf.len());
                buf[..n].copy_from_slice(&keep[..n]);
                self.read += n as u64;
                // The buffers serde_json reads with are far larger than 3 bytes.
                return Ok(n);
            }
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_IMPORT_BYTES {
            self.over.set(true);
            return Err(io::Error::other("the import file is too large"));
        }
        Ok(n)
    }
}

/// The walk's state: the open transaction, the first failure, and what was seen.
struct Walk<'s, 'a> {
    session: &'s mut ImportSession<'a>,
    failure: Option<ImportError>,
    saw_object: bool,
    saw_list: bool,
    ignored_keys: usize,
    data_records: usize,
    total_count: Option<u64>,
    /// What the controller's `data` list holds, told by its first record's shape.
    data_kind: Option<Kind>,
    /// Identities whose legacy type (User, Device, Service) was read as Default.
    legacy_types: usize,
    /// Records naming a row by `@name` that is not there yet (an ascode file lists policies
    /// before signers): written once the file is read.
    deferred: Vec<(&'static str, usize, Value)>,
    /// Set while the deferred records are written: a name still missing is then an error.
    final_pass: bool,
}

/// The three kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Signer,
    Identity,
    AuthPolicy,
}

impl Kind {
    /// The kind a list holds: by its key, or for the controller's `data` by the record's shape.
    fn of(list: &str, record: &Value) -> Option<Kind> {
        match list {
            "externalJwtSigners" => Some(Kind::Signer),
            "identities" => Some(Kind::Identity),
            "authPolicies" => Some(Kind::AuthPolicy),
            _ => {
                let has = |key: &str| record.get(key).is_some();
                if has("issuer") || has("jwksEndpoint") || has("certPem") {
                    Some(Kind::Signer)
                } else if has("primary") || has("secondary") {
                    Some(Kind::AuthPolicy)
                } else if [
                    "typeId",
                    "type",
                    "isAdmin",
                    "externalId",
                    "authPolicyId",
                    "roleAttributes",
                ]
                .iter()
                .any(|k| has(k))
                {
                    Some(Kind::Identity)
                } else {
                    None
                }
            }
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Signer => "a signer",
            Kind::Identity => "an identity",
            Kind::AuthPolicy => "an auth policy",
        }
    }

    /// The ziti CLI's name for the list (for the `'limit none'` advice).
    fn ziti_list(self) -> &'static str {
        match self {
            Kind::Signer => "ext-jwt-signers",
            Kind::Identity => "identities",
            Kind::AuthPolicy => "auth-policies",
        }
    }
}

impl Walk<'_, '_> {
    fn fail<E: de::Error>(&mut self, error: ImportError) -> E {
        self.failure = Some(error);
        E::custom("import refused")
    }

    fn record(
        &mut self,
        list: &'static str,
        index: usize,
        value: &Value,
    ) -> Result<(), ImportError> {
        let record_error = |field: &'static str, message: String| ImportError::Record {
            list,
            index,
            field,
            message,
        };
        let Some(kind) = Kind::of(list, value) else {
            return Err(record_error(
                "record",
                "is not a signer (issuer), an identity (type, externalId) or an auth policy (primary)"
                    .into(),
            ));
        };
        if list == "data" {
            match self.data_kind {
                None => self.data_kind = Some(kind),
                Some(first) if first != kind => {
                    return Err(record_error(
                        "record",
                        format!(
                            "is {} in a list of {} records (one ziti list command prints one kind; import them as separate files)",
                            kind.noun(),
                            first
                                .noun()
                                .trim_start_matches("a ")
                                .trim_start_matches("an ")
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let reader = Reader::new(value, list, index)?;
        match kind {
            Kind::AuthPolicy => {
                let (mut draft, meta) = reader.auth_policy()?;
                for signer in draft.primary.ext_jwt.allowed_signers.iter_mut() {
                    if !self.resolve(
                        signer,
                        "signers",
                        "primary.extJwt.allowedSigners",
                        list,
                        index,
                    )? {
                        return self.defer(list, index, value);
                    }
                }
                if let Some(signer) = draft.secondary.require_ext_jwt_signer.as_mut()
                    && !self.resolve(
                        signer,
                        "signers",
                        "secondary.requireExtJwtSigner",
                        list,
                        index,
                    )?
                {
                    return self.defer(list, index, value);
                }
                let draft = draft.validate().map_err(|e| first_error(e, list, index))?;
                self.session.auth_policy(&meta.with(list, index, draft))?;
            }
            Kind::Identity => {
                let (mut draft, meta, legacy) = reader.identity()?;
                if !self.resolve(
                    &mut draft.auth_policy_id,
                    "auth_policies",
                    "authPolicy",
                    list,
                    index,
                )? {
                    return self.defer(list, index, value);
                }
                let draft = draft.validate().map_err(|e| first_error(e, list, index))?;
                self.session.identity(&meta.with(list, index, draft))?;
                self.legacy_types += usize::from(legacy);
            }
            Kind::Signer => {
                let (draft, meta) = reader.signer()?;
                let signer = draft.validate().map_err(|e| first_error(e, list, index))?;
                self.session.signer(&meta.with(list, index, signer))?;
            }
        }
        Ok(())
    }

    /// Replaces an `@name` reference (a `ziti ops export` file's) with the id of the row of
    /// `table` with that name. False when there is none yet (the record waits for the end of
    /// the file); at the end, an error naming the record and field.
    fn resolve(
        &mut self,
        reference: &mut String,
        table: &'static str,
        field: &'static str,
        list: &'static str,
        index: usize,
    ) -> Result<bool, ImportError> {
        let Some(name) = reference.strip_prefix('@') else {
            return Ok(true);
        };
        match self.session.id_named(table, name)? {
            Some(id) => {
                *reference = id;
                Ok(true)
            }
            None if !self.final_pass => Ok(false),
            None => Err(ImportError::Record {
                list,
                index,
                field,
                message: format!(
                    "no {} named \"{name}\" in the database or this file",
                    if table == "signers" {
                        "signer"
                    } else {
                        "auth policy"
                    }
                ),
            }),
        }
    }

    fn defer(
        &mut self,
        list: &'static str,
        index: usize,
        value: &Value,
    ) -> Result<(), ImportError> {
        self.deferred.push((list, index, value.clone()));
        Ok(())
    }
}

fn first_error(
    errors: crate::model::ValidationErrors,
    list: &'static str,
    index: usize,
) -> ImportError {
    let first = errors.0.into_iter().next();
    ImportError::Record {
        list,
        index,
        field: first.as_ref().map_or("record", |e| e.field),
        message: first.map_or_else(String::new, |e| e.message),
    }
}

struct Document<'w, 's, 'a>(&'w mut Walk<'s, 'a>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let walk = self.0;
        walk.saw_object = true;
        while let Some(key) = map.next_key::<String>()? {
            let list: Option<&'static str> = match key.as_str() {
                "externalJwtSigners" => Some("externalJwtSigners"),
                "identities" => Some("identities"),
                "authPolicies" => Some("authPolicies"),
                "data" => Some("data"),
                _ => None,
            };
            match list {
                Some(list) => {
                    walk.saw_list = true;
                    map.next_value_seed(List { walk, list })?;
                }
                None if key == "meta" => {
                    let meta: Value = map.next_value()?;
                    walk.total_count = meta
                        .pointer("/pagination/totalCount")
                        .and_then(Value::as_u64);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    walk.ignored_keys += 1;
                }
            }
        }
        Ok(())
    }
}

struct List<'w, 's, 'a> {
    walk: &'w mut Walk<'s, 'a>,
    list: &'static str,
}

impl<'de> DeserializeSeed<'de> for List<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for List<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0;
        // One record in memory at a time.
        while let Some(value) = seq.next_element::<Value>()? {
            if let Err(error) = self.walk.record(self.list, index, &value) {
                return Err(self.walk.fail(error));
            }
            index += 1;
        }
        if self.list == "data" {
            self.walk.data_records = index;
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_map<M: MapAccess<'de>>(self, _: M) -> Result<(), M::Error> {
        Err(self.not_a_list())
    }
}

impl List<'_, '_, '_> {
    fn not_a_list<E: de::Error>(self) -> E {
        let list = self.list;
        self.walk.fail(ImportError::Record {
            list,
            index: 0,
            field: "record",
            message: format!("\"{list}\" must be a list"),
        })
    }
}

/// See [`super::import`].
pub(super) fn import(store: &mut Store, reader: impl Read) -> Result<ImportSummary, ImportError> {
    let over = Rc::new(Cell::new(false));
    let reader = io::BufReader::with_capacity(
        1 << 16,
        CappedReader {
            inner: reader,
            read: 0,
            started: false,
            over: over.clone(),
        },
    );
    let mut session = store.begin_import()?;
    let mut walk = Walk {
        session: &mut session,
        failure: None,
        saw_object: false,
        saw_list: false,
        ignored_keys: 0,
        data_records: 0,
        total_count: None,
        data_kind: None,
        legacy_types: 0,
        deferred: Vec::new(),
        final_pass: false,
    };
    // serde_json refuses nesting deeper than 128 levels, which bounds the recursion.
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = Document(&mut walk)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(failure) = walk.failure.take() {
        return Err(failure);
    }
    if let Err(e) = parsed {
        if over.get() {
            return Err(ImportError::TooLarge);
        }
        if e.is_io() {
            return Err(ImportError::Read(e.to_string()));
        }
        if !walk.saw_object && e.is_data() {
            return Err(ImportError::UnknownShape);
        }
        return Err(ImportError::NotJson(e.to_string()));
    }
    if !walk.saw_list {
        return Err(ImportError::UnknownShape);
    }
    if let Some(total) = walk.total_count
        && (walk.data_records as u64) < total
    {
        return Err(ImportError::Truncated {
            have: walk.data_records,
            total,
            list: walk.data_kind.unwrap_or(Kind::Signer).ziti_list(),
        });
    }
    // Records that named rows later in the file, in file order: policies (whose signers are
    // now in) before the identities that name them, as an ascode file lists them.
    walk.final_pass = true;
    for (list, index, value) in std::mem::take(&mut walk.deferred) {
        walk.record(list, index, &value)?;
    }
    let (ignored_keys, legacy_types) = (walk.ignored_keys, walk.legacy_types);
    let outcome = session.commit()?;
    Ok(ImportSummary {
        outcome,
        ignored_keys,
        legacy_types,
    })
}
