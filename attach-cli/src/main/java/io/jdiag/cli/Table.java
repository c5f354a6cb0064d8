package io.jdiag.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain, space-aligned text tables, as {@code jps}/{@code jcmd} print them. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table row(String... cells) {
        rows.add(cells.clone());
        return this;
    }

    /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
    void print(PrintWriter out) {
        int columns = 0;
        for (String[] r : rows) {
            columns = Math.max(columns, r.length);
        }
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** Two-column {@code key: value} form, values aligned. */
    void printKeyValues(PrintWriter out) {
        Table t = new Table();
        for (String[] r : rows) {
            t.row(r[0] + ":", r.length > 1 ? r[1] : "");
        }
        t.print(out);
    }
}
