//! The people API: accounts, teams, reporting lines. Resolvers only parse,
//! call the service and map; the service and the policy decide.

use async_graphql::connection::{Connection, Edge, OpaqueCursor};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;

use super::{NewPerson, PeopleFilter, Person, PersonChanges, PositionChange, Team};
use crate::assessment::graphql::PersonSkillRating;
use crate::audit::graphql::{AuditEntry, history_page};
use crate::audit::read::Trail;
use crate::auth::{Locale, Role, policy};
use crate::graphql::context::{actor, request, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiError, ApiResult, parse_id};
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::{Loaders, NestedPeople};
use crate::graphql::pagination::{Described, Page, PageArgs, page_of};

const MAX_PAGE: i32 = 100;

/// A person with an account.
///
/// Anyone may be named where they touched a record the caller can see (an
/// assessor, whoever changed a target, a comment's author), but only the name:
/// the other fields are null unless the caller may see the person (themselves,
/// their managers and reports, HR and admins everyone).
pub struct User(pub Person);

impl User {
    fn in_reach(&self, ctx: &Context<'_>) -> bool {
        actor(ctx).is_ok_and(|a| policy::can_view_person(a, self.0.id))
            || request(ctx).is_ok_and(|r| r.signed_in.get() == Some(&self.0.id))
    }

    /// `value` when the caller may see this person, else null.
    fn shown<T>(&self, ctx: &Context<'_>, value: T) -> Option<T> {
        self.in_reach(ctx).then_some(value)
    }
}

impl GlobalId for User {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::User, self.0.id)
    }
}
/// A person. Only the id and name of people outside the caller's reach are shown; the other fields are null.
#[Object]
impl User {
    /// The person's global id (`node(id:)` fetches them again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// Null when the caller may not see this person.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shown(ctx, self.0.email.as_str())
    }
    /// The person's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Null when the caller may not see this person.
    async fn role(&self, ctx: &Context<'_>) -> Option<Role> {
        self.shown(ctx, self.0.role)
    }
    /// The person's chosen language; null means answers follow the browser
    /// (or that the caller may not see this person).
    async fn locale(&self, ctx: &Context<'_>) -> Option<Locale> {
        self.shown(ctx, self.0.locale).flatten()
    }
    /// Null when the caller may not see this person.
    async fn active(&self, ctx: &Context<'_>) -> Option<bool> {
        self.shown(ctx, self.0.active)
    }
    /// False for an invited account that has not set a password yet; null
    /// when the caller may not see this person.
    async fn has_password(&self, ctx: &Context<'_>) -> Option<bool> {
        self.shown(ctx, self.0.has_password)
    }
    /// Key of the person's job role in the competency framework.
    async fn job_role(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shown(ctx, self.0.job_role.as_deref()).flatten()
    }
    /// Key of the person's career level within their job role.
    async fn career_level(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shown(ctx, self.0.career_level.as_deref()).flatten()
    }
    /// When the person reached their current career level.
    async fn level_since(&self, ctx: &Context<'_>) -> Option<Date> {
        self.shown(ctx, self.0.level_since).flatten().map(Date)
    }
    /// The id the HR system knows the person by (set by imports).
    async fn employee_id(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shown(ctx, self.0.employee_id.as_deref()).flatten()
    }
    /// The person's manager, when the caller may see them.
    async fn manager(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(manager_id) = self.0.manager_id else {
            return Ok(None);
        };
        if !policy::can_view_person(actor(ctx)?, manager_id) {
            return Ok(None);
        }
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.person(manager_id).await?.map(User))
    }
    /// The person's team; null outside the caller's reach.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<TeamNode>> {
        let Some(team_id) = self.0.team_id.filter(|_| self.in_reach(ctx)) else {
            return Ok(None);
        };
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.team(team_id).await?.map(TeamNode))
    }
    /// What was changed in this person's records and account, newest
    /// first: for themselves (their sign-ins too), their managers, HR and
    /// admins. A Relay connection (50 by default, at most 500 a page).
    #[graphql(complexity = "PageArgs::cost(first, last, 50, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<AuditEntry>> {
        let args = PageArgs::new(first, after, last, before);
        history_page(ctx, Trail::Person(self.0.id), args).await
    }
    /// The person's submitted ratings in a cycle, one entry per skill rated,
    /// in key order (empty for an unknown cycle or one they were not rated
    /// in). For the person, their managers and HR; null for anyone else. A
    /// page of people comes with their ratings in one statement.
    async fn ratings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cycle's id.")] cycle_id: ID,
    ) -> ApiResult<Option<Vec<PersonSkillRating>>> {
        let cycle_id = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let actor = actor(ctx)?;
        if !policy::can_view_work(actor, self.0.id) {
            return Ok(None);
        }
        let loaders = ctx.data::<Loaders>()?;
        let skills = loaders.cycle_ratings(cycle_id, self.0.id).await?;
        Ok(Some(
            skills.into_iter().map(PersonSkillRating::from).collect(),
        ))
    }
    /// Direct reports the caller may see.
    async fn direct_reports(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        let actor = actor(ctx)?;
        if !self.in_reach(ctx) {
            return Ok(Vec::new());
        }
        let reports = ctx.data::<Loaders>()?.direct_reports(self.0.id).await?;
        Ok(reports
            .into_iter()
            .filter(|p| policy::can_view_person(actor, p.id))
            .map(User)
            .collect())
    }
}

