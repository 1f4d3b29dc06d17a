//! Sealed WAL record payloads (format 2, see the parent module): encoding with a
//! [`RecordSealer`] and decoding any payload with [`decode_record`].

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Nonce, Tag};

use super::{EncryptionKey, FileKey, NONCE_LEN, NonceSeq, TAG_LEN};
use crate::store::command::{Op, RECORD_FORMAT, RECORD_HEADER_LEN, Record, SEALED_RECORD_FORMAT};
use crate::store::error::Result;

/// Encodes records for the WAL: sealed with a key, or plaintext without one.
#[derive(Debug)]
pub struct RecordEncoder {
    sealer: Option<(EncryptionKey, NonceSeq)>,
}

impl RecordEncoder {
    /// An encoder for `key` (plaintext when `None`).
    ///
    /// # Errors
    /// [`crate::store::StoreError::Encryption`] when no random nonce prefix can be drawn.
    pub fn new(key: Option<&EncryptionKey>) -> Result<RecordEncoder> {
        Ok(RecordEncoder {
            sealer: match key {
                Some(k) => Some((k.clone(), NonceSeq::new()?)),
                None => None,
            },
        })
    }

    /// The id of the key records are sealed with (0: plaintext).
    pub fn key_id(&self) -> u32 {
        self.sealer.as_ref().map_or(0, |(k, _)| k.id())
    }

