//! Applying a plan in one transaction, with its audit trail.

use super::*;

pub(super) async fn users_by_id(
    txn: &sea_orm::DatabaseTransaction,
    ids: &[i64],
) -> Result<HashMap<i64, user::Model>> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for row in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            rows.insert(row.id, row);
        }
    }
    Ok(rows)
}

/// One entry per person and team the import created or changed (each on
/// the import's behalf), and one for the import itself.
pub(super) async fn import_trail(
    txn: &sea_orm::DatabaseTransaction,
    plan: &Plan,
    before: HashMap<i64, user::Model>,
    created: Created,
) -> Result<Vec<Change>> {
    let mut ids: Vec<i64> = before.keys().copied().collect();
    ids.extend(created.people.iter().copied());
    let after = users_by_id(txn, &ids).await?;
    let mut trail: Vec<Change> = created
        .teams
        .iter()
        .map(|t| {
            Change::new("team.create", "team", t.id)
                .via("import")
                .diff(None, Some(t))
        })
        .collect();
    let mut people: Vec<(&i64, &user::Model)> = after.iter().collect();
    people.sort_by_key(|(id, _)| **id);
    for (id, row) in people {
        let action = if before.contains_key(id) {
            "user.update"
        } else {
            "user.create"
        };
        trail.push(
            Change::new(action, "user", *id)
                .about(*id)
                .via("import")
                .diff(before.get(id), Some(row)),
        );
    }
    trail.push(
        Change::new("people.import", "import", None)
            .fact("created", plan.creates.len())
            .fact("updated", plan.updates.len())
            .fact("deactivated", plan.deactivate.len())
            .fact("teams_created", plan.new_teams.len()),
    );
    Ok(trail)
}

/// What an import created: audited once everything is in place.
pub(super) struct Created {
    pub(super) people: Vec<i64>,
    pub(super) teams: Vec<team::Model>,
}

pub(super) async fn apply(
    txn: &sea_orm::DatabaseTransaction,
    snap: &Snapshot,
    plan: &Plan,
    actor: &Actor,
    options: ImportOptions,
) -> Result<Created> {
    let mut created_teams = Vec::new();
    let now = crate::clock::now();
    let mut team_ids = snap.teams.clone();
    for path in &plan.new_teams {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(team_ids[parent]), name),
            None => (None, path.as_str()),
        };
        let row = team::ActiveModel {
            name: Set(name.to_owned()),
            parent_id: Set(parent),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        team_ids.insert(path.clone(), row.id);
        created_teams.push(row);
    }
    let team_id = |t: &Option<TeamRef>| match t {
        None => None,
        Some(TeamRef::Known(id)) => Some(*id),
        Some(TeamRef::New(path)) => Some(team_ids[path]),
    };

    // New people first, without managers (a manager may be created later in
    // the file), in batches; then their ids by email.
    for chunk in plan.creates.chunks(500) {
        let models = chunk.iter().map(|(row, team, _)| user::ActiveModel {
            email: Set(row.email.clone()),
            name: Set(row.name.clone()),
            password_hash: Set(None),
            role: Set(row.role.as_str().to_owned()),
            manager_id: Set(None),
            team_id: Set(team_id(team)),
            locale: Set(row.locale.map(|l| l.tag().to_owned())),
            active: Set(true),
            job_role: Set(row.job_role.clone()),
            career_level: Set(row.career_level.clone()),
            level_since: Set(row.level_since),
            employee_id: Set(row.employee_id.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        user::Entity::insert_many(models).exec(txn).await?;
    }
    // Parsed row index → the id it was given.
    let mut new_ids: HashMap<usize, i64> = HashMap::new();
    for chunk in plan.creates.chunks(500) {
        let by_email: HashMap<String, i64> = user::Entity::find()
            .filter(user::Column::Email.is_in(chunk.iter().map(|(r, _, _)| r.email.clone())))
            .all(txn)
            .await?
            .into_iter()
            .map(|u| (u.email, u.id))
            .collect();
        for (row, _, _) in chunk {
            let id = *by_email.get(&row.email).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("imported {} not found again", row.email))
            })?;
            new_ids.insert(row.index, id);
        }
    }
    let id_of = |who: &Who| -> i64 {
        match who {
            Who::Known(id) => *id,
            Who::New(index) => new_ids[index],
        }
    };
    for (row, _, manager) in &plan.creates {
        if let Some(manager) = manager {
            user::Entity::update_many()
                .col_expr(
                    user::Column::ManagerId,
                    sea_orm::sea_query::Expr::value(id_of(manager)),
                )
                .filter(user::Column::Id.eq(new_ids[&row.index]))
                .exec(txn)
                .await?;
        }
    }
    for update in &plan.updates {
        let mut row = user::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(update.user_id),
            updated_at: Set(now),
            ..Default::default()
        };
        if let Some(name) = &update.name {
            row.name = Set(name.clone());
        }
        if let Some(role) = update.role {
            row.role = Set(role.as_str().to_owned());
        }
        if let Some(team) = &update.team {
            row.team_id = Set(team_id(team));
        }
        if let Some(manager) = &update.manager {
            row.manager_id = Set(manager.as_ref().map(id_of));
        }
        if let Some(v) = &update.job_role {
            row.job_role = Set(v.clone());
        }
        if let Some(v) = &update.career_level {
            row.career_level = Set(v.clone());
        }
        if let Some(v) = update.level_since {
            row.level_since = Set(v);
        }
        if let Some(locale) = update.locale {
            row.locale = Set(Some(locale.tag().to_owned()));
        }
        if let Some(eid) = &update.employee_id {
            row.employee_id = Set(Some(eid.clone()));
        }
        if let Some(email) = &update.email {
            row.email = Set(email.clone());
        }
        if update.reactivate {
            row.active = Set(true);
        }
        row.update(txn).await?;
    }
    if !plan.deactivate.is_empty() {
        for chunk in plan.deactivate.chunks(500) {
            user::Entity::update_many()
                .col_expr(user::Column::Active, sea_orm::sea_query::Expr::value(false))
                .col_expr(
                    user::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
        for id in &plan.deactivate {
            crate::auth::sign_out::revoke_all_for_user(txn, *id).await?;
        }
    }
    if options.invite && !plan.creates.is_empty() {
        let inviter = snap
            .users
            .iter()
            .find(|u| u.id == actor.user_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        for (row, _, _) in &plan.creates {
            crate::auth::recovery::queue_invitation(
                txn,
                new_ids[&row.index],
                &row.email,
                &row.name,
                row.locale.unwrap_or_default(),
                &inviter,
            )
            .await?;
        }
    }
    Ok(Created {
        people: new_ids.into_values().collect(),
        teams: created_teams,
    })
}
