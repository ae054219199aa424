//! Frames: the needs and claims a query selects, read straight into columns.

use super::codec::*;
use super::dialect::*;
use super::query::*;
use crate::error::StoreError;
use crate::store::{Page, Query};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::frame::{Column, Texts};
use std::collections::HashMap;

/// How a frame column is read from its SQL expression.
#[derive(Clone, Copy)]
pub(super) enum As {
    Text,
    Code,
    Int,
    Time,
}

/// The frame columns of `query`: (name, SQL expression, how read); `None` for queries whose
/// frames the Hub builds from records.
pub(super) fn frame_spec(query: &Query) -> Option<&'static [(&'static str, &'static str, As)]> {
    use As::*;
    Some(match query {
        Query::Needs(_) => &[
            ("id", "id", Text),
            ("committee", "committee", Text),
            ("grid", "grid", Text),
            ("resident", "resident", Text),
            ("institution", "institution", Text),
            ("title", "title", Text),
            ("category", "category", Code),
            ("channel", "channel", Code),
            ("scale", "scale", Code),
            ("status", "status", Code),
            ("estimated_cost_fen", "estimated_cost_fen", Int),
            ("claim_count", "claim_count", Int),
            ("live_claim", "live_claim", Text),
            ("drafted_by", "drafted_by", Text),
            ("wanted_by", "wanted_by", Time),
            ("created_at", "created_at", Time),
            ("published_at", "published_at", Time),
            ("updated_at", "updated_at", Time),
        ],
        Query::Claims(_) => &[
            ("id", "id", Text),
            ("need", "need", Text),
            ("committee", "committee", Text),
            ("claimant_type", "claimant_type", Code),
            ("claimant", "claimant_id", Text),
            ("claimed_by", "claimed_by", Text),
            ("status", "status", Code),
            ("claimed_at", "claimed_at", Time),
            ("promised_by", "promised_by", Time),
            ("started_at", "started_at", Time),
            ("completed_at", "completed_at", Time),
            ("ended_at", "ended_at", Time),
            ("extensions", "extensions", Int),
            ("send_backs", "send_backs", Int),
            ("money_fen", "money_fen", Int),
            // Filled by `finish` from one pass over claim_items (not a subquery per row).
            ("items", "CAST(NULL AS BIGINT)", Int),
            ("minutes", "minutes", Int),
            ("people_served", "people_served", Int),
        ],
        _ => return None,
    })
}

/// The query reading a frame's columns: a scan of the table when the scope covers many
/// committees (most of the table: a scan put in id order afterwards beats walking the
/// committee index and sorting), else the usual query in id order.
pub(super) fn frame_sql<'d>(
    query: &Query,
    spec: &[(&str, &str, As)],
    d: &'d dyn Dialect,
    io: &mut dyn SqlIo,
) -> Result<Sql<'d>, StoreError> {
    let mut sql = Sql::new(d);
    let unit = match query {
        Query::Needs(f) => f.unit,
        Query::Claims(f) => f.unit,
        _ => None,
    };
    if let Some(u) = unit {
        sql.scan = scope_committees(io, u)?.len() > PER_COMMITTEE;
    }
    Ok(frame_sql_with(query, spec, sql))
}

/// The query reading a frame's columns, `sql` deciding scan and rowid range.
pub(super) fn frame_sql_with<'d>(
    query: &Query,
    spec: &[(&str, &str, As)],
    sql: Sql<'d>,
) -> Sql<'d> {
    // Ids are text in SQLite and `uuid` in PostgreSQL: read every text column as text.
    let projection: Vec<String> = spec
        .iter()
        .map(|(_, e, a)| match a {
            As::Text => sql.dialect.as_text(e),
            _ => e.to_string(),
        })
        .collect();
    select_in(query, &Page::ALL, sql, Some(&projection.join(", ")))
}

/// Columns read from one query (all of a frame, or one part of a table read in parallel),
/// with the ids' uuid values ([`uuid_keys`]) and, for scans, those values sorted along with
/// each row's index in this part.
pub(super) struct Part {
    cols: Vec<Column>,
    keys: Option<Vec<u128>>,
    sorted: Option<Run>,
}

