//! Frames: what analysts load into data frames — needs, claims, members, teams, activities
//! or a committee's ledger as columns (one vector per field), read through the same
//! authorization and masking as the Hub's other reads.

use crate::ledger::NeedLedgerRow;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which records a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameKind {
    /// Needs the actor may see in the unit's subtree (as in the project library).
    Needs,
    /// Claims at committees in the unit's subtree.
    Claims,
    /// Members reported to committees in the unit's subtree (personal data masked unless
    /// entitled).
    Members,
    /// Teams of committees in the unit's subtree.
    Teams,
    /// Activities at committees in the unit's subtree.
    Activities,
    /// The committee ledger of the unit: needs with their latest claims (residents masked).
    Ledger,
}

/// One column's values; `None` is a missing value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum Column {
    /// Integers (counts, money in fen, minutes).
    Int(Vec<Option<i64>>),
    /// Free text and ids.
    Text(Texts),
    /// Codes of a closed vocabulary (statuses, kinds): a categorical column.
    Code(Texts),
    /// Times, UTC.
    Time(Vec<Option<DateTime<Utc>>>),
}

/// Optional strings packed into one buffer — the layout of an Arrow string array (UTF-8
/// bytes, `len + 1` offsets, a validity flag per value) — so a column of a million ids costs
/// three allocations, not a million, and bindings hand the buffers over without copying
/// value by value. Serializes as a list of strings and nulls.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Option<String>>", into = "Vec<Option<String>>")]
pub struct Texts {
    data: String,
    offsets: Vec<usize>,
    valid: Vec<bool>,
}

impl Texts {
    /// An empty column with room for `values` values of `bytes` bytes in all.
    pub fn with_capacity(values: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(values + 1);
        offsets.push(0);
        Texts {
            data: String::with_capacity(bytes),
            offsets,
            valid: Vec::with_capacity(values),
        }
    }

    /// The column made of its parts (as [`Texts::data`], [`Texts::offsets`] and
    /// [`Texts::validity`] return them), which the caller has checked agree.
    pub(crate) fn from_parts(data: String, offsets: Vec<usize>, valid: Vec<bool>) -> Self {
        debug_assert_eq!(offsets.len(), valid.len() + 1);
        debug_assert_eq!(offsets.last(), Some(&data.len()));
        Texts {
            data,
            offsets,
            valid,
        }
    }

    /// Appends a value (`None`: missing).
    pub fn push(&mut self, value: Option<&str>) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        if let Some(v) = value {
            self.data.push_str(v);
        }
        self.offsets.push(self.data.len());
        self.valid.push(value.is_some());
    }

    /// The `i`th value (`None` when missing or out of range).
    pub fn get(&self, i: usize) -> Option<&str> {
        if !*self.valid.get(i)? {
            return None;
        }
        self.data.get(self.offsets[i]..self.offsets[i + 1])
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.valid.len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.valid.is_empty()
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The values' bytes, back to back (missing values take none).
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Where each value starts and ends in [`Texts::data`]: `len() + 1` offsets.
    pub fn offsets(&self) -> &[usize] {
        if self.offsets.is_empty() {
            &[0]
        } else {
            &self.offsets
        }
    }

    /// Whether each value is present.
    pub fn validity(&self) -> &[bool] {
        &self.valid
    }

    /// Appends the values of `other` after this column's.
    pub fn append(&mut self, other: &Texts) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let base = self.data.len();
        self.data.push_str(&other.data);
        self.offsets
            .extend(other.offsets().iter().skip(1).map(|o| o + base));
        self.valid.extend_from_slice(&other.valid);
    }

    /// The values at `order` (indexes into this column), in that order: one copy of each
    /// value's bytes, no per-value lookups through [`Texts::get`].
    ///
    /// # Panics
    /// When an index is out of range.
    pub fn gather(&self, order: &[usize]) -> Texts {
        let offsets = self.offsets();
        let mut out = Texts::with_capacity(order.len(), 0);
        // Values of one width and none missing (ids): the `i`th value starts at `i * width`,
        // so only the value itself is read, not its offsets (half the cache misses).
        let n = self.len();
        if n > 0 && self.data.len().is_multiple_of(n) && self.valid.iter().all(|v| *v) {
            let w = self.data.len() / n;
            if offsets.iter().enumerate().all(|(i, &o)| o == i * w) {
                let bytes = self.data.as_bytes();
                let mut data = Vec::with_capacity(order.len() * w);
                for &i in order {
                    data.extend_from_slice(&bytes[i * w..(i + 1) * w]);
                }
                // Whole values of a valid string, back to back: still valid UTF-8.
                out.data = String::from_utf8(data).expect("whole UTF-8 values");
                out.offsets.extend((1..=order.len()).map(|j| j * w));
                out.valid = vec![true; order.len()];
                return out;
            }
        }
        let bytes: usize = order.iter().map(|&i| offsets[i + 1] - offsets[i]).sum();
        out.data.reserve_exact(bytes);
        for &i in order {
            out.data.push_str(&self.data[offsets[i]..offsets[i + 1]]);
            out.offsets.push(out.data.len());
            out.valid.push(self.valid[i]);
        }
        out
    }
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Texts {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Self {
        let mut t = Texts::with_capacity(0, 0);
        for v in iter {
            t.push(v.as_ref().map(AsRef::as_ref));
        }
        t
    }
}

