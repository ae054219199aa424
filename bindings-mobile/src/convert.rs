//! Values between the core and the app: [`ToApp`] turns a core value into its mobile mirror
//! (ids as text, times as timestamps, every integer `i64`: docs/adr/0009), [`ToCore`] turns an
//! app's argument into the core's type, refusing it as `Invalid` naming the argument. One impl
//! per kind of value (below) and per record or vocabulary (the macros, invoked from
//! `generated.rs`), so the conversions are written once and chosen by type. Plain trait
//! dispatch rather than a trip through serde keeps the library small (serde's path cost 0.7 MiB).

use crate::{Claimant, NeedbridgeError, Pair};
use chrono::{DateTime, Utc};
use needbridge::model as m;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::time::SystemTime;

/// A core value as the app sees it.
pub(crate) trait ToApp<T> {
    /// The mobile value.
    fn to_app(self) -> T;
}

/// An app's value as the core takes it; `field` names it in a refusal.
pub(crate) trait ToCore<T> {
    /// The core value, or `Invalid` for `field`.
    fn to_core(self, field: &str) -> Result<T, NeedbridgeError>;
}

/// Values that cross unchanged.
macro_rules! same {
    ($($t:ty),+) => {$(
        impl ToApp<$t> for $t {
            fn to_app(self) -> $t { self }
        }
        impl ToCore<$t> for $t {
            fn to_core(self, _: &str) -> Result<$t, NeedbridgeError> { Ok(self) }
        }
    )+};
}
same!(String, bool, i64);

impl ToApp<i64> for u32 {
    fn to_app(self) -> i64 {
        i64::from(self)
    }
}

impl ToApp<i64> for u64 {
    fn to_app(self) -> i64 {
        i64::try_from(self).unwrap_or(i64::MAX)
    }
}

impl ToCore<u32> for i64 {
    fn to_core(self, field: &str) -> Result<u32, NeedbridgeError> {
        crate::u32_of(self, field)
    }
}

impl ToCore<u64> for i64 {
    fn to_core(self, field: &str) -> Result<u64, NeedbridgeError> {
        u64::try_from(self).map_err(|_| crate::invalid(field, "must not be negative"))
    }
}

impl ToApp<SystemTime> for DateTime<Utc> {
    fn to_app(self) -> SystemTime {
        self.into()
    }
}

impl ToCore<DateTime<Utc>> for SystemTime {
    fn to_core(self, _: &str) -> Result<DateTime<Utc>, NeedbridgeError> {
        Ok(self.into())
    }
}

impl<A: ToApp<B>, B> ToApp<Option<B>> for Option<A> {
    fn to_app(self) -> Option<B> {
        self.map(A::to_app)
    }
}

impl<A: ToCore<B>, B> ToCore<Option<B>> for Option<A> {
    fn to_core(self, field: &str) -> Result<Option<B>, NeedbridgeError> {
        self.map(|a| a.to_core(field)).transpose()
    }
}

impl<A: ToApp<B>, B> ToApp<Vec<B>> for Vec<A> {
    fn to_app(self) -> Vec<B> {
        self.into_iter().map(A::to_app).collect()
    }
}

impl<A: ToCore<B>, B> ToCore<Vec<B>> for Vec<A> {
    fn to_core(self, field: &str) -> Result<Vec<B>, NeedbridgeError> {
        self.into_iter().map(|a| a.to_core(field)).collect()
    }
}

impl<A: ToApp<B>, B> ToApp<HashMap<String, B>> for BTreeMap<String, A> {
    fn to_app(self) -> HashMap<String, B> {
        self.into_iter().map(|(k, v)| (k, v.to_app())).collect()
    }
}

impl<A: Display, B: Display> ToApp<Pair> for (A, B) {
    fn to_app(self) -> Pair {
        Pair {
            first: self.0.to_string(),
            second: self.1.to_string(),
        }
    }
}

impl ToApp<Claimant> for m::Claimant {
    fn to_app(self) -> Claimant {
        match self {
            m::Claimant::Member(x) => Claimant::Member { id: x.to_string() },
            m::Claimant::Team(x) => Claimant::Team { id: x.to_string() },
            m::Claimant::Organisation(x) => Claimant::Organisation { id: x.to_string() },
        }
    }
}

