//! The conformance kit on the in-memory store, invoked exactly as a backend author outside
//! needbridge would: the store cannot be reopened, so the durability and crash checks skip
//! and the race shares one handle.

needbridge::store_conformance_tests! {
    fresh: needbridge::store::memory::MemoryStore::new(),
}