#[derive(Clone)]
pub struct TeamNode(pub Team);

impl GlobalId for TeamNode {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::Team, self.0.id)
    }
}
/// A team in the organisation tree. Team structure is not personal data.
#[Object(name = "Team")]
impl TeamNode {
    /// The team's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// The team's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The team above, if any.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<TeamNode>> {
        let Some(parent) = self.0.parent_id else {
            return Ok(None);
        };
        let loaders = ctx.data::<Loaders>()?;
        Ok(loaders.team.load_one(parent).await?.map(TeamNode))
    }
}

/// Narrows the people directory: a team, a role, active or not, a name or email search.
#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Only this team.
    pub team_id: Option<ID>,
    /// Only this access role.
    pub role: Option<Role>,
    /// Only active (or only deactivated) accounts.
    pub active: Option<bool>,
    /// Part of a name or email.
    pub search: Option<String>,
}

/// A new account with a password (admins and HR).
#[derive(InputObject)]
pub struct CreateUserInput {
    /// The email address; it signs in with it.
    pub email: String,
    /// Their name.
    pub name: String,
    /// What the account may do.
    #[graphql(default_with = "Role::Employee")]
    pub role: Role,
    /// Their manager.
    pub manager_id: Option<ID>,
    /// Their team.
    pub team_id: Option<ID>,
    /// The language of their mail and texts.
    pub locale: Option<Locale>,
    /// Leave out to create an account that is activated by invitation.
    #[graphql(secret)]
    pub password: Option<String>,
    /// A job role key of the framework.
    pub job_role: Option<String>,
    /// A level key of the job role, e.g. `p2`.
    pub career_level: Option<String>,
    /// Since when the person is at this level.
    pub level_since: Option<Date>,
}

/// Fields left out stay as they are; `null` clears a clearable field.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// A new name.
    pub name: Option<String>,
    /// What the account may do.
    pub role: Option<Role>,
    /// A new manager; `null` clears it.
    pub manager_id: async_graphql::MaybeUndefined<ID>,
    /// A new team; `null` clears it.
    pub team_id: async_graphql::MaybeUndefined<ID>,
    /// The language of their mail and texts.
    pub locale: Option<Locale>,
    /// False deactivates the account and ends its sessions.
    pub active: Option<bool>,
    /// A new job role key; recorded in `positionHistory`.
    pub job_role: async_graphql::MaybeUndefined<String>,
    /// A new level key; recorded in `positionHistory`.
    pub career_level: async_graphql::MaybeUndefined<String>,
    /// With a new job role or career level: the day it takes effect (default
    /// today); the change is kept in `positionHistory` and time at level
    /// starts again from it. Alone: corrects the start of the current level.
    pub level_since: async_graphql::MaybeUndefined<Date>,
}

/// A new team, optionally under a parent team.
#[derive(InputObject)]
pub struct CreateTeamInput {
    /// The team's name.
    pub name: String,
    /// The team above, if any.
    pub parent_id: Option<ID>,
}

