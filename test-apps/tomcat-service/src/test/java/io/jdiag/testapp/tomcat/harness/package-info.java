/**
 * Forked-JVM test harness: a copy of {@code test-apps/service}'s {@code io.jdiag.testapp.harness},
 * adapted to this service's jar and its {@code "jdiag-test-tomcat-service listening on port <n>"} line.
 * The two modules are separate test apps with no test-jar between them, so each carries its own copy;
 * a fix to one belongs in both.
 */
package io.jdiag.testapp.tomcat.harness;
