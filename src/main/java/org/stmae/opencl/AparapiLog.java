package org.stmae.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Aparapi reports why a kernel left the device (translation or compile failure) only through
 * java.util.logging. This keeps those records, instead of printing them, so that the error we
 * raise can quote Aparapi's reason.
 */
final class AparapiLog {
    private AparapiLog() {}

    private static final List<String> records = new ArrayList<>();
    // Held here: java.util.logging keeps loggers only weakly, and the handler must survive.
    private static final Logger ROOT = Logger.getLogger("com.aparapi");
    private static boolean installed;

    static synchronized void install() {
        if (installed) return;
        installed = true;
        ROOT.setUseParentHandlers(false);
        ROOT.setLevel(Level.WARNING);
        ROOT.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                String msg = r.getMessage();
                if (r.getThrown() != null) msg += " (" + r.getThrown() + ")";
                synchronized (AparapiLog.class) {
                    records.add(msg);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    /** A position in the log, for {@link #since}. */
    static synchronized int mark() {
        return records.size();
    }

    /** What Aparapi logged after {@code mark}, one line, or a note that it logged nothing. */
    static synchronized String since(int mark) {
        List<String> tail = records.subList(Math.min(mark, records.size()), records.size());
        StringBuilder sb = new StringBuilder();
        for (String s : tail) {
            if (s.contains("NestHost") || s.contains("LocalVariableTable")) continue; // harmless class-file notes
            if (sb.length() > 0) sb.append(" | ");
            sb.append(s.replace('\n', ' '));
        }
        return sb.length() == 0 ? "Aparapi logged no reason" : sb.toString();
    }
}
