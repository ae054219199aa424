//! Report-cell upkeep, decided by the core: which report groups a command's writes touch, and
//! what they change in the cells — handed to the store with the command's writes
//! ([`Tx::add_report_cells`]), as bdk's indexer hands its changeset to the persister. A store
//! only adds the change up (docs/adr/0005, 0011).
//!
//! A group is a need with all its claims, or a resident with every verified claim on their
//! needs (see [`crate::report::cells`]). Before the first write of a command to a group its
//! records are read as they were; after the command's last write the group is computed again
//! from what the command wrote; the cells of the second minus those of the first is the
//! change. A write that changes nothing a report counts (a need's status, a claim's note)
//! touches no group and costs no read.

use crate::error::StoreError;
use crate::model::*;
use crate::report::cells::{
    claim_facts, need_cells, need_facts, resident_cells, Cells, ClaimFacts, Verification,
};
use crate::store::{ClaimFilter, NeedFilter, Page, Query, Tx, TxExt};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Records as the command last loaded or wrote them, by kind and id.
pub(super) type Seen = HashMap<(Kind, Uuid), Record>;

/// A need and its claims, with the paths of their committees.
#[derive(Clone)]
struct NeedGroup {
    need: Need,
    units: Vec<Uuid>,
    claims: Vec<(Claim, Vec<Uuid>)>,
}

impl NeedGroup {
    fn cells(&self, sign: i64, out: &mut Cells) {
        let claims: Vec<ClaimFacts> = self
            .claims
            .iter()
            .map(|(c, u)| claim_facts(c, u.clone()))
            .collect();
        need_cells(
            &need_facts(&self.need, self.units.clone()),
            &claims,
            sign,
            out,
        );
    }
}

/// What a command's writes have touched so far, with the groups' cells before them.
#[derive(Default)]
pub(super) struct Upkeep {
    /// Need groups touched, as they were before the command's first write to them (`None`:
    /// the need did not exist).
    needs: BTreeMap<Uuid, Option<NeedGroup>>,
    /// Residents touched, and their cells before the command's first write to them.
    residents: BTreeMap<Uuid, Cells>,
    /// Unit paths read in this command.
    paths: HashMap<UnitId, Vec<Uuid>>,
}

/// Whether a write of this kind can change a report group (needs, claims, residents); the
/// Hub neither keeps nor reads the "before" of any other kind.
pub(super) fn counted(kind: Kind) -> bool {
    matches!(kind, Kind::Need | Kind::Claim | Kind::Resident)
}

/// Whether two claims count alike in every report (then writing one over the other changes
/// no cell).
fn same_counts(a: &Claim, b: &Claim) -> bool {
    a.need == b.need
        && a.committee == b.committee
        && claim_facts(a, Vec::new()) == claim_facts(b, Vec::new())
}

/// A resident's groups as codes, sorted and distinct.
fn group_codes(r: &Resident) -> Vec<String> {
    let set: BTreeSet<String> = r.groups.iter().map(|g| g.as_str().to_string()).collect();
    set.into_iter().collect()
}

