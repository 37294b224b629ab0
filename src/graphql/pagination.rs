//! Relay connections for the lists that grow with the organisation: one way
//! to page (`first`/`after` forward, `last`/`before` backward), one bound,
//! one answer to a bad cursor, and `totalCount` on every connection.
//!
//! Cursors are positions in the list as ordered for the caller, opaque to
//! clients. A list that is computed whole (a ranking) is sliced in memory; a
//! list read from SQL asks the database for the window only (`OFFSET`/`LIMIT`
//! after a `COUNT`).

use std::borrow::Cow;
use std::ops::Range;

use async_graphql::connection::{
    Connection, ConnectionNameType, CursorType, DefaultConnectionName, DefaultEdgeName, Edge,
    EdgeNameType, EmptyFields, OpaqueCursor,
};
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{
    ContextSelectionSet, OutputType, Positioned, ServerResult, SimpleObject, Value,
};

use crate::graphql::error::{ApiError, ApiResult};

/// The most items one page may hold.
pub const MAX_PAGE: i32 = 500;

/// Fields every connection has besides its edges.
#[derive(SimpleObject)]
pub struct Total {
    /// How many items the whole list holds, over every page.
    pub total_count: usize,
}

/// A page of a list, with position cursors. `Names` sets the schema names
/// when two lists of the same node type need different connection types.
pub type Page<Node, Names = Default> = Described<
    Connection<
        OpaqueCursor<usize>,
        Node,
        Total,
        EmptyFields,
        <Names as PageNames>::Connection,
        <Names as PageNames>::Edge,
    >,
>;

/// A connection type with a description in the schema. async-graphql
/// generates `…Connection` objects without one; this wrapper adds it when
/// the type is registered and resolves exactly as the connection does.
pub struct Described<C>(pub C);

/// What every connection type says of itself in the schema.
const CONNECTION_DESCRIPTION: &str = "One page of a list: `edges` (each item with its \
    cursor), the same items as `nodes`, `pageInfo` to move to the pages around it, and, \
    where the list is counted, `totalCount`.";

impl<C: OutputType> OutputType for Described<C> {
    fn type_name() -> Cow<'static, str> {
        C::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let name = C::create_type_info(registry);
        if let Some(MetaType::Object { description, .. }) =
            registry.types.get_mut(C::type_name().as_ref())
        {
            description.get_or_insert_with(|| CONNECTION_DESCRIPTION.to_owned());
        }
        name
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        self.0.resolve(ctx, field).await
    }
}

/// The names of a connection type and its edge type.
pub trait PageNames {
    type Connection: ConnectionNameType;
    type Edge: EdgeNameType;
}

/// `{Node}Connection` and `{Node}Edge`.
pub struct Default;

impl PageNames for Default {
    type Connection = DefaultConnectionName;
    type Edge = DefaultEdgeName;
}

/// The Relay arguments of a list field, as sent.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }

    /// What a page may cost: its size times what each item's selection costs.
    pub fn cost(first: Option<i32>, last: Option<i32>, default: i32, child: usize) -> usize {
        let size = first.or(last).unwrap_or(default).clamp(1, MAX_PAGE);
        usize::try_from(size)
            .unwrap_or(1)
            .saturating_mul(child.max(1))
    }
}

fn position(cursor: &str, argument: &str) -> ApiResult<usize> {
    OpaqueCursor::<usize>::decode_cursor(cursor)
        .map(|c| c.0)
        .map_err(|_| ApiError::bad_input(argument, "is not a cursor from this list"))
}