    /// Appends the payload of the record `seq` to `out`.
    ///
    /// # Errors
    /// An op that cannot be serialized, or no nonce could be drawn.
    pub fn encode_into(
        &mut self,
        seq: u64,
        ts: i64,
        ops: &[Op],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let Some((key, nonces)) = &mut self.sealer else {
            return Record::encode_into(seq, ts, ops, out);
        };
        let nonce = nonces.next_nonce().map_err(|e| e.to_string())?;
        let start = out.len();
        out.push(SEALED_RECORD_FORMAT);
        out.extend_from_slice(&seq.to_le_bytes());
        out.extend_from_slice(&ts.to_le_bytes());
        out.extend_from_slice(&nonce);
        let body = out.len();
        if let Err(e) = postcard::to_io(ops, &mut *out) {
            out.truncate(start);
            return Err(e.to_string());
        }
        let (head, plain) = out.split_at_mut(body);
        let aad = &head[start..start + RECORD_HEADER_LEN];
        let tag = key
            .cipher()
            .encrypt_inout_detached(&Nonce::from(nonce), aad, plain.into())
            .map_err(|_| "record too large to encrypt".to_string());
        match tag {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }
}

/// Decodes a payload read from a file whose header gave `fk`. A sealed payload in a plaintext
/// file, or the reverse, is refused (nobody can slip plaintext records into a sealed log).
///
/// # Errors
/// A malformed payload, or one that does not authenticate with the key.
pub fn decode_record(fk: FileKey<'_>, payload: &[u8]) -> Result<Record, String> {
    let format = payload.first().copied();
    match fk {
        FileKey::Plain if format == Some(SEALED_RECORD_FORMAT) => {
            Err("encrypted record in a segment whose header says plaintext".into())
        }
        FileKey::Plain => Record::decode(payload),
        FileKey::Sealed(_) if format == Some(RECORD_FORMAT) => {
            Err("plaintext record in an encrypted segment".into())
        }
        FileKey::Sealed(key) => open_record(key, payload),
    }
}

/// Opens a sealed payload.
fn open_record(key: &EncryptionKey, payload: &[u8]) -> Result<Record, String> {
    let (seq, ts) = Record::peek(payload)?;
    let min = RECORD_HEADER_LEN + NONCE_LEN + TAG_LEN;
    if payload.len() < min {
        return Err(format!(
            "encrypted record of {} bytes is too short",
            payload.len()
        ));
    }
    let aad = &payload[..RECORD_HEADER_LEN];
    let nonce = &payload[RECORD_HEADER_LEN..RECORD_HEADER_LEN + NONCE_LEN];
    let (ct, tag) = payload[RECORD_HEADER_LEN + NONCE_LEN..].split_at(payload.len() - min);
    let mut plain = ct.to_vec();
    let nonce = Nonce::try_from(nonce).map_err(|_| "bad nonce".to_string())?;
    let tag = Tag::try_from(tag).map_err(|_| "bad tag".to_string())?;
    key.cipher()
        .decrypt_inout_detached(&nonce, aad, plain.as_mut_slice().into(), &tag)
        .map_err(|_| {
            format!(
                "record {seq} does not decrypt: it was altered, or sealed with another key of the same id"
            )
        })?;
    let ops = Record::decode_ops(&plain)?;
    Ok(Record { seq, ts, ops })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::command::{Body, ObjectData, ObjectOp};

    fn ops(marker: &str) -> Vec<Op> {
        vec![Op::Object(ObjectOp::Put {
            ns: "ns".into(),
            id: "id".into(),
            data: Arc::new(ObjectData::new(
                "t".into(),
                Body::from_json(format!("{{\"secret\":\"{marker}\"}}")).unwrap(),
            )),
        })]
    }

    fn key(b: u8) -> EncryptionKey {
        EncryptionKey::from_bytes(&[b; 32])
    }

    #[test]
    fn sealed_round_trip_hides_the_plaintext() {
        let k = key(1);
        let mut enc = RecordEncoder::new(Some(&k)).unwrap();
        assert_eq!(enc.key_id(), k.id());
        let mut buf = Vec::new();
        enc.encode_into(9, 1234, &ops("MARKER-xyz"), &mut buf)
            .unwrap();
        assert_eq!(buf[0], SEALED_RECORD_FORMAT);
        assert_eq!(Record::peek(&buf).unwrap(), (9, 1234));
        assert!(!buf.windows(10).any(|w| w == b"MARKER-xyz"));
        let rec = decode_record(FileKey::Sealed(&k), &buf).unwrap();
        assert_eq!((rec.seq, rec.ts), (9, 1234));
        assert_eq!(rec.ops, ops("MARKER-xyz"));
        // The same record sealed twice differs (fresh nonce).
        let mut again = Vec::new();
        enc.encode_into(9, 1234, &ops("MARKER-xyz"), &mut again)
            .unwrap();
        assert_ne!(buf, again);
    }

    #[test]
    fn wrong_key_and_any_altered_byte_fail_to_open() {
        let k = key(1);
        let mut buf = Vec::new();
        RecordEncoder::new(Some(&k))
            .unwrap()
            .encode_into(5, 77, &ops("m"), &mut buf)
            .unwrap();
        assert!(decode_record(FileKey::Sealed(&key(2)), &buf).is_err());
        for i in 0..buf.len() {
            let mut bad = buf.clone();
            bad[i] ^= 0x01;
            let r = decode_record(FileKey::Sealed(&k), &bad);
            assert!(r.is_err(), "flip at {i} went unnoticed");
        }
        assert!(decode_record(FileKey::Sealed(&k), &buf[..buf.len() - 1]).is_err());
        assert!(decode_record(FileKey::Sealed(&k), &buf[..20]).is_err());
    }

    #[test]
    fn formats_must_match_the_file_header() {
        let k = key(1);
        let mut sealed = Vec::new();
        RecordEncoder::new(Some(&k))
            .unwrap()
            .encode_into(1, 1, &ops("m"), &mut sealed)
            .unwrap();
        let mut plain = Vec::new();
        RecordEncoder::new(None)
            .unwrap()
            .encode_into(1, 1, &ops("m"), &mut plain)
            .unwrap();
        assert_eq!(plain[0], RECORD_FORMAT);
        assert!(decode_record(FileKey::Plain, &plain).is_ok());
        assert!(decode_record(FileKey::Plain, &sealed).is_err());
        assert!(decode_record(FileKey::Sealed(&k), &plain).is_err());
    }
}
