//! Values between the core and the app: [`ToApp`] turns a core value into its mobile mirror
//! (ids as [`Uuid`] — `java.util.UUID`, Swift `UUID` —, times as timestamps, every integer
//! `i64`: docs/adr/0009), [`ToCore`] turns an
//! app's argument into the core's type, refusing it as `Invalid` naming the argument. One impl
//! per kind of value (below) and per record or vocabulary (the macros, invoked from
//! `records.rs` and `commands.rs`), so the conversions are written once and chosen by type. Plain trait
//! dispatch rather than a trip through serde keeps the library small (serde's path cost 0.7 MiB).

use chrono::{DateTime, Utc};
use needbridge::model as m;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::time::SystemTime;
pub use uuid::Uuid;

uniffi::custom_type!(
    /// An id as the app holds it: `java.util.UUID` in Kotlin and Java, `UUID` in Swift
    /// (`uniffi.toml`), crossing as its text. Every id of the core (`NeedId`, `MemberId`, …)
    /// is one; the app cannot pass a malformed one.
    Uuid, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |text| Ok(Uuid::parse_str(&text)?),
});

/// An app's value the core cannot take: the argument's name and why (never the value). It
/// becomes `NeedbridgeError::Invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// The argument.
    pub field: String,
    /// Why.
    pub reason: String,
}

/// `field` refused for `reason`.
pub(crate) fn invalid(field: &str, reason: &str) -> Refused {
    Refused {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

/// A count from the app's `i64` (docs/adr/0009).
pub(crate) fn u32_of(v: i64, field: &str) -> Result<u32, Refused> {
    u32::try_from(v).map_err(|_| invalid(field, "must be between 0 and 4294967295"))
}

/// Two texts (an id and a name, a kind and a name, Chinese and English labels).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Pair {
    /// The first.
    pub first: String,
    /// The second.
    pub second: String,
}

/// Who takes on a need.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Claimant {
    /// A member, as an individual.
    Member {
        /// The member.
        id: Uuid,
    },
    /// A volunteer team (acting through its captain).
    Team {
        /// The team.
        id: Uuid,
    },
    /// An enterprise or social organisation (acting through its contact).
    Organisation {
        /// The organisation.
        id: Uuid,
    },
}

/// A core value as the app sees it.
pub(crate) trait ToApp<T> {
    /// The mobile value.
    fn to_app(self) -> T;
}

/// An app's value as the core takes it; `field` names it in a refusal.
pub(crate) trait ToCore<T> {
    /// The core value, or `Invalid` for `field`.
    fn to_core(self, field: &str) -> Result<T, Refused>;
}

/// Values that cross unchanged.
macro_rules! same {
    ($($t:ty),+) => {$(
        impl ToApp<$t> for $t {
            fn to_app(self) -> $t { self }
        }
        impl ToCore<$t> for $t {
            fn to_core(self, _: &str) -> Result<$t, Refused> { Ok(self) }
        }
    )+};
}
same!(String, bool, i64, Uuid);

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
    fn to_core(self, field: &str) -> Result<u32, Refused> {
        u32_of(self, field)
    }
}

impl ToApp<i64> for i32 {
    fn to_app(self) -> i64 {
        i64::from(self)
    }
}

impl ToCore<i32> for i64 {
    fn to_core(self, field: &str) -> Result<i32, Refused> {
        i32::try_from(self)
            .map_err(|_| invalid(field, "must be between -2147483648 and 2147483647"))
    }
}

impl ToCore<u64> for i64 {
    fn to_core(self, field: &str) -> Result<u64, Refused> {
        u64::try_from(self).map_err(|_| invalid(field, "must not be negative"))
    }
}