/// New values for a team's name or parent.
#[derive(InputObject)]
pub struct UpdateTeamInput {
    /// The new name.
    pub name: Option<String>,
    /// The new team above.
    pub parent_id: async_graphql::MaybeUndefined<ID>,
}

fn optional_id(id: Option<&ID>, field: &str, kind: NodeType) -> ApiResult<Option<i64>> {
    id.map(|id| parse_id(id, field, kind)).transpose()
}

/// `undefined` → leave alone; `null` → clear; a value → set.
fn maybe<T: Clone, U>(
    value: &async_graphql::MaybeUndefined<T>,
    parse: impl FnOnce(&T) -> ApiResult<U>,
) -> ApiResult<Option<Option<U>>> {
    Ok(match value {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => Some(Some(parse(v)?)),
    })
}

/// One person as `user(id:)` and `node(id:)` answer: within the caller's reach.
pub(crate) async fn user_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<User> {
    let actor = actor(ctx)?;
    let view = policy::view_person(actor, id)?;
    Ok(User(super::find_person(&state(ctx)?.db, &view).await?))
}

/// One team as `team(id:)` and `node(id:)` answer: any signed-in caller.
pub(crate) async fn team_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<TeamNode> {
    actor(ctx)?;
    Ok(TeamNode(super::find_team(&state(ctx)?.db, id).await?))
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The signed-in caller.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<User> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        Ok(User(
            super::find_person(&state.db, &policy::view_person(actor, actor.user_id)?).await?,
        ))
    }

    /// One person: yourself, your manager, your reports; anyone for HR and admins.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] id: ID,
    ) -> ApiResult<User> {
        user_by_id(ctx, parse_id(&id, "id", NodeType::User)?).await
    }

    /// The people the caller may see, oldest account first.
    #[graphql(complexity = "crate::graphql::limits::cost::per_item(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start or after `after`, 1 to 100.",
            default = 20,
            validator(minimum = 1, maximum = 100)
        )]
        first: i32,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilter>,
    ) -> ApiResult<Described<Connection<OpaqueCursor<i64>, User>>> {
        let actor = actor(ctx)?;
        let after = after
            .map(|c| {
                <OpaqueCursor<i64> as async_graphql::connection::CursorType>::decode_cursor(&c)
                    .map(|c| c.0)
                    .map_err(|_| ApiError::bad_input("after", "is not a cursor from this list"))
            })
            .transpose()?;
        let filter = filter.unwrap_or_default();
        let filter = PeopleFilter {
            team_id: optional_id(filter.team_id.as_ref(), "filter.teamId", NodeType::Team)?,
            role: filter.role,
            active: filter.active,
            search: filter.search,
        };
        let limit = first.clamp(1, MAX_PAGE) as u64;
        let (people, has_next) =
            super::list_people(&state(ctx)?.db, actor, &filter, after, limit).await?;
        ctx.data::<Loaders>()?
            .prefetch_people(&people, NestedPeople::selected(ctx))
            .await?;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            people
                .into_iter()
                .map(|p| Edge::new(OpaqueCursor(p.id), User(p))),
        );
        Ok(Described(connection))
    }

    /// All teams, by name. Team structure is not personal data: every
    /// signed-in person may read it. A Relay connection (`first`/`after` or
    /// `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<TeamNode>> {
        actor(ctx)?;
        let teams = super::list_teams(&state(ctx)?.db).await?;
        page_of(
            teams,
            &PageArgs::new(first, after, last, before),
            100,
            TeamNode,
        )
    }

    /// One team. Every signed-in person may read it.
    async fn team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] id: ID,
    ) -> ApiResult<TeamNode> {
        team_by_id(ctx, parse_id(&id, "id", NodeType::Team)?).await
    }

    /// A person's changes of job role or career level, oldest first. A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn position_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<PositionChangeNode>> {
        let actor = actor(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let reader = policy::view_work(actor, user_id)?;
        let changes = super::position_history(&state(ctx)?.db, &reader).await?;
        page_of(
            changes,
            &PageArgs::new(first, after, last, before),
            100,
            PositionChangeNode,
        )
    }
}