impl From<Vec<Option<String>>> for Texts {
    fn from(v: Vec<Option<String>>) -> Self {
        v.into_iter().collect()
    }
}

impl From<Texts> for Vec<Option<String>> {
    fn from(t: Texts) -> Self {
        t.iter().map(|v| v.map(str::to_string)).collect()
    }
}

impl Column {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Text(v) | Column::Code(v) => v.len(),
            Column::Time(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// What the rows are.
    pub kind: FrameKind,
    /// The columns, in a stable order.
    pub columns: Vec<(String, Column)>,
}

impl Frame {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }
}

/// Builds columns from rows: `col(name, kind, f)` adds one column computed by `f` per row.
struct Builder<'a, T> {
    rows: &'a [T],
    out: Vec<(String, Column)>,
}

impl<'a, T> Builder<'a, T> {
    fn new(rows: &'a [T]) -> Self {
        Builder {
            rows,
            out: Vec::new(),
        }
    }
    fn int(mut self, name: &str, f: impl Fn(&T) -> Option<i64>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Int(v)));
        self
    }
    fn text(mut self, name: &str, f: impl Fn(&T) -> Option<String>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Text(v)));
        self
    }
    fn code(mut self, name: &str, f: impl Fn(&T) -> Option<&'static str>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Code(v)));
        self
    }
    fn code_text(mut self, name: &str, f: impl Fn(&T) -> Option<String>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Code(v)));
        self
    }
    fn time(mut self, name: &str, f: impl Fn(&T) -> Option<DateTime<Utc>>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Time(v)));
        self
    }
}

fn id<T: ToString>(x: &T) -> Option<String> {
    Some(x.to_string())
}

fn as_int<T: TryInto<i64>>(x: T) -> Option<i64> {
    x.try_into().ok()
}

/// The frame columns of needs, one row each, in order.
pub fn needs_columns(rows: &[Need]) -> Vec<(String, Column)> {
    Builder::new(rows)
        .text("id", |x| id(&x.id))
        .text("committee", |x| id(&x.committee))
        .text("grid", |x| x.grid.as_ref().and_then(id))
        .text("resident", |x| x.resident.as_ref().and_then(id))
        .text("institution", |x| x.institution.clone())
        .text("title", |x| Some(x.title.clone()))
        .code_text("category", |x| Some(x.category.clone()))
        .code("channel", |x| Some(x.channel.as_str()))
        .code("scale", |x| Some(x.scale.as_str()))
        .code("status", |x| Some(x.status.as_str()))
        .int("estimated_cost_fen", |x| Some(x.estimated_cost_fen))
        .int("claim_count", |x| as_int(x.claim_count))
        .text("live_claim", |x| x.live_claim.as_ref().and_then(id))
        .text("drafted_by", |x| x.drafted_by.as_ref().and_then(id))
        .time("wanted_by", |x| Some(x.wanted_by))
        .time("created_at", |x| Some(x.created_at))
        .time("published_at", |x| x.published_at)
        .time("updated_at", |x| Some(x.updated_at))
        .out
}

