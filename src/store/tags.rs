//! Stored enums without fields (a state's status, a graph's validation, why an object went) with
//! their tags written out: the WAL and snapshots store a variant as its tag, so the tag, not
//! the variant's position in the source, is what must never change.
//!
//! `stored_enum!` declares such an enum as `#[repr(u8)]` with an explicit tag and a wire name
//! per variant. Its `Serialize`/`Deserialize` write exactly what `#[derive]` wrote for a unit
//! variant at that position (postcard: the tag as a varint; JSON: the name), so logs and
//! snapshots written before the tags were explicit read the same; `tag_tests` pins the bytes.
//! Tags are append-only: a new variant takes the next unused tag; a variant no longer written
//! keeps its tag, which is never reused.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, EnumAccess, Unexpected, VariantAccess, Visitor};

/// What `stored_enum!` implements: the tag and name tables of a stored enum.
pub trait StoredTag: Sized + Copy + 'static {
    /// The enum's name (what serde calls it).
    const NAME: &'static str;
    /// Every wire name, in tag order.
    const NAMES: &'static [&'static str];
    /// The variant stored as `tag`.
    fn from_tag(tag: u64) -> Option<Self>;
    /// The variant named `name` on the wire.
    fn from_name(name: &str) -> Option<Self>;
}

/// Declares a stored enum without fields: `Variant = tag as "WIRE_NAME"` per variant, tags in
/// increasing order (append-only), with `ALL`, `tag()`, `from_tag()`, `as_str()`, `Display`
/// and serde as the module docs say.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $tag:literal as $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $tag, )+
        }

        impl $name {
            /// Every variant, in tag order.
            pub const ALL: [$name; [$($tag),+].len()] = [$($name::$variant),+];

            /// The tag stored for this variant.
            pub fn tag(self) -> u8 {
                self as u8
            }

            /// The variant stored as `tag`.
            pub fn from_tag(tag: u8) -> Option<Self> {
                match tag {
                    $( $tag => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The wire name, e.g. in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::store::tags::StoredTag for $name {
            const NAME: &'static str = stringify!($name);
            const NAMES: &'static [&'static str] = &[$($wire),+];
            fn from_tag(tag: u64) -> Option<Self> {
                u8::try_from(tag).ok().and_then($name::from_tag)
            }
            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $wire => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_unit_variant(stringify!($name), u32::from(self.tag()), self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::store::tags::deserialize(d)
            }
        }
    };
}
pub(crate) use stored_enum;

/// Reads a stored enum by tag (binary formats) or by name (JSON), as `#[derive]` did.
///
/// # Errors
/// An unknown tag or name, or input that is not a unit variant.
pub fn deserialize<'de, T: StoredTag, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_enum(T::NAME, T::NAMES, EnumVisitor::<T>(PhantomData))
}

struct EnumVisitor<T>(PhantomData<T>);

impl<'de, T: StoredTag> Visitor<'de> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enum {}", T::NAME)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
        let (value, variant) = data.variant_seed(Identifier::<T>(PhantomData))?;
        variant.unit_variant()?;
        Ok(value)
    }
}

struct Identifier<T>(PhantomData<T>);

impl<'de, T: StoredTag> DeserializeSeed<'de> for Identifier<T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, T: StoredTag> Visitor<'de> for Identifier<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} tag or name", T::NAME)
    }

    fn visit_u64<E: de::Error>(self, tag: u64) -> Result<T, E> {
        T::from_tag(tag).ok_or_else(|| E::invalid_value(Unexpected::Unsigned(tag), &self))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<T, E> {
        T::from_name(name).ok_or_else(|| E::unknown_variant(name, T::NAMES))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<T, E> {
        match std::str::from_utf8(name) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(name), &self)),
        }
    }
}
