package io.jdiag.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StacksTest {
    @Test
    void siteIsTheFirstApplicationFrame() {
        List<String> frames = List.of("java.io.FileInputStream.<init>(FileInputStream.java:159)",
                "io.jdiag.testapp.FilesServlet.readWithoutClose(FilesServlet.java:116)",
                "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:527)");
        // io.jdiag.* outside the agent's own packages is application code
        assertThat(Stacks.site(frames)).isEqualTo("io.jdiag.testapp.FilesServlet.readWithoutClose(FilesServlet.java:116)");
        assertThat(Stacks.site(List.of("java.lang.Thread.run(Thread.java:1)"))).isEqualTo("java.lang.Thread.run(Thread.java:1)");
        assertThat(Stacks.site(List.of())).isEqualTo("unknown");
    }

    @Test
    void agentFramesOnTopAreDroppedAndTheRestKeptWithoutModulePrefix() {
        Throwable t = new Throwable();
        t.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.jdiag.agent.detector.leaks.LeaksAnalyzer", "opened", "LeaksAnalyzer.java", 70),
            new StackTraceElement("io.jdiag.bootstrap.LeaksHooks", "opened", "LeaksHooks.java", 40),
            new StackTraceElement("app", "java.base", "17", "java.io.FileInputStream", "<init>", "FileInputStream.java", 159),
            new StackTraceElement("com.example.App", "main", null, -1),
        });
        assertThat(Stacks.frames(t)).containsExactly("java.io.FileInputStream.<init>(FileInputStream.java:159)",
                "com.example.App.main(Unknown Source)");
    }

    @Test
    void framesAreBounded() {
        StackTraceElement[] many = new StackTraceElement[500];
        for (int i = 0; i < many.length; i++) {
            many[i] = new StackTraceElement("com.example.Deep", "call" + i, "Deep.java", i);
        }
        Throwable t = new Throwable();
        t.setStackTrace(many);
        assertThat(Stacks.frames(t)).hasSize(Stacks.MAX_FRAMES).startsWith("com.example.Deep.call0(Deep.java:0)");
    }

    @Test
    void libraryFramesComeFromTheDetectorsAndDecideTheOrigin() {
        List<String> springInternals = List.of("java.util.zip.ZipFile.<init>(ZipFile.java:1)",
                "org.springframework.boot.loader.jar.NestedJarFile.<init>(NestedJarFile.java:1)");
        Stacks.libraryPackages(List.of());
        assertThat(Stacks.origin(springInternals)).isEqualTo(Finding.APPLICATION);
        Stacks.libraryPackages(List.of("org.springframework.", "com.zaxxer.hikari.", "org.springframework."));
        try {
            assertThat(Stacks.origin(springInternals)).isEqualTo(Finding.LIBRARY);
            assertThat(Stacks.site(List.of("com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:1)",
                    "com.example.Repo.find(Repo.java:9)"))).isEqualTo("com.example.Repo.find(Repo.java:9)");
            assertThat(Stacks.origin(List.of("com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:1)",
                    "com.example.Repo.find(Repo.java:9)"))).isEqualTo(Finding.APPLICATION);
            assertThat(Stacks.origin(List.of())).as("no stack: cannot tell, so not demoted").isEqualTo(Finding.APPLICATION);
        } finally {
            Stacks.libraryPackages(List.of());
        }
    }

    @Test
    void aSummaryNamesTheCausingMethodAndTheRoute() {
        List<String> frames = List.of("java.io.FileInputStream.<init>(FileInputStream.java:159)",
                "com.example.files.FilesServlet.readWithoutClose(FilesServlet.java:116)",
                "com.example.files.FilesServlet.leak(FilesServlet.java:60)");
        assertThat(Stacks.where(frames, "GET /files/*", "unknown code"))
                .isEqualTo("FilesServlet.readWithoutClose (GET /files/*)");
        assertThat(Stacks.where(frames, null, "unknown code")).isEqualTo("FilesServlet.readWithoutClose");
        assertThat(Stacks.where(List.of(), "GET /files/*", "unknown code")).as("no stack captured").isEqualTo("GET /files/*");
        assertThat(Stacks.where((List<String>) null, null, "thread main")).isEqualTo("thread main");
        List<String> library = List.of("java.io.FileInputStream.<init>(FileInputStream.java:159)",
                "org.springframework.core.io.FileSystemResource.getInputStream(FileSystemResource.java:1)");
        Stacks.libraryPackages(List.of("org.springframework."));
        try {
            assertThat(Stacks.where(library, "GET /x", "?")).as("no application frame: the route").isEqualTo("GET /x");
            assertThat(Stacks.where(library, null, "?")).as("off a request: the library's method")
                    .isEqualTo("FileSystemResource.getInputStream");
        } finally {
            Stacks.libraryPackages(List.of());
        }
        assertThat(Stacks.shortMethod("com.example.Outer$Inner.run(Outer.java:3)")).isEqualTo("Outer$Inner.run");
        assertThat(Stacks.shortMethod("Top.run(Top.java:3)")).isEqualTo("Top.run");
    }
}
