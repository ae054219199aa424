//! Pure rules: what may happen, to whom, by whom. Nothing here touches storage; the
//! [`Hub`](crate::Hub) loads the facts, asks these functions, and writes what they decide.

pub mod audit;
pub mod authz;
pub mod lifecycle;
pub mod privacy;
pub mod validate;
pub mod visibility;