/// Streams the rows of `q` into one column per entry of `spec` (with room reserved for
/// `rows` rows), then computes the part's keys and, for a scan, their order.
pub(super) fn read_part(
    q: &Sql<'_>,
    spec: &[(&str, &str, As)],
    io: &mut dyn SqlIo,
    rows: usize,
) -> Result<Part, StoreError> {
    enum Acc {
        Text(RawTexts),
        Code(RawTexts),
        Int(Vec<Option<i64>>),
        Time(Vec<Option<DateTime<Utc>>>),
    }
    // Room for ids (36 bytes) and codes: untouched capacity costs address space, not memory.
    let mut accs: Vec<Acc> = spec
        .iter()
        .map(|(_, _, a)| match a {
            As::Text => Acc::Text(RawTexts::with_capacity(rows, rows * 36)),
            As::Code => Acc::Code(RawTexts::with_capacity(rows, rows * 8)),
            As::Int => Acc::Int(Vec::with_capacity(rows)),
            As::Time => Acc::Time(Vec::with_capacity(rows)),
        })
        .collect();
    io.for_each(q, &mut |row| {
        for (i, c) in accs.iter_mut().enumerate() {
            match c {
                Acc::Text(v) | Acc::Code(v) => row.push_text(i, v)?,
                Acc::Int(v) => v.push(row.int(i)?),
                Acc::Time(v) => v.push(row.time(i)?),
            }
        }
        Ok(())
    })?;
    let cols = accs
        .into_iter()
        .map(|a| {
            Ok(match a {
                Acc::Text(v) => Column::Text(v.finish()?),
                Acc::Code(v) => Column::Code(v.finish()?),
                Acc::Int(v) => Column::Int(v),
                Acc::Time(v) => Column::Time(v),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Part::new(cols, q.scan))
}

impl Part {
    /// A part of `cols`, sorting its keys when the rows came from a scan (`scan`).
    fn new(cols: Vec<Column>, scan: bool) -> Part {
        // Ids are uuids: their 128-bit values order the rows (much cheaper than comparing
        // text) and key the claims' item counts.
        let keys = match cols.first() {
            Some(Column::Text(ids)) => uuid_keys(ids),
            _ => None,
        };
        let sorted = match (&keys, scan) {
            (Some(keys), true) if !keys.windows(2).all(|w| w[0] <= w[1]) => {
                let mut pairs: Vec<(u128, usize)> = keys.iter().copied().zip(0..).collect();
                pairs.sort_unstable();
                Some(pairs)
            }
            _ => None,
        };
        Part { cols, keys, sorted }
    }
}

/// Item counts summed by claim (keyed by the claim id's uuid value): one pass over
/// claim_items in table order (a GROUP BY would walk the primary key index and look up every
/// row).
pub(super) fn item_sums(
    d: &dyn Dialect,
    io: &mut dyn SqlIo,
) -> Result<HashMap<u128, i64, BuildUuidHasher>, StoreError> {
    let mut sums: HashMap<u128, i64, BuildUuidHasher> = HashMap::default();
    let mut s = Sql::new(d);
    s.text = "SELECT claim, CAST(count AS BIGINT) FROM claim_items".into();
    io.for_each(&s, &mut |row| {
        if let (Some(c), Some(n)) = (row.id(0)?, row.int(1)?) {
            *sums.entry(c.as_u128()).or_default() += n;
        }
        Ok(())
    })?;
    Ok(sums)
}

/// Joins the parts (in rowid order), puts the rows in id order when they were read by a scan
/// (merging the parts' sorted keys), and fills the claims' items column.
pub(super) fn finish(
    query: &Query,
    spec: &[(&str, &str, As)],
    parts: Vec<Part>,
    sums: Option<HashMap<u128, i64, BuildUuidHasher>>,
) -> Result<Vec<(String, Column)>, StoreError> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Err(StoreError::Backend("a frame read in no parts".into()));
    };
    let (mut cols, mut keys) = (first.cols, first.keys);
    // Where each part starts in the joined columns, with its sorted keys when it was not in
    // order; runs in id order are built from these only when the rows need reordering.
    let mut unordered = first.sorted.is_some();
    let mut runs: Vec<(usize, Option<Run>)> = vec![(0, first.sorted)];
    for part in parts {
        let start = cols.first().map_or(0, Column::len);
        unordered |= part.sorted.is_some();
        if let (Some(k), Some(pk)) = (&keys, &part.keys) {
            unordered |= matches!((k.last(), pk.first()), (Some(a), Some(b)) if a > b);
        }
        runs.push((start, part.sorted));
        keys = match (keys, part.keys) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
        for (c, r) in cols.iter_mut().zip(part.cols) {
            match (c, r) {
                (Column::Text(a), Column::Text(b)) | (Column::Code(a), Column::Code(b)) => {
                    a.append(&b)
                }
                (Column::Int(a), Column::Int(mut b)) => a.append(&mut b),
                (Column::Time(a), Column::Time(mut b)) => a.append(&mut b),
                _ => return Err(StoreError::Backend("frame parts differ in shape".into())),
            }
        }
    }
    if unordered {
        match &mut keys {
            Some(keys) => {
                // Each part's rows in id order, as indexes into the joined columns.
                let ends: Vec<usize> = runs
                    .iter()
                    .skip(1)
                    .map(|(start, _)| *start)
                    .chain([keys.len()])
                    .collect();
                let runs = runs
                    .into_iter()
                    .zip(ends)
                    .map(|((start, sorted), end)| match sorted {
                        Some(pairs) => pairs.into_iter().map(|(k, i)| (k, start + i)).collect(),
                        None => keys[start..end].iter().copied().zip(start..).collect(),
                    })
                    .collect();
                let merged = merge_runs(runs);
                *keys = merged.iter().map(|&(k, _)| k).collect();
                let order: Vec<usize> = merged.into_iter().map(|(_, i)| i).collect();
                reorder(&mut cols, &order);
            }
            None => in_text_order(&mut cols),
        }
    } else if keys.is_none() {
        // Ids that are not all uuids (never in this store's tables): order by their text.
        in_text_order(&mut cols);
    }
    if let (Query::Claims(_), Some(sums)) = (query, sums) {
        // Items given: the sum of a claim's item counts, for claims with a fulfilment.
        let at = |name: &str| spec.iter().position(|(n, _, _)| *n == name);
        if let (Some(m), Some(it), Some(keys)) = (at("money_fen"), at("items"), &keys) {
            if let Column::Int(money) = &cols[m] {
                let items = keys
                    .iter()
                    .zip(money)
                    .map(|(k, money)| money.map(|_| sums.get(k).copied().unwrap_or(0)))
                    .collect();
                cols[it] = Column::Int(items);
            }
        }
    }
    Ok(spec
        .iter()
        .map(|(name, _, _)| name.to_string())
        .zip(cols)
        .collect())
}

/// Rows in id order: (uuid value, row index).
pub(super) type Run = Vec<(u128, usize)>;

/// Merges runs sorted by key into one sorted list.
pub(super) fn merge_runs(mut runs: Vec<Run>) -> Run {
    while runs.len() > 1 {
        let b = runs.pop().unwrap_or_default();
        let a = runs.pop().unwrap_or_default();
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] <= b[j] {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        runs.push(out);
    }
    runs.pop().unwrap_or_default()
}

/// The columns of a needs or claims frame (`None` for other queries: the Hub builds those
/// from records). One SQL query, rows streamed into column vectors.
pub(crate) fn columns(
    query: &Query,
    d: &dyn Dialect,
    io: &mut dyn SqlIo,
) -> Result<Option<Vec<(String, Column)>>, StoreError> {
    let Some(spec) = frame_spec(query) else {
        return Ok(None);
    };
    let q = frame_sql(query, spec, d, io)?;
    Ok(Some(read_whole(query, spec, &q, io)?))
}

/// The frame `q` reads, read by one connection.
pub(super) fn read_whole(
    query: &Query,
    spec: &[(&str, &str, As)],
    q: &Sql<'_>,
    io: &mut dyn SqlIo,
) -> Result<Vec<(String, Column)>, StoreError> {
    let part = read_part(q, spec, io, 0)?;
    let sums = match query {
        Query::Claims(_) => Some(item_sums(q.dialect, io)?),
        _ => None,
    };
    finish(query, spec, vec![part], sums)
}

/// [`columns`] read by two connections at once — `io` on this thread and `helper` on
/// another — for scans of a table with rowids (SQLite): each reads half the rowid range, the
/// helper then the claims' items. Both connections must see the same committed state (the
/// caller pins them to one snapshot); other queries are read by `io` alone.
pub(crate) fn columns_split<'h>(
    query: &Query,
    d: &dyn Dialect,
    io: &mut dyn SqlIo,
    helper: &mut (dyn SqlIo + Send + 'h),
) -> Result<Option<Vec<(String, Column)>>, StoreError> {
    let Some(spec) = frame_spec(query) else {
        return Ok(None);
    };
    let q = frame_sql(query, spec, d, io)?;
    let mut range = (None, None);
    if q.scan {
        let mut bounds = Sql::new(d);
        bounds.text = format!(
            "SELECT min(rowid), max(rowid) FROM {}",
            table(query.kind()).name
        );
        if let Some(r) = io.rows(&bounds)?.first() {
            range = (r.int(0)?, r.int(1)?);
        }
    }
    let (Some(lo), Some(hi)) = range else {
        // Not a scan, or an empty table: one connection.
        return Ok(Some(read_whole(query, spec, &q, io)?));
    };
    // The helper also sums the claims' items (about a third of its part's time): it reads
    // the smaller part of the table.
    let share = if matches!(query, Query::Claims(_)) {
        0.6
    } else {
        0.5
    };
    let mid = lo + ((hi - lo) as f64 * share) as i64;
    let half = |from: i64, to: i64| {
        let mut sql = Sql::new(d);
        sql.scan = true;
        sql.rowids = Some((from, to));
        frame_sql_with(query, spec, sql)
    };
    let (first, second) = (half(lo, mid), half(mid + 1, hi));
    // Rowids are dense in tables that are only inserted into and updated: the ranges' sizes
    // are good guesses of the parts' rows (the first part has room for the second's too),
    // capped so that a sparse range cannot reserve much more than it fills (beyond the cap,
    // columns grow as they fill).
    let rows = |n: i64| usize::try_from(n.clamp(0, 4_000_000)).unwrap_or(0);
    let claims = matches!(query, Query::Claims(_));
    let (mine, theirs) = std::thread::scope(|s| {
        let theirs = s.spawn(move || -> Result<_, StoreError> {
            let part = read_part(&second, spec, helper, rows(hi - mid))?;
            let sums = match claims {
                true => Some(item_sums(second.dialect, helper)?),
                false => None,
            };
            Ok((part, sums))
        });
        let mine = read_part(&first, spec, io, rows(hi - lo + 1));
        let theirs = theirs
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (mine, theirs)
    });
    let (second, sums) = theirs?;
    Ok(Some(finish(query, spec, vec![mine?, second], sums)?))
}

/// The 128-bit values of a column of uuids in their canonical text form (`None` when a value
/// is missing or not a uuid): their order is the text's order.
pub(super) fn uuid_keys(ids: &Texts) -> Option<Vec<u128>> {
    ids.iter()
        .map(|id| Some(Uuid::try_parse(id?).ok()?.as_u128()))
        .collect()
}

/// Hashes uuid values (as `u128`) by their last 64 bits — random in every uuid version the
/// library makes — instead of running SipHash over all 16 bytes.
#[derive(Default, Clone, Copy)]
pub(super) struct BuildUuidHasher;

/// See [`BuildUuidHasher`].
#[derive(Default)]
pub(super) struct UuidHasher(u64);

impl std::hash::BuildHasher for BuildUuidHasher {
    type Hasher = UuidHasher;
    fn build_hasher(&self) -> UuidHasher {
        UuidHasher(0)
    }
}

impl std::hash::Hasher for UuidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for u128 keys; any other input still hashes (FNV-1a).
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u128(&mut self, v: u128) {
        // Mixed once so that the bits hashbrown takes from the top are random too.
        self.0 = (v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Puts frame columns in order of the first column, the id, compared as text (for ids that
/// are not all uuids; uuids are ordered by their values in [`finish`]).
pub(super) fn in_text_order(cols: &mut [Column]) {
    let Some(Column::Text(ids)) = cols.first() else {
        return;
    };
    if (1..ids.len()).all(|i| ids.get(i - 1) <= ids.get(i)) {
        return;
    }
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by(|&a, &b| ids.get(a).cmp(&ids.get(b)));
    reorder(cols, &order);
}

/// Rearranges every column so that row `j` is the old row `order[j]`.
pub(super) fn reorder(cols: &mut [Column], order: &[usize]) {
    fn permute<T>(v: &mut Vec<Option<T>>, order: &[usize]) {
        let mut old = std::mem::take(v);
        *v = order.iter().map(|&i| old[i].take()).collect();
    }
    let one = |c: &mut Column| match c {
        Column::Text(v) | Column::Code(v) => *v = v.gather(order),
        Column::Int(v) => permute(v, order),
        Column::Time(v) => permute(v, order),
    };
    // Reordering is random access into columns larger than the CPU caches: the columns are
    // shared among the machine's cores (each column by one thread), when there are enough
    // rows to pay for the threads.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cols.len());
    if threads < 2 || order.len() < 100_000 {
        cols.iter_mut().for_each(one);
        return;
    }
    let work = std::sync::Mutex::new(cols.iter_mut());
    let next = || work.lock().unwrap_or_else(|p| p.into_inner()).next();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(c) = next() {
                    one(c);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scanned_columns_are_put_in_id_order() {
        let t = |s: i64| Utc.timestamp_opt(s, 0).single();
        let mut cols = vec![
            Column::Text(vec![Some("b".into()), Some("a".into()), Some("c".into())].into()),
            Column::Code(vec![Some("x".into()), None, Some("z".into())].into()),
            Column::Int(vec![Some(2), Some(1), None]),
            Column::Time(vec![t(2), t(1), None]),
        ];
        in_text_order(&mut cols);
        assert_eq!(
            cols,
            vec![
                Column::Text(vec![Some("a".into()), Some("b".into()), Some("c".into())].into()),
                Column::Code(vec![None, Some("x".into()), Some("z".into())].into()),
                Column::Int(vec![Some(1), Some(2), None]),
                Column::Time(vec![t(1), t(2), None]),
            ]
        );
    }

    #[test]
    fn scanned_uuid_parts_are_joined_in_id_order() {
        let ids: Vec<Uuid> = (0..50).map(|_| Uuid::now_v7()).collect();
        let cols = |ids: &[Uuid]| {
            vec![
                Column::Text(ids.iter().map(|u| Some(u.to_string())).collect()),
                Column::Int(ids.iter().map(|u| Some(u.as_u128() as i64)).collect()),
            ]
        };
        let spec: &[(&str, &str, As)] = &[("id", "id", As::Text), ("n", "n", As::Int)];
        let query = Query::Needs(Default::default());
        let want: Vec<(String, Column)> = ["id", "n"]
            .map(String::from)
            .into_iter()
            .zip(cols(&ids))
            .collect();
        // Shuffled within parts and across them; in order within each, but not across; in
        // order throughout (joined without sorting); one part.
        let mut shuffled = ids.clone();
        shuffled.reverse();
        shuffled.swap(3, 17);
        let (a, b) = shuffled.split_at(20);
        let cases: Vec<Vec<&[Uuid]>> = vec![
            vec![a, b],
            vec![&ids[30..], &ids[..30]],
            vec![&ids[..10], &ids[10..]],
            vec![&shuffled],
            vec![&ids[..0], &shuffled],
        ];
        for (n, case) in cases.into_iter().enumerate() {
            let parts = case.iter().map(|p| Part::new(cols(p), true)).collect();
            let got = finish(&query, spec, parts, None).unwrap();
            assert_eq!(got, want, "case {n}");
        }
        // Not a scan: the rows keep the order they were read in.
        let parts = vec![Part::new(cols(&shuffled), false)];
        let got = finish(&query, spec, parts, None).unwrap();
        assert_eq!(got[0].1, cols(&shuffled)[0]);
    }
}