/// One change of position; time at level restarts on `effectiveOn`.
pub struct PositionChangeNode(pub PositionChange);

/// One change of a person's job role or career level.
#[Object(name = "PositionChange")]
impl PositionChangeNode {
    /// The job role before.
    async fn from_role(&self) -> Option<&str> {
        self.0.from.0.as_deref()
    }
    /// The level before.
    async fn from_level(&self) -> Option<&str> {
        self.0.from.1.as_deref()
    }
    /// The job role after.
    async fn to_role(&self) -> Option<&str> {
        self.0.to.0.as_deref()
    }
    /// The level after.
    async fn to_level(&self) -> Option<&str> {
        self.0.to.1.as_deref()
    }
    /// The day it took effect; time at level counts from it.
    async fn effective_on(&self) -> Date {
        Date(self.0.effective_on)
    }
    /// Who recorded it.
    async fn changed_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.changed_by else {
            return Ok(None);
        };
        Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
    }
    /// When the change was recorded.
    async fn changed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.changed_at
    }
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// HR and admins create accounts; only admins create admins.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: CreateUserInput,
    ) -> ApiResult<User> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let new = NewPerson {
            email: input.email,
            name: input.name,
            role: Some(input.role),
            manager_id: optional_id(input.manager_id.as_ref(), "managerId", NodeType::User)?,
            team_id: optional_id(input.team_id.as_ref(), "teamId", NodeType::Team)?,
            locale: input.locale,
            password: input.password,
            job_role: input.job_role,
            career_level: input.career_level,
            level_since: input.level_since.map(NaiveDate::from),
            employee_id: None,
        };
        let admin = policy::manage_accounts(actor)?;
        let framework = state.frameworks.current(&state.db).await?;
        let person =
            super::create_person(&state.db, &state.auth.hasher, &admin, &framework, new).await?;
        Ok(User(person))
    }

    /// Changes an account (HR and admins; only admins change admin accounts or
    /// make admins). A new job role or level is kept in `positionHistory`.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] id: ID,
        #[graphql(desc = "What to create or change.")] input: UpdateUserInput,
    ) -> ApiResult<User> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id", NodeType::User)?;
        let changes = PersonChanges {
            name: input.name,
            role: input.role,
            manager_id: maybe(&input.manager_id, |v| {
                parse_id(v, "managerId", NodeType::User)
            })?,
            team_id: maybe(&input.team_id, |v| parse_id(v, "teamId", NodeType::Team))?,
            locale: input.locale,
            active: input.active,
            job_role: maybe(&input.job_role, |v| Ok(v.clone()))?,
            career_level: maybe(&input.career_level, |v| Ok(v.clone()))?,
            level_since: maybe(&input.level_since, |v| Ok(v.0))?,
        };
        let admin = policy::manage_accounts(actor)?;
        let state = state(ctx)?;
        let framework = state.frameworks.current(&state.db).await?;
        let person = super::update_person(&state.db, &admin, &framework, id, changes).await?;
        Ok(User(person))
    }

    /// Creates a team, optionally under a parent team (HR and admins).
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new team.")] input: CreateTeamInput,
    ) -> ApiResult<TeamNode> {
        let actor = actor(ctx)?;
        let parent = optional_id(input.parent_id.as_ref(), "parentId", NodeType::Team)?;
        let admin = policy::manage_accounts(actor)?;
        let team = super::create_team(&state(ctx)?.db, &admin, &input.name, parent).await?;
        Ok(TeamNode(team))
    }

    /// Renames a team or moves it under another (HR and admins); a team
    /// cannot move under itself or one of its sub-teams.
    async fn update_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] id: ID,
        #[graphql(desc = "What to create or change.")] input: UpdateTeamInput,
    ) -> ApiResult<TeamNode> {
        let actor = actor(ctx)?;
        let id = parse_id(&id, "id", NodeType::Team)?;
        let parent = maybe(&input.parent_id, |v| {
            parse_id(v, "parentId", NodeType::Team)
        })?;
        let admin = policy::manage_accounts(actor)?;
        let team =
            super::update_team(&state(ctx)?.db, &admin, id, input.name.as_deref(), parent).await?;
        Ok(TeamNode(team))
    }
}