/// The frame columns of claims, one row each, in order.
pub fn claims_columns(rows: &[Claim]) -> Vec<(String, Column)> {
    let f = |c: &Claim| c.fulfilment.clone();
    Builder::new(rows)
        .text("id", |x| id(&x.id))
        .text("need", |x| id(&x.need))
        .text("committee", |x| id(&x.committee))
        .code("claimant_type", |x| Some(x.claimant.kind_str()))
        .text("claimant", |x| id(&x.claimant.uuid()))
        .text("claimed_by", |x| x.claimed_by.as_ref().and_then(id))
        .code("status", |x| Some(x.status.as_str()))
        .time("claimed_at", |x| Some(x.claimed_at))
        .time("promised_by", |x| Some(x.promised_by))
        .time("started_at", |x| x.started_at)
        .time("completed_at", |x| x.completed_at)
        .time("ended_at", |x| x.ended_at)
        .int("extensions", |x| as_int(x.extensions))
        .int("send_backs", |x| as_int(x.send_backs))
        .int("money_fen", |x| f(x).map(|f| f.money_fen))
        .int("items", |x| f(x).and_then(|f| as_int(f.item_count())))
        .int("minutes", |x| f(x).and_then(|f| as_int(f.minutes)))
        .int("people_served", |x| {
            f(x).and_then(|f| as_int(f.people_served))
        })
        .out
}

/// The frame columns of members, one row each, in order.
pub fn members_columns(rows: &[Member]) -> Vec<(String, Column)> {
    Builder::new(rows)
        .text("id", |x| id(&x.id))
        .text("work_unit", |x| id(&x.work_unit))
        .text("name", |x| Some(x.name.clone()))
        .text("phone", |x| x.phone.clone())
        .code("status", |x| Some(x.status.as_str()))
        .text("committee", |x| x.committee.as_ref().and_then(id))
        .time("reported_at", |x| x.reported_at)
        .time("decided_at", |x| x.decided_at)
        .int("claims_verified", |x| as_int(x.tally.claims_verified))
        .int("money_fen", |x| Some(x.tally.money_fen))
        .int("items", |x| as_int(x.tally.items))
        .int("minutes", |x| as_int(x.tally.minutes))
        .int("people_served", |x| as_int(x.tally.people_served))
        .int("approved_minutes", |x| as_int(x.approved_minutes))
        .out
}

/// The frame columns of teams, one row each, in order.
pub fn teams_columns(rows: &[Team]) -> Vec<(String, Column)> {
    Builder::new(rows)
        .text("id", |x| id(&x.id))
        .text("committee", |x| id(&x.committee))
        .code("kind", |x| Some(x.kind.as_str()))
        .text("name", |x| Some(x.name.clone()))
        .code("channel", |x| Some(x.channel.as_str()))
        .text("captain", |x| x.captain.as_ref().and_then(id))
        .int("members", |x| as_int(x.members.len()))
        .int("claims_verified", |x| as_int(x.tally.claims_verified))
        .int("money_fen", |x| Some(x.tally.money_fen))
        .int("items", |x| as_int(x.tally.items))
        .int("minutes", |x| as_int(x.tally.minutes))
        .int("people_served", |x| as_int(x.tally.people_served))
        .time("created_at", |x| Some(x.created_at))
        .text("grid", |x| x.grid.as_ref().and_then(id))
        .out
}

