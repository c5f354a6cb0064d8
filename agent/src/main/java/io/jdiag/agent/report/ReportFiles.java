package io.jdiag.agent.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the report into {@code report.dir} as {@code jdiag-report-<pid>.json} and {@code .txt},
 * each atomically (written beside, then renamed), so a reader never sees half a report.
 */
public final class ReportFiles {
    private final Report report;
    private final Path json;
    private final Path text;

    public ReportFiles(Report report, File dir) {
        this.report = report;
        long pid = ProcessHandle.current().pid();
        this.json = dir.toPath().resolve("jdiag-report-" + pid + ".json");
        this.text = dir.toPath().resolve("jdiag-report-" + pid + ".txt");
    }

    public void write() throws IOException {
        atomicWrite(json, report.json());
        atomicWrite(text, report.text());
    }

    public Path jsonPath() {
        return json;
    }

    static void atomicWrite(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content.getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
