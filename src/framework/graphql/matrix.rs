//! One role's level × skill grid.

use super::*;

/// A role's level × skill grid in one answer.
#[derive(SimpleObject)]
pub struct RoleMatrix {
    /// The job role.
    role: JobRoleNode,
    /// The columns, in order.
    levels: Vec<CareerLevelNode>,
    /// One row per skill in the role's matrix, in matrix order.
    rows: Vec<RoleMatrixRow>,
}

/// One skill across a role's levels.
#[derive(SimpleObject)]
pub struct RoleMatrixRow {
    /// The skill.
    skill: SkillNode,
    /// One cell per level, in the order of `levels`.
    cells: Vec<MatrixCell>,
}

/// One cell of a role's matrix: the level a skill needs at one career level, and its weight there.
#[derive(SimpleObject)]
pub struct MatrixCell {
    /// The career level's key, e.g. `p2`.
    level_key: String,
    /// 0 means not expected at this level.
    required: i32,
    /// The skill's importance at this level, 1 to 5.
    weight: i32,
}

pub(super) fn role_matrix(view: &View, role_key: &str) -> ApiResult<RoleMatrix> {
    let index = view
        .fw
        .doc
        .roles
        .iter()
        .position(|r| r.key == role_key)
        .ok_or_else(|| ApiError::from(Error::NotFound("job role")))?;
    let role = &view.fw.doc.roles[index];
    let rows = role
        .requirements
        .iter()
        .filter_map(|(skill, req)| {
            Some(RoleMatrixRow {
                skill: view.skill(skill)?,
                cells: role
                    .levels
                    .iter()
                    .map(|l| MatrixCell {
                        level_key: l.key.clone(),
                        required: req.levels.get(&l.key).copied().unwrap_or(0) as i32,
                        weight: req.weight_at(&l.key) as i32,
                    })
                    .collect(),
            })
        })
        .collect();
    Ok(RoleMatrix {
        role: JobRoleNode(view.clone(), index),
        levels: (0..role.levels.len())
            .map(|l| CareerLevelNode(view.clone(), index, l))
            .collect(),
        rows,
    })
}