/// A calendar date crosses as its ISO 8601 text (`2026-10-01`).
impl ToApp<String> for chrono::NaiveDate {
    fn to_app(self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

impl ToCore<chrono::NaiveDate> for String {
    fn to_core(self, field: &str) -> Result<chrono::NaiveDate, Refused> {
        chrono::NaiveDate::parse_from_str(&self, "%Y-%m-%d")
            .map_err(|_| invalid(field, "must be a date as YYYY-MM-DD"))
    }
}

impl ToApp<SystemTime> for DateTime<Utc> {
    fn to_app(self) -> SystemTime {
        self.into()
    }
}

impl ToCore<DateTime<Utc>> for SystemTime {
    fn to_core(self, _: &str) -> Result<DateTime<Utc>, Refused> {
        Ok(self.into())
    }
}

impl<A: ToApp<B>, B> ToApp<Option<B>> for Option<A> {
    fn to_app(self) -> Option<B> {
        self.map(A::to_app)
    }
}

impl<A: ToCore<B>, B> ToCore<Option<B>> for Option<A> {
    fn to_core(self, field: &str) -> Result<Option<B>, Refused> {
        self.map(|a| a.to_core(field)).transpose()
    }
}

impl<A: ToApp<B>, B> ToApp<Vec<B>> for Vec<A> {
    fn to_app(self) -> Vec<B> {
        self.into_iter().map(A::to_app).collect()
    }
}

/// Each element is refused by its path (`holidays[1]`), as the core and Python name it.
impl<A: ToCore<B>, B> ToCore<Vec<B>> for Vec<A> {
    fn to_core(self, field: &str) -> Result<Vec<B>, Refused> {
        self.into_iter()
            .enumerate()
            .map(|(i, a)| a.to_core(&format!("{field}[{i}]")))
            .collect()
    }
}

impl<A: ToApp<B>, B> ToApp<HashMap<String, B>> for BTreeMap<String, A> {
    fn to_app(self) -> HashMap<String, B> {
        self.into_iter().map(|(k, v)| (k, v.to_app())).collect()
    }
}

/// Maps the core keys by an id's text (`by_committee`, `committee_names`): keyed by the id. A
/// key that is no id (the core writes none) becomes the nil id rather than being dropped.
impl<A: ToApp<B>, B> ToApp<HashMap<Uuid, B>> for BTreeMap<String, A> {
    fn to_app(self) -> HashMap<Uuid, B> {
        self.into_iter()
            .map(|(k, v)| (Uuid::parse_str(&k).unwrap_or_default(), v.to_app()))
            .collect()
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
            m::Claimant::Member(x) => Claimant::Member { id: x.0 },
            m::Claimant::Team(x) => Claimant::Team { id: x.0 },
            m::Claimant::Organisation(x) => Claimant::Organisation { id: x.0 },
        }
    }
}

impl ToCore<m::Claimant> for Claimant {
    fn to_core(self, field: &str) -> Result<m::Claimant, Refused> {
        Ok(match self {
            Claimant::Member { id } => m::Claimant::Member(id.to_core(field)?),
            Claimant::Team { id } => m::Claimant::Team(id.to_core(field)?),
            Claimant::Organisation { id } => m::Claimant::Organisation(id.to_core(field)?),
        })
    }
}

/// Typed ids: a `Uuid` in the app (which kind of id is the argument's name).
macro_rules! ids {
    ($($id:ident),+ $(,)?) => {$(
        impl ToApp<$crate::convert::Uuid> for m::$id {
            fn to_app(self) -> $crate::convert::Uuid { self.0 }
        }
        impl ToCore<m::$id> for $crate::convert::Uuid {
            fn to_core(self, _: &str) -> Result<m::$id, $crate::convert::Refused> {
                Ok(m::$id(self))
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
            fn to_core(self, _: &str) -> Result<m::$name, $crate::convert::Refused> {
                Ok(match self { $($name::$variant => m::$name::$variant),+ })
            }
        }
    };
}

/// A record: the uniffi record with the core's doc comments, converted from the core's;
/// `@input` adds the conversion into the core's (a refused field named by its name). A field
/// may have a default (`note: String = ""`): Kotlin and Swift callers may leave it out.
macro_rules! record {
    (@input $name:ident = $core:path { $($field:ident),+ $(,)? }) => {
        impl $crate::convert::ToCore<$core> for $name {
            fn to_core(self, _: &str) -> Result<$core, $crate::convert::Refused> {
                type Core = $core;
                Ok(Core { $($field: self.$field.to_core(stringify!($field))?),+ })
            }
        }
    };
    ($(#[$doc:meta])* $name:ident = $core:path { $($(#[$fdoc:meta])* $field:ident: $ty:ty $(= $default:tt)?),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        pub struct $name { $($(#[$fdoc])* $(#[uniffi(default = $default)])? pub $field: $ty),+ }

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

        impl $name {
            /// The core's error with this data (what `Display` and `error_message` read).
            pub(crate) fn to_core_error(&self) -> $core {
                type Core = $core;
                match self.clone() {
                    $($name::$variant { $($field),+ } => Core::$variant {
                        $($cfield: $field.to_core(stringify!($field)).unwrap_or_default()),+
                    }),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.to_core_error().fmt(f)
            }
        }

        impl std::error::Error for $name {}

        impl From<$crate::convert::Refused> for $name {
            fn from(r: $crate::convert::Refused) -> Self {
                $name::Invalid { field: r.field, reason: r.reason }
            }
        }
    };
}

/// One exported `Hub` method per command (the list is generated into `commands.rs`): each
/// argument converted into the command's field of the same name, the output into the app's
/// record. The same list writes `Command`, every command as a value with the same arguments
/// and the same conversions, for what takes a command rather than running it (a `SyncDevice`
/// queues it). An argument may have a default (`grid: Option<Uuid> = None`), which Kotlin and
/// Swift callers may leave out, in the method and in `Command` alike.
macro_rules! commands {
    ($($(#[$doc:meta])* $method:ident($($(#[$adoc:meta])* $arg:ident: $ty:ty $(= $default:tt)?),* $(,)?) -> $out:ty = $command:ident;)+) => {
        #[uniffi::export]
        impl Hub {
            $(
                $(#[$doc])*
                #[uniffi::method(default($($($arg = $default,)?)*))]
                pub fn $method(&self, actor: $crate::Actor $(, $arg: $ty)*) -> Result<$out, $crate::NeedbridgeError> {
                    let command = needbridge::command::$command {
                        $($arg: $arg.to_core(stringify!($arg))?),*
                    };
                    Ok(self.run(actor, command)?.to_app())
                }
            )+
        }

        /// A command of the core as a value, with the arguments of the `Hub` method of the
        /// same name (without the actor): what a `SyncDevice` runs and queues.
        #[derive(Debug, Clone, PartialEq, uniffi::Enum)]
        pub enum Command {
            $($(#[$doc])* $command { $($(#[$adoc])* $(#[uniffi(default = $default)])? $arg: $ty),* }),+
        }

        impl $crate::convert::ToCore<needbridge::command::Command> for Command {
            fn to_core(self, _: &str) -> Result<needbridge::command::Command, $crate::convert::Refused> {
                Ok(match self {
                    $(Command::$command { $($arg),* } => needbridge::command::$command {
                        $($arg: $arg.to_core(stringify!($arg))?),*
                    }.into()),+
                })
            }
        }

        /// A core command's name, the core's own (`claim_need`: its tag in messages, and the
        /// `Hub` method's name).
        pub(crate) fn command_name(command: &needbridge::command::Command) -> &'static str {
            match command {
                $(needbridge::command::Command::$command(_) => stringify!($method)),+
            }
        }
    };
}
