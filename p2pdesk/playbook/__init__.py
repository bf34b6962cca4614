"""Scripts, rules and deadlines: pure functions of domain objects."""
