package io.jdiag.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The local JVMs, as the attach API lists them (HotSpot perf-data files, like {@code jps}). Keeps
 * the attach types out of the command classes: picocli reflects over those at start-up, and must
 * be able to do so on a runtime without {@code jdk.attach} (to say so in one line).
 */
final class LocalJvms {
    /** One listed JVM. */
    static final class Entry {
        final long pid;
        /** Main class, or the jar for {@code java -jar}, as {@code jps -l} shows it; {@code -} if unknown. */
        final String mainClass;

        Entry(long pid, String mainClass) {
            this.pid = pid;
            this.mainClass = mainClass;
        }
    }

    private LocalJvms() {}

    /** Every listed JVM except this one, by pid. */
    static List<Entry> list() {
        long self = ProcessHandle.current().pid();
        List<Entry> jvms = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            long pid = parsePid(d.id());
            if (pid > 0 && pid != self) {
                jvms.add(new Entry(pid, mainClass(d.displayName(), d.id())));
            }
        }
        jvms.sort(Comparator.comparingLong(e -> e.pid));
        return jvms;
    }

    /** The first word of the command line the JVM reports; the attach API shows the id when it has none. */
    static String mainClass(String displayName, String id) {
        String name = displayName == null ? "" : displayName.trim();
        if (name.isEmpty() || name.equals(id)) {
            return "-";
        }
        int space = name.indexOf(' ');
        return space < 0 ? name : name.substring(0, space);
    }

    private static long parsePid(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
