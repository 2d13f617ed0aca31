//! RSA signature verification for what aws-lc-rs refuses but the controller accepts: keys of
//! 1024 to 2047 bits (Go's crypto/rsa takes any key of 1024 bits or more; aws-lc-rs only offers
//! 1024-bit PKCS#1 for SHA-1/256/512, never for SHA-384 or PSS), and PSS signatures whose salt
//! is not the hash length (golang-jwt verifies with `PSSSaltLengthAuto`; aws-lc-rs only with a
//! fixed salt length). No crate verifies PSS with an automatic salt length, so this is written
//! out from RFC 8017 (§8.2.2, §8.1.2, §9.1.2). Only public-key operations happen here, so there
//! is no secret for timing to leak.

use aws_lc_rs::digest;
use num_bigint::BigUint;

/// The DER prefix of the `DigestInfo` for each hash (RFC 8017 §9.2 note 1).
fn digest_info_prefix(hash: &'static digest::Algorithm) -> &'static [u8] {
    if hash == &digest::SHA384 {
        &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ]
    } else if hash == &digest::SHA512 {
        &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ]
    } else {
        &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ]
    }
}

/// `signature^e mod n` as `len` big-endian bytes, or None when the signature is not the
/// modulus's length or not below it (Go refuses both).
fn open(n: &[u8], e: &[u8], signature: &[u8]) -> Option<(Vec<u8>, usize)> {
    let modulus = BigUint::from_bytes_be(n);
    let size = modulus.bits().div_ceil(8) as usize;
    if signature.len() != size || size == 0 {
        return None;
    }
    let s = BigUint::from_bytes_be(signature);
    if s >= modulus {
        return None;
    }
    let m = s.modpow(&BigUint::from_bytes_be(e), &modulus).to_bytes_be();
    let mut em = vec![0u8; size - m.len().min(size)];
    em.extend_from_slice(&m);
    Some((em, modulus.bits() as usize))
}

/// RSASSA-PKCS1-v1_5 verification.
pub fn verify_pkcs1(
    n: &[u8],
    e: &[u8],
    hash: &'static digest::Algorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some((em, _)) = open(n, e, signature) else {
        return false;
    };
    let prefix = digest_info_prefix(hash);
    let hashed = digest::digest(hash, message);
    let t_len = prefix.len() + hashed.as_ref().len();
    if em.len() < t_len + 11 {
        return false;
    }
    let pad = em.len() - t_len - 3;
    let mut expected = Vec::with_capacity(em.len());
    expected.extend_from_slice(&[0x00, 0x01]);
    expected.extend(std::iter::repeat_n(0xff, pad));
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(hashed.as_ref());
    em == expected
}

fn mgf1(hash: &'static digest::Algorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut mask = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while mask.len() < len {
        let mut ctx = digest::Context::new(hash);
        ctx.update(seed);
        ctx.update(&counter.to_be_bytes());
        mask.extend_from_slice(ctx.finish().as_ref());
        counter += 1;
    }
    mask.truncate(len);
    mask
}

/// RSASSA-PSS verification with the salt length read from the signature (Go's
/// `PSSSaltLengthAuto`). Returns the salt length when the signature verifies.
pub fn verify_pss_auto_salt(
    n: &[u8],
    e: &[u8],
    hash: &'static digest::Algorithm,
    message: &[u8],
    signature: &[u8],
) -> Option<usize> {
    let (opened, mod_bits) = open(n, e, signature)?;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    // When the modulus is a whole number of bytes, EM is one byte shorter than the signature
    // and that leading byte must be zero.
    let em = if opened.len() > em_len {
        if opened[0] != 0 {
            return None;
        }
        &opened[opened.len() - em_len..]
    } else {
        &opened[..]
    };
    let h_len = hash.output_len();
    if em_len < h_len + 2 || em[em_len - 1] != 0xbc {
        return None;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let top_bits = 8 * em_len - em_bits;
    let top_mask = (0xffu16 >> top_bits) as u8;
    if masked_db[0] & !top_mask != 0 {
        return None;
    }
    let mut db: Vec<u8> = masked_db
        .iter()
        .zip(mgf1(hash, h, masked_db.len()))
        .map(|(a, b)| a ^ b)
        .collect();
    db[0] &= top_mask;
    let one = db.iter().position(|&b| b != 0)?;
    if db[one] != 0x01 {
        return None;
    }
    let salt = &db[one + 1..];
    let m_hash = digest::digest(hash, message);
    let mut ctx = digest::Context::new(hash);
    ctx.update(&[0u8; 8]);
    ctx.update(m_hash.as_ref());
    ctx.update(salt);
    (ctx.finish().as_ref() == h).then_some(salt.len())
}
