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
