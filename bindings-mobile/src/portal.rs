//! The portal's side of sync (docs/SYNC.md), with the cargo feature `portal`: this Hub is the
//! authority apps sync with — `Hub.servePush`, `Hub.servePull` and, for the committee's
//! staff, `Hub.syncRejected`. For portals on the JVM (government portals in Java or Kotlin)
//! and the JVM tests; the phones' libraries are built without it (it would cost them 0.4 MB
//! they never run). The host authenticates its users and moves the bytes. Conversion only.

use crate::convert::{ToApp, Uuid};
use crate::hub::{Actor, Hub};
use crate::records::NeedbridgeError;
use crate::sync::{rejected_mutation, RejectedMutation};
use needbridge::sync as s;
use std::time::SystemTime;

/// A refused mutation as the portal keeps it for the committee's staff (`Hub.syncRejected`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StoredRejection {
    /// The app (client id) that pushed it.
    pub client: String,
    /// Who pushed it.
    pub actor: Actor,
    /// The mutation, why it was refused and what it held.
    pub mutation: RejectedMutation,
    /// When the portal refused it.
    pub decided_at: SystemTime,
}

impl ToApp<StoredRejection> for s::StoredRejection {
    fn to_app(self) -> StoredRejection {
        StoredRejection {
            client: self.client.to_app(),
            actor: self.actor.to_app(),
            mutation: rejected_mutation(self.mutation, self.outcome),
            decided_at: self.decided_at.to_app(),
        }
    }
}

/// The portal's side: this Hub is the authority the apps sync with.
#[uniffi::export]
impl Hub {
    /// Answers an app's push (`body`, as received) for `actor`, the user the host
    /// authenticated (never taken from the message): each mutation in its own transaction
    /// through the rules; a refusal is stored and answered, and never blocks the queue.
    /// Returns the response's bytes. A malformed body is `Invalid` naming the part.
    pub fn serve_push(&self, actor: Actor, body: Vec<u8>) -> Result<Vec<u8>, NeedbridgeError> {
        let actor = actor.into_core()?;
        Ok(s::serve_push(self.core(), &actor, &body)?)
    }

    /// Answers an app's pull (`body`, as received) for `actor`: the changes in the actor's
    /// scope since the request's cookie, masked for the actor. Returns the response's bytes.
    pub fn serve_pull(&self, actor: Actor, body: Vec<u8>) -> Result<Vec<u8>, NeedbridgeError> {
        let actor = actor.into_core()?;
        Ok(s::serve_pull(self.core(), &actor, &body)?)
    }

    /// The refused mutations pushed at committees within `unit`, with what they held, for
    /// its staff (and the system); others are `Forbidden`.
    pub fn sync_rejected(
        &self,
        actor: Actor,
        unit: Uuid,
    ) -> Result<Vec<StoredRejection>, NeedbridgeError> {
        let actor = actor.into_core()?;
        let unit = needbridge::model::UnitId(unit);
        Ok(s::rejected(self.core(), &actor, unit)?.to_app())
    }
}