fn size(value: i32, argument: &str) -> ApiResult<usize> {
    if !(1..=MAX_PAGE).contains(&value) {
        return Err(ApiError::bad_input(
            argument,
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    Ok(value as usize)
}

/// The positions of a list of `total` items that the arguments ask for:
/// `first` items after `after`, or the `last` items before `before`;
/// `default` items from the start when neither size is given.
pub fn window(args: &PageArgs, total: usize, default: usize) -> ApiResult<Range<usize>> {
    if args.first.is_some() && args.last.is_some() {
        return Err(ApiError::bad_input(
            "first",
            "ask for `first` or `last`, not both",
        ));
    }
    let start = match &args.after {
        Some(cursor) => position(cursor, "after")?.saturating_add(1),
        None => 0,
    }
    .min(total);
    let end = match &args.before {
        Some(cursor) => position(cursor, "before")?,
        None => total,
    }
    .clamp(start, total);
    Ok(match (args.first, args.last) {
        (_, Some(last)) => end.saturating_sub(size(last, "last")?).max(start)..end,
        (Some(first), None) => start..(start + size(first, "first")?).min(end),
        (None, None) => start..(start + default).min(end),
    })
}

/// A connection over the items of `range` (positions in a list of `total`).
pub fn connection<Node: OutputType>(
    range: Range<usize>,
    total: usize,
    nodes: impl IntoIterator<Item = Node>,
) -> Page<Node> {
    connection_named::<Node, Default>(range, total, nodes)
}

/// `connection`, with the schema names `Names` gives.
pub fn connection_named<Node: OutputType, Names: PageNames>(
    range: Range<usize>,
    total: usize,
    nodes: impl IntoIterator<Item = Node>,
) -> Page<Node, Names> {
    let mut page = Connection::with_additional_fields(
        range.start > 0,
        range.end < total,
        Total { total_count: total },
    );
    page.edges.extend(
        range
            .zip(nodes)
            .map(|(at, node)| Edge::new(OpaqueCursor(at), node)),
    );
    Described(page)
}

/// A page of a list computed whole, sliced in memory.
pub fn page_of<T, Node: OutputType>(
    items: Vec<T>,
    args: &PageArgs,
    default: usize,
    node: impl FnMut(T) -> Node,
) -> ApiResult<Page<Node>> {
    let total = items.len();
    let range = window(args, total, default)?;
    let nodes: Vec<Node> = items
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .map(node)
        .collect();
    Ok(connection(range, total, nodes))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cursor(at: usize) -> String {
        OpaqueCursor(at).encode_cursor()
    }

    #[test]
    fn forward_and_backward_pages_meet_in_the_middle() {
        let forward = PageArgs::new(Some(3), Some(cursor(1)), None, None);
        assert_eq!(window(&forward, 10, 50).unwrap(), 2..5);
        let backward = PageArgs::new(None, None, Some(3), Some(cursor(8)));
        assert_eq!(window(&backward, 10, 50).unwrap(), 5..8);
        let last = PageArgs::new(None, None, Some(4), None);
        assert_eq!(window(&last, 10, 50).unwrap(), 6..10);
        assert_eq!(window(&PageArgs::default(), 10, 4).unwrap(), 0..4);
    }

    #[test]
    fn bad_arguments_are_refused() {
        for args in [
            PageArgs::new(Some(0), None, None, None),
            PageArgs::new(Some(MAX_PAGE + 1), None, None, None),
            PageArgs::new(Some(1), None, Some(1), None),
            PageArgs::new(Some(1), Some("not a cursor".into()), None, None),
        ] {
            assert!(window(&args, 10, 5).is_err(), "{args:?}");
        }
    }

    proptest! {
        /// Walking forward page by page visits every item once, in order,
        /// and so does walking backward.
        #[test]
        fn paging_visits_every_item_once(total in 0usize..200, size in 1i32..40) {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let range = window(&PageArgs::new(Some(size), after.clone(), None, None), total, 50).unwrap();
                if range.is_empty() { break; }
                seen.extend(range.clone());
                after = Some(cursor(range.end - 1));
            }
            prop_assert_eq!(seen, (0..total).collect::<Vec<_>>());
            let mut back = Vec::new();
            let mut before = None;
            loop {
                let range = window(&PageArgs::new(None, None, Some(size), before.clone()), total, 50).unwrap();
                if range.is_empty() { break; }
                back.splice(0..0, range.clone());
                before = Some(cursor(range.start));
            }
            prop_assert_eq!(back, (0..total).collect::<Vec<_>>());
        }
    }
}