impl ToCore<m::Claimant> for Claimant {
    fn to_core(self, field: &str) -> Result<m::Claimant, NeedbridgeError> {
        Ok(match self {
            Claimant::Member { id } => m::Claimant::Member(id.to_core(field)?),
            Claimant::Team { id } => m::Claimant::Team(id.to_core(field)?),
            Claimant::Organisation { id } => m::Claimant::Organisation(id.to_core(field)?),
        })
    }
}

/// Typed ids: text in the app.
macro_rules! ids {
    ($($id:ident),+ $(,)?) => {$(
        impl ToApp<String> for m::$id {
            fn to_app(self) -> String { self.to_string() }
        }
        impl ToCore<m::$id> for String {
            fn to_core(self, field: &str) -> Result<m::$id, $crate::NeedbridgeError> {
                Ok(m::$id($crate::uuid_of(&self, field)?))
            }
        }
    )+};
}

/// A vocabulary: the uniffi enum with the core's doc comments, converted both ways.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $crate::convert::ToApp<$name> for m::$name {
            fn to_app(self) -> $name {
                match self { $(m::$name::$variant => $name::$variant),+ }
            }
        }

        impl $crate::convert::ToCore<m::$name> for $name {
            fn to_core(self, _: &str) -> Result<m::$name, $crate::NeedbridgeError> {
                Ok(match self { $($name::$variant => m::$name::$variant),+ })
            }
        }
    };
}

/// A record: the uniffi record with the core's doc comments, converted from the core's;
/// `@input` adds the conversion into the core's (a refused field named by its name).
macro_rules! record {
    (@input $name:ident = $core:path { $($field:ident),+ $(,)? }) => {
        impl $crate::convert::ToCore<$core> for $name {
            fn to_core(self, _: &str) -> Result<$core, $crate::NeedbridgeError> {
                type Core = $core;
                Ok(Core { $($field: self.$field.to_core(stringify!($field))?),+ })
            }
        }
    };
    ($(#[$doc:meta])* $name:ident = $core:path { $($(#[$fdoc:meta])* $field:ident: $ty:ty),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        pub struct $name { $($(#[$fdoc])* pub $field: $ty),+ }

        impl $crate::convert::ToApp<$name> for $core {
            fn to_app(self) -> $name {
                $name { $($field: self.$field.to_app()),+ }
            }
        }
    };
}

/// The error: a uniffi error enum with the core's kinds, fields and doc comments (a field may
/// be renamed: `detail = message`, as Kotlin reserves `message`), converted from the core's;
/// its `Display`, exported to Kotlin's `toString()` and Swift's `description`, is the core's.
macro_rules! error {
    ($(#[$doc:meta])* $name:ident = $core:path {
        $($(#[$vdoc:meta])* $variant:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty = $cfield:ident),+ $(,)? }),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
        #[uniffi::export(Display)]
        pub enum $name { $($(#[$vdoc])* $variant { $($(#[$fdoc])* $field: $ty),+ }),+ }

        impl From<$core> for $name {
            fn from(e: $core) -> Self {
                type Core = $core;
                match e { $(Core::$variant { $($cfield),+ } => $name::$variant { $($field: $cfield.to_app()),+ }),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                type Core = $core;
                let core = match self.clone() {
                    $($name::$variant { $($field),+ } => Core::$variant {
                        $($cfield: $field.to_core(stringify!($field)).unwrap_or_default()),+
                    }),+
                };
                core.fmt(f)
            }
        }

        impl std::error::Error for $name {}
    };
}

/// One exported `Hub` method per command (the list is generated into `generated.rs`): each
/// argument converted into the command's field of the same name, the output into the app's
/// record.
macro_rules! commands {
    ($($(#[$doc:meta])* $method:ident($($arg:ident: $ty:ty),*) -> $out:ty = $command:ident;)+) => {
        #[uniffi::export]
        impl Hub {
            $(
                $(#[$doc])*
                pub fn $method(&self, actor: $crate::Actor $(, $arg: $ty)*) -> Result<$out, $crate::NeedbridgeError> {
                    let command = needbridge::command::$command {
                        $($arg: $arg.to_core(stringify!($arg))?),*
                    };
                    Ok(self.run(actor, command)?.to_app())
                }
            )+
        }
    };
}