impl Upkeep {
    /// Called before `record` is written, with `before` the record as it is now (`None`: new):
    /// notes the groups the write touches, reading each as it is before its first write.
    pub(super) fn before_put(
        &mut self,
        tx: &mut dyn Tx,
        record: &Record,
        before: Option<&Record>,
        seen: &Seen,
    ) -> Result<(), StoreError> {
        match (record, before) {
            (Record::Need(n), Some(Record::Need(old))) => {
                let same = old.committee == n.committee
                    && need_facts(old, Vec::new()) == need_facts(n, Vec::new());
                if !same {
                    self.touch_need(tx, n.id, seen)?;
                    if old.resident != n.resident || old.beneficiaries != n.beneficiaries {
                        for r in old.helped().chain(n.helped()) {
                            self.touch_resident(tx, r)?;
                        }
                    }
                }
            }
            (Record::Need(n), _) => {
                self.needs.entry(n.id.0).or_insert(None);
            }
            (Record::Claim(c), old) => {
                let old = match old {
                    Some(Record::Claim(o)) => Some(o),
                    _ => None,
                };
                if old.is_some_and(|o| same_counts(o, c)) {
                    return Ok(());
                }
                let verified = |x: &Claim| claim_facts(x, Vec::new()).verified_at;
                let moved = old.is_some_and(|o| o.need != c.need);
                let verification_changed = old.map_or(verified(c).is_some(), |o| {
                    verified(o) != verified(c) || moved
                });
                let mut needs = vec![c.need];
                if let Some(o) = old.filter(|_| moved) {
                    needs.push(o.need);
                }
                for need in needs {
                    self.touch_need(tx, need, seen)?;
                    if verification_changed {
                        if let Some(Some(g)) = self.needs.get(&need.0) {
                            let helped: Vec<ResidentId> = g.need.helped().collect();
                            for r in helped {
                                self.touch_resident(tx, r)?;
                            }
                        }
                    }
                }
            }
            (Record::Resident(r), Some(Record::Resident(old)))
                if group_codes(old) != group_codes(r) || old.household != r.household =>
            {
                self.touch_resident(tx, r.id)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The change of cells of every touched group, given the command's writes (each record
    /// as last written). Reads only what the writes do not tell: a resident's verifications,
    /// a committee's path not read before.
    pub(super) fn finish(
        mut self,
        tx: &mut dyn Tx,
        written: &[Record],
    ) -> Result<Cells, StoreError> {
        let mut delta = Cells::default();
        let needs = std::mem::take(&mut self.needs);
        for (id, before) in needs {
            if let Some(g) = &before {
                g.cells(-1, &mut delta);
            }
            if let Some(after) = self.after(tx, id, before, written)? {
                after.cells(1, &mut delta);
            }
        }
        let residents = std::mem::take(&mut self.residents);
        for (id, before) in residents {
            delta.add_all(&before, -1);
            let after = self.resident(tx, ResidentId(id))?;
            delta.add_all(&after, 1);
        }
        delta.prune();
        Ok(delta)
    }

    /// A need group after the command: the group before with the command's writes applied.
    fn after(
        &mut self,
        tx: &mut dyn Tx,
        id: Uuid,
        before: Option<NeedGroup>,
        written: &[Record],
    ) -> Result<Option<NeedGroup>, StoreError> {
        let need = written.iter().find_map(|r| match r {
            Record::Need(n) if n.id.0 == id => Some(n.clone()),
            _ => None,
        });
        let (need, units, mut claims) = match (need, before) {
            (Some(n), Some(b)) => {
                let units = if n.committee == b.need.committee {
                    b.units
                } else {
                    self.path(tx, n.committee)?
                };
                (n, units, b.claims)
            }
            (Some(n), None) => {
                let units = self.path(tx, n.committee)?;
                (n, units, Vec::new())
            }
            (None, Some(b)) => (b.need, b.units, b.claims),
            (None, None) => return Ok(None),
        };
        for r in written {
            let Record::Claim(c) = r else { continue };
            let old = claims.iter().position(|(x, _)| x.id == c.id);
            let old_units = old
                .map(|i| claims.remove(i))
                .filter(|(x, _)| x.committee == c.committee);
            if c.need.0 == id {
                let units = match old_units {
                    Some((_, u)) => u,
                    None if c.committee == need.committee => units.clone(),
                    None => self.path(tx, c.committee)?,
                };
                claims.push((c.clone(), units));
            }
        }
        Ok(Some(NeedGroup {
            need,
            units,
            claims,
        }))
    }

    /// Notes a need's group as it is now, unless already noted.
    fn touch_need(&mut self, tx: &mut dyn Tx, id: NeedId, seen: &Seen) -> Result<(), StoreError> {
        if self.needs.contains_key(&id.0) {
            return Ok(());
        }
        let need = match seen.get(&(Kind::Need, id.0)) {
            Some(Record::Need(n)) => Some(n.clone()),
            _ => tx.load::<Need>(&id)?,
        };
        let group = match need {
            Some(need) => {
                let units = self.path(tx, need.committee)?;
                let query = Query::Claims(ClaimFilter {
                    need: Some(id),
                    ..Default::default()
                });
                let mut claims = Vec::new();
                for c in tx.select::<Claim>(&query, &Page::ALL)? {
                    let u = if c.committee == need.committee {
                        units.clone()
                    } else {
                        self.path(tx, c.committee)?
                    };
                    claims.push((c, u));
                }
                Some(NeedGroup {
                    need,
                    units,
                    claims,
                })
            }
            None => None,
        };
        self.needs.insert(id.0, group);
        Ok(())
    }

    /// Notes a resident's cells as they are now, unless already noted.
    fn touch_resident(&mut self, tx: &mut dyn Tx, id: ResidentId) -> Result<(), StoreError> {
        if self.residents.contains_key(&id.0) {
            return Ok(());
        }
        let cells = self.resident(tx, id)?;
        self.residents.insert(id.0, cells);
        Ok(())
    }

    /// A resident's cells as the transaction sees them now.
    fn resident(&mut self, tx: &mut dyn Tx, id: ResidentId) -> Result<Cells, StoreError> {
        let mut out = Cells::default();
        let Some(resident) = tx.load::<Resident>(&id)? else {
            return Ok(out);
        };
        let needs = Query::Needs(NeedFilter {
            beneficiary: Some(id),
            ..Default::default()
        });
        let mut verifications = Vec::new();
        for need in tx.select::<Need>(&needs, &Page::ALL)? {
            let claims = Query::Claims(ClaimFilter {
                need: Some(need.id),
                statuses: vec![ClaimStatus::Verified],
                ..Default::default()
            });
            for c in tx.select::<Claim>(&claims, &Page::ALL)? {
                if let Some(at) = claim_facts(&c, Vec::new()).verified_at {
                    verifications.push(Verification {
                        claim: c.id.0,
                        units: self.path(tx, c.committee)?,
                        at,
                    });
                }
            }
        }
        if !verifications.is_empty() {
            resident_cells(
                &group_codes(&resident),
                resident.household.map(|h| h.0),
                &verifications,
                1,
                &mut out,
            );
        }
        Ok(out)
    }

    /// A unit's path (root first), read once per command.
    fn path(&mut self, tx: &mut dyn Tx, unit: UnitId) -> Result<Vec<Uuid>, StoreError> {
        if let Some(p) = self.paths.get(&unit) {
            return Ok(p.clone());
        }
        let p: Vec<Uuid> = tx
            .load::<Unit>(&unit)?
            .map(|u| u.path.iter().map(|x| x.0).collect())
            .unwrap_or_default();
        self.paths.insert(unit, p.clone());
        Ok(p)
    }
}
