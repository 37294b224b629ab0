//! Ending all of a person's sessions. Apart from `session` (logging in,
//! which reads people) because account changes in `people` (deactivation,
//! import) need it: the layering is access → people → auth, and this is the
//! one piece of auth that people may call, since it reads nothing of theirs.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::db::{self, entities::refresh_token};
use crate::error::Result;

/// Signs a person out everywhere (deactivation, password reset), under the
/// person's row lock so that a refresh racing it cannot mint a token that
/// survives (see `Auth::refresh`).
pub async fn revoke_all_for_user(db: &DatabaseTransaction, user_id: i64) -> Result<()> {
    db::lock_person(db, user_id).await?;
    refresh_token::Entity::update_many()
        // Wall time, like every token time (see `session`).
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