/// The frame columns of activities, one row each, in order.
pub fn activities_columns(rows: &[Activity]) -> Vec<(String, Column)> {
    Builder::new(rows)
        .text("id", |x| id(&x.id))
        .text("committee", |x| id(&x.committee))
        .code("kind", |x| Some(x.kind.as_str()))
        .text("title", |x| Some(x.title.clone()))
        .code("channel", |x| Some(x.channel.as_str()))
        .text("team", |x| x.team.as_ref().and_then(id))
        .time("held_at", |x| Some(x.held_at))
        .int("participants", |x| as_int(x.participants))
        .int("people_reached", |x| as_int(x.people_reached))
        .text("grid", |x| x.grid.as_ref().and_then(id))
        .text("place", |x| x.place.clone())
        .int("rostered", |x| Some(i64::from(x.rostered())))
        .int("roster_minutes", |x| as_int(x.roster_minutes()))
        .out
}

/// The frame columns of a committee's ledger rows, one row each, in order.
pub fn ledger_columns(rows: &[NeedLedgerRow]) -> Vec<(String, Column)> {
    Builder::new(rows)
        .text("need", |x| id(&x.need))
        .text("title", |x| Some(x.title.clone()))
        .text("resident", |x| Some(x.resident.clone()))
        .code_text("category", |x| Some(x.category.clone()))
        .code("channel", |x| Some(x.channel.as_str()))
        .code("scale", |x| Some(x.scale.as_str()))
        .code("status", |x| Some(x.status.as_str()))
        .code_text("claimant_type", |x| {
            x.claimant.as_ref().map(|c| c.0.clone())
        })
        .text("claimant", |x| x.claimant.as_ref().map(|c| c.1.clone()))
        .code("claim_status", |x| x.claim_status.map(|s| s.as_str()))
        .time("created_at", |x| Some(x.created_at))
        .time("published_at", |x| x.published_at)
        .time("claimed_at", |x| x.claimed_at)
        .time("completed_at", |x| x.completed_at)
        .time("ended_at", |x| x.ended_at)
        .int("money_fen", |x| x.money_fen)
        .int("items", |x| x.items.and_then(as_int))
        .int("minutes", |x| x.minutes.and_then(as_int))
        .int("people_served", |x| x.people_served.and_then(as_int))
        .out
}

#[cfg(test)]
mod texts_tests {
    use super::Texts;

    #[test]
    fn texts_pack_values_and_round_trip() {
        let empty = Texts::default();
        assert_eq!(
            (empty.len(), empty.offsets(), empty.get(0)),
            (0, &[0][..], None)
        );
        let t: Texts = vec![Some("书包"), None, Some(""), Some("ab")]
            .into_iter()
            .collect();
        assert_eq!(t.len(), 4);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![Some("书包"), None, Some(""), Some("ab")]
        );
        assert_eq!(t.data(), "书包ab");
        assert_eq!(t.offsets(), &[0, 6, 6, 6, 8]);
        assert_eq!(t.validity(), &[true, false, true, true]);
        assert_eq!(t.get(4), None);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"["书包",null,"","ab"]"#);
        assert_eq!(serde_json::from_str::<Texts>(&json).unwrap(), t);
        let v: Vec<Option<String>> = t.clone().into();
        assert_eq!(Texts::from(v), t);
        let g = t.gather(&[3, 1, 0, 3]);
        assert_eq!(
            g.iter().collect::<Vec<_>>(),
            vec![Some("ab"), None, Some("书包"), Some("ab")]
        );
        assert_eq!((g.data(), g.offsets()), ("ab书包ab", &[0, 2, 2, 8, 10][..]));
        assert_eq!(Texts::default().gather(&[]), Texts::with_capacity(0, 0));
        let mut a = Texts::default();
        a.append(&t);
        a.append(&Texts::default());
        a.append(&g);
        assert_eq!(a.len(), 8);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [t.iter().collect::<Vec<_>>(), g.iter().collect()].concat()
        );
        assert_eq!(a.offsets().last(), Some(&a.data().len()));
    }
}
