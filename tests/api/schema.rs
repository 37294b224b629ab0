#[test]
fn schema_graphql_matches_the_built_schema() {
    let exported = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the top level");
    let built = skillpath::graphql::sdl();
    assert!(
        exported == built,
        "schema.graphql is out of date: run `cargo run -q -- schema > schema.graphql`"
    );
}

/// Every type, field, argument and enum value of the schema without a
/// description, as `Type`, `Type.field`, `Type.field(argument)`, `Enum.VALUE`.
fn undescribed() -> Vec<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql::parser::parse_schema(skillpath::graphql::sdl()).unwrap();
    let mut missing = Vec::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        if ty.description.is_none() {
            missing.push(name.clone());
        }
        match ty.kind {
            TypeKind::Object(object) => {
                for field in object.fields {
                    let field = field.node;
                    if field.description.is_none() {
                        missing.push(format!("{name}.{}", field.name.node));
                    }
                    for argument in field.arguments {
                        if argument.node.description.is_none() {
                            missing.push(format!(
                                "{name}.{}({})",
                                field.name.node, argument.node.name.node
                            ));
                        }
                    }
                }
            }
            TypeKind::Interface(interface) => {
                for field in interface.fields {
                    if field.node.description.is_none() {
                        missing.push(format!("{name}.{}", field.node.name.node));
                    }
                }
            }
            TypeKind::InputObject(input) => {
                for field in input.fields {
                    if field.node.description.is_none() {
                        missing.push(format!("{name}.{}", field.node.name.node));
                    }
                }
            }
            TypeKind::Enum(enumeration) => {
                for value in enumeration.values {
                    if value.node.description.is_none() {
                        missing.push(format!("{name}.{}", value.node.value.node));
                    }
                }
            }
            _ => {}
        }
    }
    missing.sort();
    missing
}

/// A ratchet towards a described schema: `docs/undescribed-schema.txt` lists
/// what still has no description. Anything new must come with one, and what
/// gets a description leaves the list, so the list only shrinks.
#[test]
fn everything_new_in_the_schema_is_described_and_the_backlog_only_shrinks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/undescribed-schema.txt");
    let listed: Vec<String> = std::fs::read_to_string(path)
        .expect("docs/undescribed-schema.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let missing = undescribed();
    if std::env::var("SKILLPATH_WRITE_DOCS").is_ok() {
        let mut text =
            "# Schema items without a description yet. The schema test keeps this list\n\
                        # exact: describe an item and remove its line; never add one.\n"
                .to_owned();
        for item in &missing {
            text.push_str(item);
            text.push('\n');
        }
        std::fs::write(path, text).unwrap();
        return;
    }
    let new: Vec<&String> = missing.iter().filter(|m| !listed.contains(m)).collect();
    assert!(
        new.is_empty(),
        "describe these (a doc comment, or `desc` on an argument):\n{}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let done: Vec<&String> = listed.iter().filter(|l| !missing.contains(l)).collect();
    assert!(
        done.is_empty(),
        "these have descriptions now; remove them from docs/undescribed-schema.txt:\n{}",
        done.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
