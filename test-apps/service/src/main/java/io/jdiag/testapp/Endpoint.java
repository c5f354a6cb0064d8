package io.jdiag.testapp;

/** One HTTP endpoint of the service, as listed by {@code GET /}. */
record Endpoint(String path, String description) {
}
